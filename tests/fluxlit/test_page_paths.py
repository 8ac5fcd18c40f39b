"""One page-path rule: @app.page, fluxlit.toml, navigation and slugs agree, and a path
that is declared is a path that can be served."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fluxlit import FluxLit
from fluxlit.cli import app as cli
from fluxlit.deep_links import page_slug
from fluxlit.pages.navigation import NavigationOrder
from fluxlit.pages.paths import PagePathError, normalize_page_path
from fluxlit_codegen.errors import ManifestError
from fluxlit_codegen.manifest import load_manifest

BAD = ["/a?b", "/a#b", "/a b", '/"quoted"', "/a\\b", "/a/../b", "/./a", "/a{b}", "/a\nb"]
GOOD = {"/": "/", "/reports/": "/reports", " /a//b/ ": "/a/b", "/sales-2024": "/sales-2024"}


def declare_in_python(path: str) -> str:
    app = FluxLit(title="Paths")

    @app.page(path)
    def page(st: object, client: object) -> None: ...

    return app.model().pages[0].path


def declare_in_manifest(path: str, tmp_path: Path) -> str:
    manifest = tmp_path / "fluxlit.toml"
    manifest.write_text(f'[[pages]]\npath = {json.dumps(path)}\nhandler = "handlers:page"\n')
    return load_manifest(manifest).pages[0].path


@pytest.mark.parametrize(("raw", "normalized"), sorted(GOOD.items()))
def test_both_declarations_normalize_alike(tmp_path: Path, raw: str, normalized: str) -> None:
    assert normalize_page_path(raw) == normalized
    assert declare_in_python(raw) == normalized
    assert declare_in_manifest(raw, tmp_path) == normalized


@pytest.mark.parametrize("raw", BAD)
def test_a_path_that_cannot_be_served_is_refused_at_declaration(tmp_path: Path, raw: str) -> None:
    with pytest.raises(PagePathError) as caught:
        declare_in_python(raw)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(f"page path {raw!r}")
    with pytest.raises(ManifestError) as reported:
        declare_in_manifest(raw, tmp_path)
    (problem,) = reported.value.problems
    assert problem.key_path == "pages[0].path"
    assert str(problem).startswith(f"fluxlit.toml:2:8: pages[0].path: page path {raw!r}")


def test_pages_validate_and_compile_refuse_it_with_the_location(
    clean_fluxlit_env: Path,
) -> None:
    (clean_fluxlit_env / "fluxlit.toml").write_text(
        '[[pages]]\npath = "/a?b"\nhandler = "handlers:page"\n'
    )
    for command in (["pages", "validate"], ["compile"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, result.output
        assert "fluxlit.toml:2:8: pages[0].path: page path '/a?b' is not a URL path" in (
            result.output
        )


def test_navigation_and_slugs_use_the_same_rule() -> None:
    order = NavigationOrder(["/b/", " /a "])
    assert order.apply(["/a", "/c", "/b"], lambda p: p) == ["/b", "/a", "/c"]
    assert NavigationOrder(["/a?b"]).apply(["/x", "/a"], lambda p: p) == ["/x", "/a"]
    assert [page_slug(p) for p in ("/", "/a/b", "/a//b/", " /x ")] == ["home", "a-b", "a-b", "x"]
