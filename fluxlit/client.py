"""HTTP client for calling the FastAPI app from Streamlit pages (server side).

Paths are relative to the API base, which already ends in the API prefix, so a page
calls ``client.get("/users")`` and never names a host. Anything that looks like a URL
of its own (``http://...``, ``//host``, backslash tricks) is refused before a request
is made, so a user-controlled string cannot redirect the call to another host.
"""

from __future__ import annotations

import functools
import os
import re
import ssl
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from fluxlit.errors import FluxLitError
from fluxlit.logging.context import get_request_id
from fluxlit.tracing import current_traceparent

T = TypeVar("T", bound=BaseModel)

DEFAULT_API_BASE = "http://127.0.0.1:8000/api"
ClientFactory = Callable[[str, float], httpx.Client]
HeaderFactory = Callable[[], Mapping[str, str]]

_factory_lock = threading.Lock()
_client_factory: ClientFactory | None = None

USE_CLIENT_DEFAULT: Any = httpx.USE_CLIENT_DEFAULT


def set_client_factory(factory: ClientFactory | None) -> Callable[[], None]:
    """Route new ``ApiClient`` instances through ``factory(base_url, timeout)``.

    Process-global on purpose (Streamlit runs scripts in other threads); the test
    toolkit uses it to reach an in-process app without a server. Returns a function
    that restores the previous factory.
    """
    global _client_factory
    with _factory_lock:
        previous = _client_factory
        _client_factory = factory

    def restore() -> None:
        global _client_factory
        with _factory_lock:
            _client_factory = previous

    return restore


class ApiPathError(FluxLitError, ValueError):
    """A path that is not a path on the API (a URL of its own, control characters, ...)."""


class ApiPathTypeError(FluxLitError, TypeError):
    """A path that is not a string."""


class ApiClientUsageError(FluxLitError, ValueError):
    """Arguments that contradict each other (``bearer_token`` and a header factory, ...)."""


def check_relative_path(path: str) -> str:
    """Return ``path`` with one leading ``/``, or raise ``ValueError`` if it names a host.

    A path starting with one ``/`` is always a path on the API (``/items:search`` is
    fine). Without the slash, a colon in the first segment reads as a URL scheme
    (``users:1``, ``javascript:...``) and is refused with a hint to add the ``/``.
    """
    if not isinstance(path, str):
        raise ApiPathTypeError("API path must be a string")
    if any(ord(ch) < 32 or ch == "\x7f" for ch in path):
        raise ApiPathError("API path must not contain control characters")
    stripped = path.strip()
    if "\\" in stripped:
        raise ApiPathError(f"API path {path!r} must not contain backslashes")
    if stripped.startswith("//"):
        raise ApiPathError(f"API path {path!r} is scheme-relative; pass a path such as '/users'")
    if stripped.startswith("/"):
        return stripped
    parts = urlsplit(stripped)
    if parts.netloc:
        raise ApiPathError(f"API path {path!r} is an absolute URL; pass a path such as '/users'")
    first_segment = re.split(r"[/?#]", stripped, maxsplit=1)[0]
    if ":" in first_segment:
        raise ApiPathError(
            f"API path {path!r} reads as a URL scheme; if it is a path on the API, "
            f"start it with '/': '/{stripped}'"
        )
    return "/" + stripped


class _Delegate(httpx.BaseTransport):
    """Send through a client from ``set_client_factory`` (the test toolkit's app client)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.client.send(request)

    def close(self) -> None:
        self.client.close()


@functools.lru_cache(maxsize=8)
def _ssl_context(trust_env: bool, cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """HTTPX's default context for these inputs (the file and folder are the ones
    ``SSL_CERT_FILE``/``SSL_CERT_DIR`` name), built once per process."""
    return httpx.create_ssl_context(trust_env=trust_env)


def shared_ssl_context(trust_env: bool = True) -> ssl.SSLContext:
    """The SSL context an ``ApiClient`` gets unless given ``verify``.

    Building one reads the whole CA bundle (tens of milliseconds of CPU) and a page
    gets a new client on every run, so clients share it instead.
    """
    env = os.environ
    return _ssl_context(trust_env, env.get("SSL_CERT_FILE"), env.get("SSL_CERT_DIR"))


def default_api_base() -> str:
    """``FLUXLIT_INTERNAL_API_BASE`` if set, else the internal API base of the app this
    process serves (its script context), else ``http://127.0.0.1:8000/api``."""
    from fluxlit.streamlit.context import script_context

    explicit = os.environ.get("FLUXLIT_INTERNAL_API_BASE")
    if explicit:
        return explicit
    context = script_context()
    served = context.settings.get("internal_api_base") if context is not None else None
    return str(served) if served else DEFAULT_API_BASE


