"""PyJWT is reached through one small module; without it, one install hint."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import fluxlit.auth
from fluxlit.auth.pyjwt import INSTALL_HINT, MissingPyJWTError, pyjwt
from fluxlit.errors import FluxLitError

AUTH = Path(fluxlit.auth.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (functions included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_only_the_pyjwt_module_imports_jwt() -> None:
    importers = sorted(p.name for p in AUTH.glob("*.py") if "jwt" in imported_modules(p))
    assert importers == ["pyjwt.py"]


def test_the_jwks_cache_does_not_import_the_bearer() -> None:
    assert "fluxlit.auth.jwt" not in imported_modules(AUTH / "jwks.py")


def test_missing_pyjwt_raises_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    assert pyjwt().__name__ == "jwt"
    monkeypatch.setitem(sys.modules, "jwt", None)  # what an environment without it looks like
    with pytest.raises(MissingPyJWTError) as caught:
        pyjwt()
    assert str(caught.value) == INSTALL_HINT
    assert isinstance(caught.value, ImportError) and isinstance(caught.value, FluxLitError)
