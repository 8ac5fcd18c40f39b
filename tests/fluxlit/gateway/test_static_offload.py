"""Sidecar static offload: the gateway sends Streamlit's frontend files as Streamlit does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from fluxlit.gateway.static_assets import StaticAssetOffload, streamlit_static_dir
from tests.helpers.gateway import call_asgi
from tests.helpers.net import free_port, wait_for_200
from tests.helpers.servers import stop_process, streamlit_run

# The headers Streamlit's static route decides; the gateway adds its own (request id,
# security headers) to every response and those are not compared.
STREAMLIT_HEADERS = (
    "content-type",
    "content-length",
    "content-encoding",
    "content-range",
    "accept-ranges",
    "cache-control",
    "etag",
    "last-modified",
)
PAGE = "import streamlit as st\nst.title('offload page')\n"
APP = (
    "from fluxlit import FluxLit\n"
    "app = FluxLit(title='offload', import_target='offapp:app')\n"
    "@app.page('/', title='offload')\n"
    "def home(st, client):\n"
    "    st.title('offload page')\n"
)


def _asset_paths(base: str) -> list[str]:
    """The JS bundle and stylesheet the index page names, a font, an image, a missing file."""
    html = httpx.get(base + "/", timeout=10).text
    named = re.findall(r'(?:src|href)="\.?/?(static/(?:js|css)/index\.[\w-]+\.(?:js|css))"', html)
    static = streamlit_static_dir()
    assert static is not None and len(named) == 2, named
    font = next((static / "static" / "media").glob("*.woff2")).name
    return [f"/{p}" for p in named] + [f"/static/media/{font}", "/static/js/no-such-file.js"]


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    script = tmp_path_factory.mktemp("direct") / "page.py"
    script.write_text(PAGE, encoding="utf-8")
    with streamlit_run(script) as url:
        yield url


@pytest.fixture(scope="module")
def sidecar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``fluxlit run`` in sidecar mode; yields its base URL once ready."""
    folder = tmp_path_factory.mktemp("sidecar")
    (folder / "offapp.py").write_text(APP, encoding="utf-8")
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(folder),
        "FLUXLIT_RUNTIME_MODE": "sidecar",
        "FLUXLIT_NO_PIDFILE": "1",
    }
    log = folder / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "fluxlit.cli", "run", "offapp:app", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for_200(base + "/api/readyz", process=process, timeout=90)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{log.read_text(errors='replace')}") from None
        yield base
    finally:
        stop_process(process)


def _streamlit_part(response: httpx.Response) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in STREAMLIT_HEADERS}


REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("GET", {}),
    ("GET", {"accept-encoding": "gzip, br"}),
    ("HEAD", {}),
    ("GET", {"range": "bytes=10-99"}),
]


@pytest.mark.slow
def test_assets_match_direct_streamlit(direct: str, sidecar: str) -> None:
    paths = _asset_paths(direct)
    assert paths == _asset_paths(sidecar)
    with httpx.Client(timeout=10) as client:
        for path in paths:
            for method, headers in REQUESTS:
                want = client.request(method, direct + path, headers=headers)
                got = client.request(method, sidecar + path, headers=headers)
                where = f"{method} {path} {headers}"
                assert got.status_code == want.status_code, where
                assert _streamlit_part(got) == _streamlit_part(want), where
                assert got.content == want.content, where
            etag = client.get(direct + path).headers["etag"]
            want = client.get(direct + path, headers={"if-none-match": etag})
            got = client.get(sidecar + path, headers={"if-none-match": etag})
            assert (got.status_code, _streamlit_part(got)) == (
                want.status_code,
                _streamlit_part(want),
            ), path
    # The missing file fell through to Streamlit: its page, not cached.
    missing = httpx.get(sidecar + paths[-1], timeout=10)
    assert missing.headers["cache-control"] == "no-cache" and '<div id="root">' in missing.text


class Recorder:
    """Stands for the proxy: records what reaches it and answers 299."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _get(app: StaticAssetOffload, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one request to ``app``."""
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},  # no disconnect watch
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [],
        "root_path": "",
    }
    sent: list[Message] = call_asgi(app, scope, [{"type": "http.request", "body": b""}])
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, body


def _bundle() -> str:
    static = streamlit_static_dir()
    assert static is not None
    return "/static/js/" + next((static / "static" / "js").glob("index.*.js")).name


@pytest.mark.parametrize("mount", ["", "/content/7"])
def test_only_existing_files_are_served_the_rest_is_proxied(mount: str) -> None:
    static = streamlit_static_dir()
    assert static is not None
    proxy = Recorder()
    app = StaticAssetOffload(proxy, static, mount=mount)
    bundle = mount + _bundle()
    status, headers, body = _get(app, "GET", bundle)
    assert status == 200 and proxy.paths == []
    assert headers["cache-control"] == "public, immutable, max-age=31536000"
    assert body == (static / bundle.removeprefix(mount + "/")).read_bytes()
    passed = [
        ("GET", mount + "/static/js/no-such-file.js"),
        ("GET", mount + "/static/js/"),
        ("GET", mount + "/static/js/../../index.html"),
        ("GET", mount + "/static//js/x.js"),
        ("GET", mount + "/index.html"),
        ("GET", mount + "/_stcore/health"),
        ("POST", bundle),
    ]
    for method, path in passed:
        assert _get(app, method, path)[0] == 299, path
    assert proxy.paths == [path for _, path in passed]
