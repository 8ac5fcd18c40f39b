"""Every symbol of the API reference imports from its documented path with its signature."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

SURFACE = Path(__file__).with_name("api_surface.tsv")


def _rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in SURFACE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        kind, symbol, params = line.split("\t")
        rows.append((kind, symbol, params))
    return rows


def _resolve(symbol: str) -> Any:
    """Import the longest module prefix of ``symbol`` and walk the remaining attributes."""
    parts = symbol.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = inspect.getattr_static(obj, attr) if inspect.isclass(obj) else getattr(obj, attr)
        return obj
    raise ImportError(symbol)


def _split_params(text: str) -> list[str]:
    """Split a documented parameter list on top-level commas."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def _default_matches(documented: str, actual: Any) -> bool:
    if documented == "<factory>":
        # dataclasses show a default_factory as this sentinel; a plain default is not one.
        return repr(actual) == "<factory>"
    placeholder = re.fullmatch(r"<([\w.]+)(?: object)?>", documented)
    if placeholder:
        name = placeholder.group(1).rsplit(".", 1)[-1]
        return type(actual).__name__ == name
    if documented == "frozenset({})":
        return actual == frozenset()
    return repr(actual) == documented or str(actual) == documented


def _check_signature(func: Any, documented: str, *, drop_self: bool) -> None:
    params = list(inspect.signature(func).parameters.values())
    if drop_self and params and params[0].name in {"self", "cls"}:
        params = params[1:]
    expected = _split_params(documented)
    named = [e for e in expected if e != "*"]
    assert len(params) >= len(named), f"missing parameters: {expected} vs {params}"
    star_seen = False
    for index, spec in enumerate(named):
        param = params[index]
        name, _, default = spec.partition("=")
        if name.startswith("**"):
            assert param.kind is inspect.Parameter.VAR_KEYWORD, spec
            continue
        if name.startswith("*"):
            assert param.kind is inspect.Parameter.VAR_POSITIONAL, spec
            star_seen = True
            continue
        assert param.name == name, f"parameter {index}: expected {name}, got {param.name}"
        before = expected[: expected.index(spec)]
        keyword_only = "*" in before or star_seen
        if keyword_only:
            assert param.kind is inspect.Parameter.KEYWORD_ONLY, f"{name} must be keyword-only"
        else:
            assert param.kind in (
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                inspect.Parameter.POSITIONAL_ONLY,
            ), f"{name} must be positional"
        if default:
            assert param.default is not inspect.Parameter.empty, f"{name} needs a default"
            assert _default_matches(default, param.default), f"{name}: {param.default!r}"
        else:
            assert param.default is inspect.Parameter.empty, f"{name} must be required"
    for extra in params[len(named) :]:
        assert extra.default is not inspect.Parameter.empty or extra.kind in (
            inspect.Parameter.VAR_KEYWORD,
            inspect.Parameter.VAR_POSITIONAL,
        ), f"undocumented required parameter {extra.name}"


def _check_keywords(func: Any, documented: str) -> None:
    """``~ name=default, ...``: each named parameter exists with that default."""
    params = inspect.signature(func).parameters
    for spec in _split_params(documented.removeprefix("~")):
        name, _, default = spec.partition("=")
        assert name in params, f"missing parameter {name}"
        if default:
            assert _default_matches(default, params[name].default), f"{name}: {params[name]}"


def _check_fields(model: Any, documented: str) -> None:
    """Every documented field exists on the pydantic model, with its default if given."""
    assert issubclass(model, BaseModel), f"{model} should be a pydantic model"
    for spec in _split_params(documented):
        name, _, default = spec.partition("=")
        assert name in model.model_fields, f"{model.__name__} has no field {name}"
        if default:
            actual = model.model_fields[name].get_default(call_default_factory=True)
            assert _default_matches(default, actual), f"{name}: {actual!r}"


