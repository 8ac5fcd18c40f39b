"""Tests for the declarative app, built from fluxlit.toml as in production."""

from pathlib import Path

from fluxlit.testing import FluxLitTestClient, assert_no_streamlit_exception

ROOT = Path(__file__).resolve().parents[1]


def test_api_from_manifest() -> None:
    client = FluxLitTestClient.from_manifest(ROOT)
    assert client.api_get("/hello", params={"name": "Ada"}).json() == {"message": "Hello, Ada!"}
    assert client.api.get("/api/healthz").status_code == 200


def test_generated_entrypoint_renders_pages() -> None:
    client = FluxLitTestClient.from_manifest(ROOT)
    at = client.streamlit(target=str(ROOT / "fluxlit.toml"), extra_sys_path=ROOT)
    assert_no_streamlit_exception(at)
    assert at.markdown[0].value == "Hello, world!"
    at = client.select_page(at, "about", target=str(ROOT / "fluxlit.toml"), extra_sys_path=ROOT)
    assert at.title[0].value == "About"
