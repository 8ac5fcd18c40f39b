"""Sidecar static offload: serve Streamlit's frontend files without the proxy hop.

Streamlit serves its frontend (the JS and CSS bundles, fonts, images under
``/static/``) from the ``static`` folder of its installed package, uncompressed, with
``Cache-Control: public, immutable, max-age=31536000`` (no ``Cache-Control`` on a 304)
and Starlette's ``ETag``/``Last-Modified``. The sidecar child runs from the same
interpreter as the gateway, so the gateway can send those same files with those same
headers itself. Everything else (the index page, ``/_stcore/*``, WebSockets, uploads,
media, component files, anything not a plain file there) still goes to Streamlit.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

# Streamlit's STATIC_ASSET_CACHE_MAX_AGE_SECONDS (one year) for its hashed bundles.
IMMUTABLE = "public, immutable, max-age=31536000"
ASSET_PREFIX = "/static/"
# The types Streamlit registers at startup over the system's table (web/bootstrap.py).
STREAMLIT_TYPES = {
    ".html": "text/html",
    ".js": "application/javascript",
    ".mjs": "application/javascript",
    ".css": "text/css",
    ".webp": "image/webp",
}


def streamlit_static_dir() -> Path | None:
    """The ``static`` folder of the installed Streamlit, found without importing it."""
    spec = importlib.util.find_spec("streamlit")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder if (folder / "index.html").is_file() else None


def _plain(relative: str) -> bool:
    """A path Streamlit would serve as a file as is: no traversal, no odd characters."""
    if not relative or relative.endswith("/") or "//" in relative or "\\" in relative:
        return False
    return all(part not in {"", ".", ".."} for part in relative.split("/"))


class StaticAssetOffload:
    """ASGI app: GET/HEAD of an existing file under ``{mount}/static/`` is answered from
    Streamlit's static folder; every other request goes to ``app`` (the proxy).

    Lookups are cached (the folder is package content that does not change while the
    server runs); a path that is not a file there is never cached and falls through.
    """

    def __init__(self, app: ASGIApp, static_dir: Path, *, mount: str = "") -> None:
        self.app = app
        self.files = StaticFiles(directory=static_dir, follow_symlink=True)
        self.prefix = mount + ASSET_PREFIX
        self._skip = len(mount) + 1  # what precedes the path inside the folder
        self._found: dict[str, tuple[str, os.stat_result]] = {}

    def _response(self, full_path: str, stat_result: os.stat_result, scope: Scope) -> Response:
        """Streamlit's answer for this file: 200/206 with its caching, or 304."""
        media_type = STREAMLIT_TYPES.get(os.path.splitext(full_path)[1])
        response = FileResponse(full_path, stat_result=stat_result, media_type=media_type)
        if self.files.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        response.headers["cache-control"] = IMMUTABLE
        return response

    def _lookup(self, path: str) -> tuple[str, os.stat_result] | None:
        hit = self._found.get(path)
        if hit is not None:
            return hit
        relative = path[self._skip :]
        if not _plain(relative):
            return None
        full_path, stat_result = self.files.lookup_path(relative)
        if stat_result is None or not os.path.isfile(full_path):
            return None
        self._found[path] = (full_path, stat_result)
        return full_path, stat_result

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in {"GET", "HEAD"}
            and scope["path"].startswith(self.prefix)
        ):
            found = self._lookup(scope["path"])
            if found is not None:
                await self._response(*found, scope)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def with_static_offload(app: ASGIApp, *, mount: str = "") -> ASGIApp:
    """``app`` behind ``StaticAssetOffload`` when Streamlit's static folder is found."""
    static_dir = streamlit_static_dir()
    return app if static_dir is None else StaticAssetOffload(app, static_dir, mount=mount)