class ApiClient(httpx.Client):
    """Sync HTTPX client scoped to your gateway-mounted API.

    An ``httpx.Client`` whose base URL is the API base: ``base_url`` defaults to
    ``default_api_base()`` (the serving app's internal API base). Every request's path
    is checked first (see ``check_relative_path``). Other ``httpx.Client`` options (``transport``,
    ``event_hooks``, ``limits``, ...) pass through. Use ``for_fluxlit`` or
    ``with_bearer`` when routes need ``Authorization``.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = 30.0,
        default_headers: Mapping[str, str] | None = None,
        auth_header_factory: HeaderFactory | None = None,
        propagate_request_id: bool = False,
        **httpx_options: Any,
    ) -> None:
        base = (base_url or default_api_base()).rstrip("/")
        factory = _client_factory
        if factory is not None:
            httpx_options.setdefault("transport", _Delegate(factory(base, timeout)))
        if "verify" not in httpx_options:
            httpx_options["verify"] = shared_ssl_context(httpx_options.get("trust_env", True))
        super().__init__(
            base_url=base,
            timeout=timeout,
            headers=default_headers,
            **httpx_options,
        )
        self.timeout_seconds = timeout
        self.default_headers = dict(default_headers or {})
        self.auth_header_factory = auth_header_factory
        self.propagate_request_id = propagate_request_id

    # ------------------------------------------------------------ construction
    @classmethod
    def for_fluxlit(
        cls,
        *,
        bearer_token: str | None = None,
        auth_header_factory: HeaderFactory | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        default_headers: Mapping[str, str] | None = None,
        propagate_request_id: bool = False,
    ) -> ApiClient:
        """Build a client with a static bearer token or a header factory (not both)."""
        if bearer_token is not None and auth_header_factory is not None:
            raise ApiClientUsageError("pass either bearer_token or auth_header_factory, not both")
        factory = auth_header_factory
        if bearer_token is not None:
            token = bearer_token

            def factory() -> Mapping[str, str]:
                return {"Authorization": f"Bearer {token}"}

        return cls(
            base_url,
            timeout=timeout,
            default_headers=default_headers,
            auth_header_factory=factory,
            propagate_request_id=propagate_request_id,
        )

    def with_bearer(self, bearer_token: str) -> ApiClient:
        """Return a new client with the same options plus ``Authorization: Bearer``.

        Headers from an existing ``auth_header_factory`` are merged first; the new
        client owns its own connection pool, so close it (or use ``with``).
        """
        previous = self.auth_header_factory

        def factory() -> Mapping[str, str]:
            headers = dict(previous()) if previous else {}
            headers["Authorization"] = f"Bearer {bearer_token}"
            return headers

        return ApiClient(
            str(self.base_url),
            timeout=self.timeout_seconds,
            default_headers=self.default_headers,
            auth_header_factory=factory,
            propagate_request_id=self.propagate_request_id,
        )

    # ----------------------------------------------------------------- calls
    def _call_headers(self) -> dict[str, str]:
        """Headers computed per request: auth factory, request id, trace context."""
        headers: dict[str, str] = {}
        if self.auth_header_factory is not None:
            headers.update(self.auth_header_factory())
        if self.propagate_request_id:
            request_id = get_request_id()
            if request_id:
                headers["X-Request-ID"] = request_id
        traceparent = current_traceparent()
        if traceparent:
            headers["traceparent"] = traceparent
        return headers

    def build_request(self, method: str, url: Any, **kwargs: Any) -> httpx.Request:
        """httpx's ``build_request`` for an API path only (every verb and ``stream`` use it).

        Raises ``ValueError`` for absolute or scheme-relative URLs. Header precedence:
        ``default_headers``, then the auth factory, request id and trace context, then
        the call's own headers.
        """
        path = check_relative_path(str(url) if isinstance(url, httpx.URL) else url)
        headers = httpx.Headers(self._call_headers())
        if kwargs.get("headers"):
            headers.update(httpx.Headers(kwargs["headers"]))
        kwargs["headers"] = headers
        return super().build_request(method, path, **kwargs)

    def request(  # type: ignore[override]
        self,
        method: str,
        path: str,
        *,
        content: Any = None,
        data: Any = None,
        files: Any = None,
        json: Any = None,
        params: Any = None,
        headers: Any = None,
        cookies: Any = None,
        auth: Any = USE_CLIENT_DEFAULT,
        follow_redirects: Any = USE_CLIENT_DEFAULT,
        timeout: Any = USE_CLIENT_DEFAULT,
        extensions: Any = None,
    ) -> httpx.Response:
        """Send a request to ``base_url + path``; ``path`` may omit its leading slash.

        Raises ``ValueError`` for absolute or scheme-relative URLs.
        """
        return super().request(
            method,
            path,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
        )

    def get(  # type: ignore[override]
        self,
        path: str,
        *,
        params: Any = None,
        headers: Any = None,
        cookies: Any = None,
        auth: Any = USE_CLIENT_DEFAULT,
        follow_redirects: Any = USE_CLIENT_DEFAULT,
        timeout: Any = USE_CLIENT_DEFAULT,
        extensions: Any = None,
    ) -> httpx.Response:
        """``GET`` request."""
        return self.request(
            "GET",
            path,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
        )

    def delete(  # type: ignore[override]
        self,
        path: str,
        *,
        params: Any = None,
        headers: Any = None,
        cookies: Any = None,
        auth: Any = USE_CLIENT_DEFAULT,
        follow_redirects: Any = USE_CLIENT_DEFAULT,
        timeout: Any = USE_CLIENT_DEFAULT,
        extensions: Any = None,
    ) -> httpx.Response:
        """``DELETE`` request."""
        return self.request(
            "DELETE",
            path,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
        )

    def post(  # type: ignore[override]
        self,
        path: str,
        *,
        content: Any = None,
        data: Any = None,
        files: Any = None,
        json: Any = None,
        params: Any = None,
        headers: Any = None,
        cookies: Any = None,
        auth: Any = USE_CLIENT_DEFAULT,
        follow_redirects: Any = USE_CLIENT_DEFAULT,
        timeout: Any = USE_CLIENT_DEFAULT,
        extensions: Any = None,
    ) -> httpx.Response:
        """``POST`` request."""
        return self.request(
            "POST",
            path,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
        )

    def put(  # type: ignore[override]
        self,
        path: str,
        *,
        content: Any = None,
        data: Any = None,
        files: Any = None,
        json: Any = None,
        params: Any = None,
        headers: Any = None,
        cookies: Any = None,
        auth: Any = USE_CLIENT_DEFAULT,
        follow_redirects: Any = USE_CLIENT_DEFAULT,
        timeout: Any = USE_CLIENT_DEFAULT,
        extensions: Any = None,
    ) -> httpx.Response:
        """``PUT`` request."""
        return self.request(
            "PUT",
            path,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
        )

    def get_model(
        self,
        path: str,
        model: type[T],
        *,
        params: Any = None,
        headers: Any = None,
        cookies: Any = None,
        auth: Any = USE_CLIENT_DEFAULT,
        follow_redirects: Any = USE_CLIENT_DEFAULT,
        timeout: Any = USE_CLIENT_DEFAULT,
        extensions: Any = None,
    ) -> T:
        """``GET`` and parse the JSON body as ``model`` (raises on 4xx/5xx or invalid data)."""
        response = self.get(
            path,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
        )
        response.raise_for_status()
        return model.model_validate_json(response.content)

    def post_model(
        self,
        path: str,
        response_model: type[T],
        *,
        body: BaseModel | Mapping[str, Any] | None = None,
        content: Any = None,
        data: Any = None,
        files: Any = None,
        json: Any = None,
        params: Any = None,
        headers: Any = None,
        cookies: Any = None,
        auth: Any = USE_CLIENT_DEFAULT,
        follow_redirects: Any = USE_CLIENT_DEFAULT,
        timeout: Any = USE_CLIENT_DEFAULT,
        extensions: Any = None,
    ) -> T:
        """``POST`` ``body`` (a pydantic model or a mapping) or ``json``, and parse the reply
        as ``response_model`` (raises on 4xx/5xx or invalid data)."""
        if body is not None and json is not None:
            raise ApiClientUsageError("pass either body or json, not both")
        payload = _json_body(body) if body is not None else json
        response = self.post(
            path,
            content=content,
            data=data,
            files=files,
            json=payload,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
        )
        response.raise_for_status()
        return response_model.model_validate_json(response.content)


def _json_body(body: BaseModel | Mapping[str, Any]) -> Any:
    """What ``post_model`` sends for ``body``: a model's JSON form, or the mapping."""
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json")
    if isinstance(body, Mapping):
        return dict(body)
    raise ApiClientUsageError(
        f"body must be a pydantic model or a mapping, not {type(body).__name__}"
    )
