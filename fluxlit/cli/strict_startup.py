"""``FLUXLIT_STRICT_STARTUP``: configuration warnings stop ``run``/``dev``/``workbench``."""

from __future__ import annotations

from fluxlit.cli.diagnostics import settings_warnings
from fluxlit.config.settings import FluxlitSettings
from fluxlit.errors import UserError


class StrictStartupError(UserError):
    """``strict_startup`` is on and the configuration has warnings: the server stays down."""


def refuse_warnings_when_strict(settings: FluxlitSettings) -> None:
    """With ``settings.strict_startup``, raise ``StrictStartupError`` listing every warning.

    The warnings are those ``fluxlit config`` prints (unknown ``FLUXLIT_*`` variables
    with a did-you-mean, half-configured JWT, a short HS256 secret, a relative public
    URL); without ``strict_startup`` nothing happens here.
    """
    if not settings.strict_startup:
        return
    warnings = settings_warnings(settings)
    if warnings:
        raise StrictStartupError(
            "FLUXLIT_STRICT_STARTUP is on, so not starting with configuration warnings: "
            + "; ".join(warnings)
        )
