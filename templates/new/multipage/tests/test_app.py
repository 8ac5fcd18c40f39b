"""Every page renders; deep links pick the page; the API feeds the pages."""

from pathlib import Path

from fluxlit.testing import FluxLitTestClient, assert_no_streamlit_exception

from app import app

ROOT = Path(__file__).resolve().parents[1]


def test_pages_and_deep_links() -> None:
    client = FluxLitTestClient(app)
    at = client.streamlit(target="app:app", extra_sys_path=ROOT)
    assert_no_streamlit_exception(at)
    assert at.metric[0].value == "295"
    at = client.select_page(at, "regions", target="app:app", extra_sys_path=ROOT)
    assert [m.value for m in at.markdown] == ["north: 120", "south: 80", "west: 95"]
    at = client.select_page(at, "Settings", target="app:app", extra_sys_path=ROOT)
    assert at.title[0].value == "Settings"


def test_page_manifest_order() -> None:
    paths = [p["path"] for p in app.build_page_manifest()["pages"]]
    assert paths == ["/", "/regions", "/settings"]
