"""Browser-visible URLs: the Streamlit app base versus the mounted API base."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit

from starlette.requests import Request

from fluxlit.paths import join_url_path, normalize_api_prefix, normalize_public_mount

if TYPE_CHECKING:
    from fluxlit.app import FluxLit


class FluxLitPublicUrls:
    """Build browser-visible URLs for the Streamlit shell and the mounted FastAPI API.

    The app base is the origin plus the public mount (``FLUXLIT_ROOT_PATH`` or
    ``streamlit_public_path``); the API base adds ``api_mount_path``. An absolute
    ``FLUXLIT_PUBLIC_BASE_URL`` wins over the request's own scheme and host; its path
    is used only when it equals the configured mount (otherwise the mount is). Without
    it, the request's scheme and host are used, ``X-Forwarded-*`` included when Uvicorn
    runs with proxy headers.
    """

    def __init__(self, fluxlit: FluxLit[Any]) -> None:
        self._fluxlit = fluxlit

    def _mount(self) -> str:
        settings = self._fluxlit.settings
        return normalize_public_mount(settings.root_path or settings.streamlit_public_path)

    def app_base(self, request: Request) -> str:
        """Return the browser-visible base URL for Streamlit (no ``api_mount_path``)."""
        mount = self._mount()
        configured = urlsplit(self._fluxlit.settings.public_base_url.strip())
        if configured.scheme and configured.netloc:
            origin = f"{configured.scheme}://{configured.netloc}"
            # The reference: the URL's path is the app base only when it matches the
            # public mount; any other path (including one set with no mount) is ignored.
            return origin + mount
        origin = f"{request.url.scheme}://{request.url.netloc}"
        return origin + mount

    def api_base(self, request: Request) -> str:
        """Return the browser-visible base URL for the FastAPI app (includes the prefix)."""
        prefix = normalize_api_prefix(self._fluxlit.settings.api_mount_path)
        return self.app_base(request) + ("" if prefix == "/" else prefix)

    def for_page(
        self, request: Request, path: str, *, query: Mapping[str, Any] | None = None
    ) -> str:
        """Return a browser URL for a Streamlit page path (under the app base, not the API).

        ``query`` values are percent-encoded; use this for deep links to pages.
        """
        url = join_url_path(self.app_base(request), path)
        if query:
            url += "?" + urlencode({k: str(v) for k, v in query.items()}, quote_via=quote)
        return url

    def page_url(
        self, request: Request, path: str, *, query: Mapping[str, Any] | None = None
    ) -> str:
        """Alias for ``for_page`` for shareable links (invites, password resets)."""
        return self.for_page(request, path, query=query)
