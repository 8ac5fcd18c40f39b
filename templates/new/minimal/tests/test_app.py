"""Tests for the app: the API through the gateway, and the page through AppTest."""

from pathlib import Path

from fluxlit.testing import FluxLitTestClient, assert_no_streamlit_exception

from app import app

ROOT = Path(__file__).resolve().parents[1]


def test_api() -> None:
    client = FluxLitTestClient(app)
    assert client.api.get("/api/healthz").json() == {"status": "ok"}
    assert client.api_get("/hello", params={"name": "Ada"}).json() == {"message": "Hello, Ada!"}


def test_home_page_shows_the_api_greeting() -> None:
    at = FluxLitTestClient(app).streamlit(target="app:app", extra_sys_path=ROOT)
    assert_no_streamlit_exception(at)
    assert at.markdown[0].value == "Hello, world!"
