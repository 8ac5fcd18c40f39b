"""The layers hold and no module-level import cycle exists (read from the source with ast).

Bottom up: the model and config; the gateway (ASGI only); the runtime; the CLI and the
test toolkit on top. The compiler (fluxlit_codegen) imports neither FastAPI nor
Streamlit. Imports inside functions, under ``if TYPE_CHECKING:`` and under
``if __name__ == "__main__":`` do not count: they run late, or never on import.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("fluxlit", "fluxlit_codegen")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _runs_on_import(node: ast.If) -> bool:
    """False for ``if TYPE_CHECKING:`` and ``if __name__ == "__main__":`` blocks."""
    test = node.test
    if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    ):
        return False
    return not (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
    )


def _imported(module: str, statements: Iterable[ast.stmt]) -> Iterator[str]:
    """Modules named by the import statements run when ``module`` is imported."""
    path = MODULES[module]
    for node in statements:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".")[: None if path.name == "__init__.py" else -1]
                package = package[: len(package) - node.level + 1]
                target = ".".join([*package, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            yield target
            yield from (f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES)
        elif isinstance(node, ast.If) and _runs_on_import(node):
            yield from _imported(module, [*node.body, *node.orelse])
        elif isinstance(node, ast.Try):
            handlers = [stmt for handler in node.handlers for stmt in handler.body]
            yield from _imported(module, [*node.body, *handlers, *node.orelse, *node.finalbody])


@cache
def imports(module: str) -> frozenset[str]:
    """What importing ``module`` imports directly, packages above each target included."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = set()
    for target in _imported(module, tree.body):
        parts = target.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return frozenset(found)


def internal_edges(module: str) -> set[str]:
    """Our modules ``module`` imports, leaving out the packages it sits in (already loading)."""
    parts = module.split(".")
    enclosing = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return {t for t in imports(module) if t in MODULES and t not in enclosing}


@cache
def reachable(module: str) -> frozenset[str]:
    """Everything importing ``module`` loads (ours and third-party top names), transitively."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for target in imports(todo.pop()) - seen:
            seen.add(target)
            if target in MODULES:
                todo.append(target)
    return frozenset(seen)


def _within(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def layer(*prefixes: str) -> list[str]:
    return [m for m in MODULES if _within(m, prefixes)]


BOTTOM = layer("fluxlit.model", "fluxlit.config", "fluxlit.errors", "fluxlit.paths")
RULES = [
    (
        "the model and config",
        BOTTOM,
        (
            "fluxlit.gateway",
            "fluxlit.runtime",
            "fluxlit.cli",
            "fluxlit.app",
            "fluxlit.testing",
            "fluxlit.streamlit",
            "fastapi",
            "starlette",
            "streamlit",
            "uvicorn",
        ),
    ),
    (
        "the gateway (ASGI only)",
        layer("fluxlit.gateway"),
        (
            "fluxlit.app",
            "fluxlit.runtime",
            "fluxlit.cli",
            "fluxlit.testing",
            "fluxlit.streamlit",
            "fastapi",
            "streamlit",
        ),
    ),
    (
        "the runtime",
        layer("fluxlit.runtime"),
        ("fluxlit.cli", "fluxlit.testing", "fluxlit.console"),
    ),
    (
        "everything below the CLI and the test toolkit",
        [
            m
            for m in MODULES
            if not _within(
                m, ("fluxlit.cli", "fluxlit.testing", "fluxlit.console", "fluxlit.__main__")
            )
        ],
        ("fluxlit.cli", "fluxlit.testing", "fluxlit.console"),
    ),
    ("the compiler", layer("fluxlit_codegen"), ("fastapi", "streamlit")),
]


def test_every_layer_group_is_found() -> None:
    for _name, modules, _forbidden in RULES:
        assert modules


@pytest.mark.parametrize(("name", "modules", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_layers(name: str, modules: list[str], forbidden: tuple[str, ...]) -> None:
    broken = {
        module: sorted(t for t in reachable(module) if _within(t, forbidden)) for module in modules
    }
    assert {m: hits for m, hits in broken.items() if hits} == {}, f"{name} import a layer above"


def cycles() -> list[list[str]]:
    """Groups of our modules that import each other at module level (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(internal_edges(node)):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in MODULES:
        if module not in index:
            visit(module)
    return found


def test_no_module_level_import_cycles() -> None:
    assert cycles() == []


def test_the_checks_see_what_they_should() -> None:
    """The walker finds real imports: a rule that could never fail would prove nothing."""
    assert "fluxlit.model" in reachable("fluxlit_codegen.manifest")
    assert "fastapi" in reachable("fluxlit.app")
    assert "streamlit" in reachable("fluxlit.streamlit.main")
    assert "streamlit" not in imports("fluxlit.runtime.inprocess"), "imported in a function"
    assert "fluxlit.config.settings" in internal_edges("fluxlit.gateway.options")
    assert "fluxlit.runtime.upstream_state" not in imports("fluxlit.runtime.serve"), "in a function"
    assert "fluxlit_codegen.manifest_pages" not in imports("fluxlit_codegen.schema"), "__main__"


def test_the_compiler_loads_neither_fastapi_nor_streamlit() -> None:
    """The same, observed: import every compiler module in a fresh interpreter."""
    names = [m for m in MODULES if m.startswith("fluxlit_codegen") and not m.endswith("__main__")]
    script = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in ('fastapi', 'streamlit') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
