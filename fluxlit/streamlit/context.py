"""What a Streamlit entry script needs from the process that serves it.

The serving process builds one ``ScriptContext`` from the resolved app. In-process it
is handed over in memory (``set_script_context``); a sidecar child gets it as one JSON
file named on its command line (``-- --fluxlit-context FILE``). No environment variable
carries it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, JsonValue

from fluxlit.config.settings import SECRET_SETTINGS, FluxlitSettings

CONTEXT_ARG = "--fluxlit-context"


class ScriptContext(BaseModel):
    """The resolved app as the Streamlit side sees it.

    ``target`` names a Python app (``None`` for a manifest app, whose script embeds its
    model); ``settings`` are the effective non-secret settings, internal API base
    included (secrets stay in the environment the child inherits).
    """

    target: str | None = None
    project_root: str
    settings: dict[str, JsonValue]
    dev: bool = False

    @classmethod
    def of(
        cls, settings: FluxlitSettings, *, target: str | None, project_root: Path, dev: bool
    ) -> ScriptContext:
        """The context for ``settings`` (secrets left out)."""
        values = settings.model_dump(mode="json", exclude=set(SECRET_SETTINGS))
        known = {k: v for k, v in values.items() if k in FluxlitSettings.model_fields}
        return cls(target=target, project_root=str(project_root), settings=known, dev=dev)

    def write(self, path: Path) -> None:
        """Save as JSON (readable by the owner only)."""
        path.touch(mode=0o600)
        path.write_text(self.model_dump_json(), encoding="utf-8")


_current: ScriptContext | None = None


def set_script_context(context: ScriptContext | None) -> None:
    """Hand ``context`` to Streamlit scripts run in this process (``None`` clears it)."""
    global _current
    _current = context


def script_context(argv: list[str] | None = None) -> ScriptContext | None:
    """The context of this process: set in memory, or named by ``--fluxlit-context``."""
    global _current
    if _current is not None:
        return _current
    args = sys.argv if argv is None else argv
    if CONTEXT_ARG in args[:-1]:
        path = Path(args[args.index(CONTEXT_ARG) + 1])
        _current = ScriptContext.model_validate_json(path.read_text(encoding="utf-8"))
    return _current


def context_args(path: Path) -> list[str]:
    """Arguments after the script path in ``streamlit run SCRIPT -- ...``."""
    return ["--", CONTEXT_ARG, str(path)]


def settings_in(context: ScriptContext, base: Any) -> Any:
    """``base`` settings with the context's settings on top."""
    from fluxlit.config.overrides import with_overrides

    return with_overrides(base, context.settings)
