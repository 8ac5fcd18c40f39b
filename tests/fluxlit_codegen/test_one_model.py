"""One app declared two ways gives one model, one API and one rendered page."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fluxlit.assemble import fluxlit_from_model
from fluxlit.testing import FluxLitTestClient
from fluxlit_codegen.manifest import load_manifest

MANIFEST = """
title = "Twin"

[[pages]]
path = "/"
title = "Home"
icon = ":material/home:"
tags = ["main"]
handler = "twin_handlers:home"

[[pages]]
path = "/stats"
title = "Stats"
handler = "twin_handlers:stats"

[navigation]
order = ["/stats", "/"]

[[routes]]
path = "/numbers"
handler = "twin_handlers:numbers"
tags = ["data"]
"""

HANDLERS = """
def numbers() -> list[int]:
    return [1, 2, 3]


def home(st, client):
    st.title("Twin")
    st.write(sum(client.get("/numbers").json()))


def stats(st, client):
    st.title("Stats")
"""

PYTHON_APP = """
from fluxlit import FluxLit
import twin_handlers as h

app = FluxLit(title="Twin", import_target="twin_app:app")
app.api.add_api_route("/numbers", h.numbers, methods=["GET"], tags=["data"])
app.page("/", title="Home", icon=":material/home:", tags=["main"])(h.home)
app.page("/stats", title="Stats")(h.stats)
app.navigation_order("/stats", "/")
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "fluxlit.toml").write_text(MANIFEST)
    (tmp_path / "twin_handlers.py").write_text(HANDLERS)
    (tmp_path / "twin_app.py").write_text(PYTHON_APP)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("twin_handlers", "twin_app"):
        sys.modules.pop(name, None)
    return tmp_path


def test_same_model_manifest_api_and_page(project: Path, clean_fluxlit_env: Path) -> None:
    import twin_app  # type: ignore[import-not-found]

    declared = load_manifest(project / "fluxlit.toml")
    python = twin_app.app.model(target="twin_app:app")
    strip = {"source", "target", "settings"}
    assert declared.model_dump(exclude=strip) == python.model_dump(exclude=strip)
    assert (
        twin_app.app.build_page_manifest()
        == FluxLitTestClient.from_manifest(project).app.build_page_manifest()
    )

    manifest_app = fluxlit_from_model(declared, project)
    paths = lambda fl: sorted(FluxLitTestClient(fl).api_get("/openapi.json").json()["paths"])  # noqa: E731
    assert paths(manifest_app) == paths(twin_app.app) == ["/numbers"]

    from_python = FluxLitTestClient(twin_app.app).streamlit(target="twin_app:app")
    from_manifest = FluxLitTestClient.from_manifest(project).streamlit(
        target=str(project / "fluxlit.toml")
    )
    for at in (from_python, from_manifest):
        assert not at.exception
        assert [t.value for t in at.title] == ["Stats"], "navigation order puts /stats first"
    home_python = FluxLitTestClient(twin_app.app).select_page(
        from_python, "home", target="twin_app:app"
    )
    home_manifest = FluxLitTestClient.from_manifest(project).select_page(
        from_manifest, "home", target=str(project / "fluxlit.toml")
    )
    rendered = [[m.value for m in at.markdown] for at in (home_python, home_manifest)]
    assert rendered == [["`6`"], ["`6`"]], "the same page, fed by the same API, both ways"
