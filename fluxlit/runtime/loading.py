"""Find and import the FluxLit app a command or process should serve."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from fluxlit.config.project import load_project_config, resolve_target
from fluxlit.user_code import import_user_module

if TYPE_CHECKING:
    from fluxlit.app import FluxLit


def load_fluxlit(target: str) -> FluxLit[Any]:
    """Import ``module:attribute`` and check that it is a ``FluxLit``.

    Raises ``ValueError`` for a target without ``:``, ``ModuleNotFoundError`` (with a
    hint) when the module cannot be imported, ``AttributeError`` when the attribute is
    missing, and ``TypeError`` when it is not a ``FluxLit``.
    """
    from fluxlit.app import FluxLit

    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"app target {target!r} must look like 'module:attribute' (e.g. app:app)")
    try:
        module = import_user_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise ModuleNotFoundError(
                f"cannot import {module_name!r} for target {target!r}: run from the folder "
                "that contains it, or add that folder to PYTHONPATH",
                name=exc.name,
            ) from exc
        raise
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise AttributeError(f"module {module_name!r} has no attribute {attr!r} ({target})")
        obj = getattr(obj, part)
    if not isinstance(obj, FluxLit):
        raise TypeError(f"{target} is a {type(obj).__name__}, not a FluxLit instance")
    return obj


def resolve_import_target_for_unified(fl: FluxLit[Any]) -> str:
    """``module:attr`` naming this app.

    Order: ``import_target``, ``FLUXLIT_APP``, the project file, then ``app:app``.
    """
    if fl.import_target:
        return fl.import_target
    env = os.environ.get("FLUXLIT_APP")
    if env:
        return env
    return resolve_target(None, load_project_config())
