"""Put settings from a higher layer (command-line flags, a serving process) on top."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from fluxlit.config.settings import FluxlitSettings

SettingsT = TypeVar("SettingsT", bound=FluxlitSettings)


def with_overrides(settings: SettingsT, overrides: Mapping[str, Any]) -> SettingsT:
    """``settings`` with the ``overrides`` that differ, validated, on top (a copy).

    Validation reads no environment: only the given values are checked.
    """
    current = settings.model_dump(mode="json")
    changed = {k: v for k, v in overrides.items() if k in current and current[k] != v}
    if not changed:
        return settings
    checked = type(settings).model_validate({**settings.model_dump(), **changed})
    return settings.model_copy(update={key: getattr(checked, key) for key in changed})
