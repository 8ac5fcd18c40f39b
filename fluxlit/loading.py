"""Import what the app model names: ``module:attr`` references, handlers and the app."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fluxlit.errors import ConfigurationError, FluxLitRuntimeError, UserError
from fluxlit.model import HandlerRef
from fluxlit.user_code import import_user_module

if TYPE_CHECKING:
    from fluxlit.app import FluxLit


class AppTargetError(UserError):
    """The app target does not name a ``FluxLit`` that can be imported from here."""


class TargetFormatError(AppTargetError, ValueError):
    """An app target that is not ``module:attribute``."""


class TargetModuleNotFoundError(AppTargetError, ModuleNotFoundError):
    """The target's module is not importable from here."""


class TargetAttributeError(AppTargetError, AttributeError):
    """The target's module has no such attribute."""


class TargetTypeError(AppTargetError, TypeError):
    """The target names something that is not a ``FluxLit``."""


def import_reference(value: str) -> Any:
    """Import ``module:attr.path`` and return the attribute."""
    module_name, _, attr_path = value.partition(":")
    if not module_name or not attr_path:
        raise ConfigurationError(f"handler reference {value!r} must look like 'module:function'")
    target: Any = importlib.import_module(module_name)
    for part in attr_path.split("."):
        target = getattr(target, part)
    return target


def resolve_handler(ref: HandlerRef, app: FluxLit[Any] | None) -> Callable[..., Any]:
    """Turn an import or registry reference into the handler callable."""
    if ref.kind == "import":
        return import_reference(ref.value)
    if ref.kind == "registry":
        if app is None:
            raise FluxLitRuntimeError(
                f"registry handler {ref.value!r} needs the FluxLit app (target)"
            )
        return app.page_handler(ref.value)
    raise ConfigurationError(f"{ref.kind} references are not callables")


def load_fluxlit(target: str) -> FluxLit[Any]:
    """Import ``module:attribute`` and check that it is a ``FluxLit``.

    Raises ``ValueError`` for a target without ``:``, ``ModuleNotFoundError`` (with a
    hint) when the module cannot be imported, ``AttributeError`` when the attribute is
    missing, and ``TypeError`` when it is not a ``FluxLit`` (each also a ``UserError``).
    Exceptions raised by the module's own code while it imports pass through unchanged.
    """
    from fluxlit.app import FluxLit

    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise TargetFormatError(
            f"app target {target!r} must look like 'module:attribute' (e.g. app:app)"
        )
    try:
        module = import_user_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise TargetModuleNotFoundError(
                f"cannot import {module_name!r} for target {target!r}: run from the folder "
                "that contains it, or add that folder to PYTHONPATH",
                name=exc.name,
            ) from exc
        raise
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise TargetAttributeError(
                f"module {module_name!r} has no attribute {attr!r} ({target})"
            )
        obj = getattr(obj, part)
    if not isinstance(obj, FluxLit):
        raise TargetTypeError(f"{target} is a {type(obj).__name__}, not a FluxLit instance")
    return obj
