"""Check that the handlers a manifest names exist and fit (imports user code)."""

from __future__ import annotations

import sys
from pathlib import Path

from fluxlit.model import AppModel
from fluxlit.pages.inject import check_page_handler
from fluxlit.streamlit.entry import import_reference
from fluxlit_codegen.errors import Problem
from fluxlit_codegen.locate import locate_keys, nearest


def _load(value: str) -> tuple[object | None, str | None]:
    try:
        return import_reference(value), None
    except ModuleNotFoundError as exc:
        return None, f"cannot import module {exc.name!r}"
    except AttributeError:
        return None, f"{value!r}: the module has no such attribute"
    except Exception as exc:  # importing user code may fail in any way
        return None, f"importing {value!r} failed: {type(exc).__name__}: {exc}"


def check_handlers(model: AppModel, project_root: Path, manifest: Path) -> list[Problem]:
    """Import every handler reference and check its kind; problems carry locations."""
    found = locate_keys(manifest.read_text(encoding="utf-8"))
    problems: list[Problem] = []

    def add(key: str, message: str) -> None:
        line, column = nearest(found, key)
        problems.append(Problem(manifest.name, line, column, key, message))

    root = str(project_root.resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    for index, page in enumerate(model.pages):
        if page.handler.kind == "script":
            if not (project_root / page.handler.value).is_file():
                add(f"pages[{index}].script", f"script file {page.handler.value!r} not found")
            continue
        handler, error = _load(page.handler.value)
        if error:
            add(f"pages[{index}].handler", error)
            continue
        for problem in check_page_handler(handler):
            add(f"pages[{index}].handler", problem)
    for index, route in enumerate(model.routes):
        handler, error = _load(route.handler.value)
        if error:
            add(f"routes[{index}].handler", error)
        elif not callable(handler):
            add(f"routes[{index}].handler", f"{route.handler.value!r} is not callable")
    for index, mount in enumerate(model.mounts):
        if mount.app is not None:
            app, error = _load(mount.app.value)
            if error:
                add(f"mounts[{index}].app", error)
            elif not callable(app):
                add(f"mounts[{index}].app", f"{mount.app.value!r} is not an ASGI app")
        elif mount.static_dir and not (project_root / mount.static_dir).is_dir():
            add(f"mounts[{index}].static", f"folder {mount.static_dir!r} not found")
    return problems
