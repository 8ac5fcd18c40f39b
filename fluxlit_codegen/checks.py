"""Check that the handlers an app model names exist and fit (this imports user code)."""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fluxlit.loading import import_reference
from fluxlit.model import AppModel, HandlerRef, RouteModel
from fluxlit.pages.inject import check_page_handler
from fluxlit.user_code import describe, locate
from fluxlit_codegen.errors import Problem
from fluxlit_codegen.locate import locate_keys, nearest


def _load(value: str) -> tuple[object | None, str | None]:
    """Import ``module:attr``; return the object or a sentence saying why not."""
    try:
        return import_reference(value), None
    except ModuleNotFoundError as exc:
        return None, f"cannot import module {exc.name!r} (needed by {value!r})"
    except AttributeError:
        module = value.partition(":")[0]
        return None, f"module {module!r} has no attribute {value.partition(':')[2]!r}"
    except (Exception, SystemExit) as exc:  # importing user code may fail in any way
        return None, f"importing {value!r} failed: {locate(exc) or describe(exc)}"


def _asgi_problem(app: object, value: str) -> str | None:
    """Why ``app`` is not an ASGI app taking ``(scope, receive, send)``, or ``None``."""
    if not callable(app):
        return f"{value!r} is not an ASGI app (not callable)"
    try:
        inspect.signature(app).bind(None, None, None)
    except TypeError:
        return f"{value!r} is not an ASGI app (it must accept (scope, receive, send))"
    except ValueError:
        return None  # signature not inspectable (C callables): give it the benefit of the doubt
    return None


_PATH_PARAM = re.compile(r"\{([^}]*)\}")


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=\.)\s", text.strip(), maxsplit=1)[0]


def route_problem(route: RouteModel, handler: Callable[..., Any]) -> str | None:
    """Why FastAPI refuses ``handler`` at ``route.path``, found by building a throwaway route.

    This is the check ``fluxlit run`` would otherwise fail on, unlocated: parameter and
    return annotations FastAPI cannot turn into fields, unsupported path parameter types.
    """
    from fastapi.routing import APIRoute

    try:
        APIRoute(route.path, handler, methods=list(route.methods), name=route.name)
    except Exception as exc:  # FastAPI reports these as FastAPIError, AssertionError, ...
        return _first_sentence(str(exc)) or type(exc).__name__
    return None


def _locator(
    model: AppModel, project_root: Path, manifest: Path | None
) -> Callable[[str], tuple[str, int, int]]:
    """Map a key path to (file name, line, column) in the manifest, when there is one."""
    path = manifest or (project_root / model.source if model.source else None)
    if path is None or not path.is_file():
        return lambda key: (model.source or "<app>", 1, 1)
    found = locate_keys(path.read_text(encoding="utf-8"))
    prefix = "tool.fluxlit." if path.name == "pyproject.toml" else ""
    return lambda key: (path.name, *nearest(found, prefix + key, value=True))


def check_handlers(
    model: AppModel, project_root: Path, manifest: Path | None = None
) -> list[Problem]:
    """Import every ``import`` handler and check it fits; check that script files exist.

    Pages need at least ``(st, client)`` positional parameters, routes a callable whose
    signature FastAPI accepts at that path, mounts an ASGI callable. ``manifest``
    defaults to ``project_root / model.source``.
    """
    where = _locator(model, project_root, manifest)
    problems: list[Problem] = []

    def add(key: str, message: str) -> None:
        file, line, column = where(key)
        problems.append(Problem(file, line, column, key, message))

    root = str(project_root.resolve())
    if root not in sys.path:
        sys.path.insert(0, root)

    def load(ref: HandlerRef, key: str) -> object | None:
        obj, error = _load(ref.value)
        if error:
            add(key, error)
        return obj

    for index, page in enumerate(model.pages):
        if page.handler.kind == "script":
            if not (project_root / page.handler.value).is_file():
                add(f"pages[{index}].script", f"script file {page.handler.value!r} not found")
        elif page.handler.kind == "import":
            handler = load(page.handler, f"pages[{index}].handler")
            if handler is not None:
                for problem in check_page_handler(handler):
                    add(f"pages[{index}].handler", problem)
    # One throwaway route per handler, path parameters and methods: a thousand routes
    # sharing ten handlers cost ten checks.
    verdicts: dict[tuple[int, tuple[str, ...], tuple[str, ...]], str | None] = {}
    for index, route in enumerate(model.routes):
        if route.handler.kind != "import":
            continue
        handler = load(route.handler, f"routes[{index}].handler")
        if handler is None:
            continue
        if not callable(handler):
            add(f"routes[{index}].handler", f"{route.handler.value!r} is not callable")
            continue
        key = (id(handler), tuple(_PATH_PARAM.findall(route.path)), route.methods)
        if key not in verdicts:
            verdicts[key] = route_problem(route, handler)
        if reason := verdicts[key]:
            add(
                f"routes[{index}].handler",
                f"FastAPI cannot serve {route.handler.value!r} at {route.path!r}: {reason}",
            )
    for index, mount in enumerate(model.mounts):
        if mount.app is not None and mount.app.kind == "import":
            app = load(mount.app, f"mounts[{index}].app")
            reason = _asgi_problem(app, mount.app.value) if app is not None else None
            if reason:
                add(f"mounts[{index}].app", reason)
        elif mount.static_dir and not (project_root / mount.static_dir).is_dir():
            add(f"mounts[{index}].static", f"folder {mount.static_dir!r} not found")
    return problems