@pytest.mark.parametrize(("kind", "symbol", "params"), _rows(), ids=lambda v: str(v)[:60])
def test_symbol_matches_reference(kind: str, symbol: str, params: str) -> None:
    obj = _resolve(symbol)
    if symbol.count(".") == 1 and symbol.startswith("fluxlit."):
        import fluxlit

        assert symbol.split(".")[1] in fluxlit.__all__, f"{symbol} is not in fluxlit.__all__"
    if kind == "property":
        assert isinstance(obj, property), f"{symbol} should be a property"
        return
    if kind == "field":
        _check_fields(obj, params)
        return
    if kind == "alias":
        from typing_extensions import TypeAliasType

        assert isinstance(obj, TypeAliasType), f"{symbol} should be a type alias"
        return
    if kind == "config":
        for spec in _split_params(params):
            key, _, value = spec.partition("=")
            assert repr(obj.model_config.get(key)) == value, f"{symbol}.model_config[{key!r}]"
        return
    if params.startswith("~"):
        _check_keywords(obj, params)
        return
    if params == "-":
        assert callable(obj)
        return
    if kind == "class":
        assert inspect.isclass(obj), f"{symbol} should be a class"
        if params == "**data":
            assert issubclass(obj, BaseModel), f"{symbol} should be a pydantic model"
            return
        if params == "*args, **kwargs":
            assert getattr(obj, "_is_protocol", False), f"{symbol} should be a Protocol"
            return
        _check_signature(obj, params, drop_self=False)
        return
    if kind == "async":
        assert inspect.iscoroutinefunction(obj), f"{symbol} should be async"
    if kind == "classmethod":
        assert isinstance(obj, classmethod), f"{symbol} should be a classmethod"
        obj = obj.__func__
    elif isinstance(obj, staticmethod):
        obj = obj.__func__
    _check_signature(obj, params, drop_self=kind in {"method", "classmethod"})


def test_root_all_is_importable() -> None:
    import fluxlit

    for name in fluxlit.__all__:
        assert getattr(fluxlit, name) is not None, name


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("query_params", "fluxlit.deep_links"),
        ("match_nav_page", "fluxlit.deep_links"),
        ("prepare_streamlit_api_client", "fluxlit.auth.streamlit"),
        ("NavigationModel", "fluxlit.model"),
    ],
)
def test_published_root_names_are_the_module_objects(name: str, module: str) -> None:
    """Code written for the published package imports these from the root."""
    import fluxlit

    assert name in fluxlit.__all__ and name in dir(fluxlit)
    assert getattr(fluxlit, name) is getattr(importlib.import_module(module), name)


def test_root_names_are_the_objects_of_their_documented_modules() -> None:
    """A root name documented in a module section too is that module's very object."""
    import fluxlit

    documented = [symbol for _, symbol, _ in _rows() if symbol.count(".") >= 2]
    pairs = [
        (name, symbol)
        for name in fluxlit.__all__
        for symbol in documented
        if symbol.rsplit(".", 1)[1] == name and _is_module(symbol.rsplit(".", 1)[0])
    ]
    assert len({name for name, _ in pairs}) >= 20, pairs
    for name, symbol in pairs:
        assert getattr(fluxlit, name) is _resolve(symbol), symbol


def _is_module(dotted: str) -> bool:
    try:
        importlib.import_module(dotted)
    except ModuleNotFoundError:
        return False
    return True


def test_the_walk_rejects_what_the_reference_does_not_say() -> None:
    """The checks themselves can fail: wrong defaults, factories and fields are caught."""

    def f(a: int, *, page_key: str = "p", items: list[int] | None = None) -> None: ...

    with pytest.raises(AssertionError):
        _check_keywords(f, "~ page_key='page'")
    assert not _default_matches("<factory>", None)
    with pytest.raises(AssertionError):
        _check_fields(BaseModel, "title")
    from fluxlit.config import FluxlitSettings

    with pytest.raises(AssertionError):
        _check_fields(FluxlitSettings, "api_mount_path='/backend'")
