"""Test helpers: a gateway-scoped HTTP client and Streamlit ``AppTest`` integration.

``FluxLitTestClient(app).api`` goes through the same dispatcher production uses, so
``/api`` prefixes, ``/api/healthz`` and the docs redirects behave as deployed.
``.streamlit(target=...)`` runs FluxLit's entry script under ``AppTest`` with the
environment the runtime sets, and routes the page's ``ApiClient`` to this app in
process: a page that calls the API renders real data with no server running.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from fluxlit.client import set_client_factory
from fluxlit.gateway.dispatch import build_dispatcher
from fluxlit.gateway.paths import normalize_api_mount_path, normalize_root_mount
from fluxlit.runtime.serve import streamlit_main_path as _main_path

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

    from fluxlit.app import FluxLit

PLACEHOLDER_ORIGIN = "http://fluxlit.test"


def streamlit_main_path() -> str:
    """FluxLit's Streamlit entry script, for ``AppTest.from_file``."""
    return _main_path()


async def _no_ui(scope: Scope, receive: Receive, send: Send) -> None:
    """Stands in for Streamlit in API tests: every UI path answers 404."""
    if scope["type"] == "http":
        body = b"Streamlit is not running in FluxLitTestClient.api; use .streamlit()"
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": body})
    elif scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1000})


def apptest_assert_no_errors(at: AppTest) -> None:
    """Raise ``AssertionError`` if ``at`` shows any ``st.exception`` or ``st.error``.

    The message quotes what the page showed, so the failure explains itself.
    """
    shown = [f"exception: {e.value}" for e in at.exception]
    shown += [f"error: {e.value}" for e in at.error]
    if shown:
        raise AssertionError("the Streamlit page showed errors:\n" + "\n".join(shown))


def assert_no_streamlit_exception(at: AppTest) -> None:
    """Alias for ``apptest_assert_no_errors`` (Streamlit ``AppTest`` naming)."""
    apptest_assert_no_errors(at)


