"""Every error FluxLit raises on purpose is a FluxLitError (read from the source with ast).

``raise ValueError(...)`` in our code would escape the CLI's handler as an internal
error; the documented built-in type stays a second base instead
(``class PagePathError(FluxLitError, ValueError)``).
"""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILTIN_ERRORS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}
#: Raised for what they mean to Python itself, not as FluxLit's own errors.
PROTOCOL = {"AssertionError", "NotImplementedError", "StopIteration", "StopAsyncIteration"}
#: ``__getattr__`` of a module must raise a plain AttributeError for missing names.
MODULE_GETATTR = {"fluxlit/__init__.py"}


def sources() -> list[Path]:
    return sorted(p for pkg in ("fluxlit", "fluxlit_codegen") for p in (ROOT / pkg).rglob("*.py"))


def raised_builtins(path: Path) -> list[str]:
    """``file:line: raise Name(...)`` for each built-in exception raised in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        name = target.id if isinstance(target, ast.Name) else None
        if name in BUILTIN_ERRORS and name not in PROTOCOL:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: raise {name}")
    return found


def test_no_bare_builtin_errors_are_raised() -> None:
    found = [
        line
        for path in sources()
        for line in raised_builtins(path)
        if not (str(path.relative_to(ROOT)) in MODULE_GETATTR and line.endswith("AttributeError"))
    ]
    assert found == []


def test_our_exception_classes_derive_from_fluxliterror() -> None:
    import importlib
    import inspect

    from fluxlit.errors import FluxLitError

    stray = []
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
        if not names:
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        module_name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if module_name.endswith("__main__"):
            continue
        module = importlib.import_module(module_name)
        for name in names:
            value = getattr(module, name, None)
            if (
                inspect.isclass(value)
                and issubclass(value, Exception)
                and not issubclass(value, FluxLitError)
            ):
                stray.append(f"{module_name}.{name}")
    assert stray == []


def test_the_scan_finds_raises() -> None:
    probe = ROOT / "fluxlit" / "__init__.py"
    assert any(line.endswith("raise AttributeError") for line in raised_builtins(probe))