class FluxLitTestClient:
    """Test harness that mirrors production routing (API prefix + gateway)."""

    def __init__(self, app: FluxLit[Any], api_prefix: str = "/api", root_mount: str = "") -> None:
        self.app = app
        self.api_prefix = normalize_api_mount_path(api_prefix)
        self.root_mount = normalize_root_mount(root_mount)
        self._api: TestClient | None = None
        self._manifest_root: Path | None = None

    @classmethod
    def from_manifest(cls, project_dir: str | Path = ".") -> FluxLitTestClient:
        """A client for the declarative app in ``project_dir`` (its ``fluxlit.toml``).

        The app is assembled exactly as the generated gateway does it; ``streamlit()``
        with ``target`` set to the manifest path runs the generated entrypoint.
        """
        from fluxlit.assemble import fluxlit_from_model
        from fluxlit_codegen.project import resolve_app

        resolved = resolve_app(None, Path(project_dir))
        app = fluxlit_from_model(resolved.model, resolved.project_root)
        client = cls(app, api_prefix=app.api_prefix)
        client._manifest_root = resolved.project_root
        return client

    def _entry_script(self, target: str) -> str:
        """FluxLit's entry script, or a freshly compiled entrypoint for a manifest target."""
        if not target.endswith(".toml"):
            return streamlit_main_path()
        import tempfile

        from fluxlit_codegen.compile import compile_resolved
        from fluxlit_codegen.project import resolve_app

        resolved = resolve_app(None, Path(target).resolve().parent)
        build = Path(tempfile.mkdtemp(prefix="fluxlit-build-"))
        compile_resolved(resolved, out_dir=build)
        return str(build / "streamlit_app.py")

    # ------------------------------------------------------------------ HTTP
    def _gateway(self, root_mount: str) -> Any:
        return build_dispatcher(
            self.app.api, _no_ui, api_prefix=self.api_prefix, root_mount=root_mount
        )

    @property
    def api(self) -> TestClient:
        """HTTP client over the real dispatcher; non-API paths answer 404 (no Streamlit)."""
        if self._api is None:
            self._api = TestClient(self._gateway(self.root_mount), base_url=PLACEHOLDER_ORIGIN)
        return self._api

    def with_root_path(self, root_path: str) -> FluxLitTestClient:
        """A client for the same app published under ``root_path`` (e.g. ``/apps/demo``)."""
        return FluxLitTestClient(self.app, api_prefix=self.api_prefix, root_mount=root_path)

    def _api_url(self, path: str, root_path: str | None) -> tuple[TestClient, str]:
        mount = self.root_mount if root_path is None else normalize_root_mount(root_path)
        client = self.api if root_path is None else TestClient(self._gateway(mount))
        prefix = "" if self.api_prefix == "/" else self.api_prefix
        return client, mount + prefix + "/" + path.lstrip("/")

    def api_get(self, path: str, *, root_path: str | None = None, **kwargs: Any) -> httpx.Response:
        """``GET`` relative to the API prefix (optionally under a one-off ``root_path``)."""
        client, url = self._api_url(path, root_path)
        return client.get(url, **kwargs)

    def api_post(self, path: str, *, root_path: str | None = None, **kwargs: Any) -> httpx.Response:
        """``POST`` relative to the API prefix (optionally under a one-off ``root_path``)."""
        client, url = self._api_url(path, root_path)
        return client.post(url, **kwargs)

    def assert_docs_available(self, *, root_path: str | None = None) -> None:
        """Assert that OpenAPI JSON and Swagger UI are served through the gateway."""
        openapi_url = self.app.api.openapi_url
        docs_url = self.app.api.docs_url
        if not openapi_url:
            raise AssertionError("OpenAPI is disabled (FastAPI openapi_url=None)")
        response = self.api_get(openapi_url, root_path=root_path)
        if response.status_code != 200:
            raise AssertionError(f"GET {openapi_url} returned {response.status_code}")
        try:
            schema = response.json()
        except ValueError:
            raise AssertionError(f"{openapi_url} did not return JSON") from None
        if "openapi" not in schema or "paths" not in schema:
            raise AssertionError(f"{openapi_url} is not an OpenAPI document")
        if not docs_url:
            raise AssertionError("Swagger UI is disabled (FastAPI docs_url=None)")
        docs = self.api_get(docs_url, root_path=root_path)
        if docs.status_code != 200 or "swagger" not in docs.text.lower():
            raise AssertionError(f"GET {docs_url} did not serve Swagger UI ({docs.status_code})")

    # ------------------------------------------------------------- Streamlit
    def internal_api_base(self) -> str:
        """The placeholder API base the page's ``ApiClient`` uses inside ``AppTest``."""
        prefix = "" if self.api_prefix == "/" else self.api_prefix
        return PLACEHOLDER_ORIGIN + prefix

    @contextlib.contextmanager
    def _patched(
        self,
        target: str,
        internal_api_base: str | None,
        extra_sys_path: str | Path | None,
        page_overrides: Mapping[str, Any] | None,
    ) -> Iterator[None]:
        base = internal_api_base or self.internal_api_base()
        env = {
            "FLUXLIT_APP": target,
            "FLUXLIT_INTERNAL_API_BASE": base,
            "FLUXLIT_API_PREFIX": self.api_prefix,
            "FLUXLIT_TESTS": "1",
            "FLUXLIT_TEST_PAGE_OVERRIDES": json.dumps(dict(page_overrides or {})),
        }
        if extra_sys_path is not None:
            env["FLUXLIT_EXTRA_SYS_PATH"] = str(extra_sys_path)
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        added = str(extra_sys_path) if extra_sys_path is not None else None
        if added and added not in sys.path:
            sys.path.insert(0, added)
        else:
            added = None
        gateway = self._gateway("")
        origin = httpx.URL(base)

        def factory(base_url: str, timeout: float) -> httpx.Client:
            if httpx.URL(base_url).host == origin.host and not internal_api_base:
                return TestClient(gateway, base_url=PLACEHOLDER_ORIGIN)
            return httpx.Client(timeout=timeout)

        restore = set_client_factory(factory)
        try:
            yield
        finally:
            restore()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            if added:
                sys.path.remove(added)

    def patched_environment(
        self,
        *,
        target: str,
        internal_api_base: str | None = None,
        extra_sys_path: str | Path | None = None,
        page_overrides: Mapping[str, Any] | None = None,
    ) -> contextlib.AbstractContextManager[None]:
        """The patch ``streamlit()`` applies, for your own ``at.run()`` calls.

        ``AppTest.run`` does not keep the ``FLUXLIT_*`` environment by itself; wrap
        widget interactions in ``with client.patched_environment(target=...):``.
        """
        return self._patched(target, internal_api_base, extra_sys_path, page_overrides)

    def streamlit(
        self,
        *,
        target: str,
        internal_api_base: str | None = None,
        extra_sys_path: str | Path | None = None,
        query_params: dict[str, str] | None = None,
        page_overrides: dict[str, Any] | None = None,
    ) -> AppTest:
        """Run ``AppTest`` on FluxLit's entry script for ``target`` and return it.

        Patches ``FLUXLIT_APP``, ``FLUXLIT_INTERNAL_API_BASE``, ``FLUXLIT_API_PREFIX``
        and ``FLUXLIT_TESTS`` for the run; unless ``internal_api_base`` is given, the
        page's ``ApiClient`` reaches this client's app in process.
        """
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(self._entry_script(target), default_timeout=30)
        for key, value in (query_params or {}).items():
            at.query_params[key] = value
        with self._patched(target, internal_api_base, extra_sys_path, page_overrides):
            return at.run()

    def select_page(
        self,
        at: AppTest,
        page: str,
        *,
        target: str,
        internal_api_base: str | None = None,
        extra_sys_path: str | Path | None = None,
        page_key: str = "page",
        page_overrides: dict[str, Any] | None = None,
    ) -> AppTest:
        """Set ``?page=`` (``page_key``) and run again with the same patch as ``streamlit``."""
        at.query_params[page_key] = page
        with self._patched(target, internal_api_base, extra_sys_path, page_overrides):
            return at.run()

    def assert_no_streamlit_exception(self, at: AppTest) -> None:
        """Fail if ``at`` collected ``st.exception`` or ``st.error`` blocks."""
        apptest_assert_no_errors(at)


def apptest_select_page(
    at: AppTest,
    client: FluxLitTestClient,
    *,
    target: str,
    page: str,
    internal_api_base: str | None = None,
    extra_sys_path: str | Path | None = None,
    page_key: str = "page",
    page_overrides: dict[str, Any] | None = None,
) -> AppTest:
    """Set the ``page`` query key and ``run()`` with the same ``FLUXLIT_*`` patch as
    ``FluxLitTestClient.streamlit`` (``AppTest.run`` does not keep it by itself)."""
    return client.select_page(
        at,
        page,
        target=target,
        internal_api_base=internal_api_base,
        extra_sys_path=extra_sys_path,
        page_key=page_key,
        page_overrides=page_overrides,
    )
