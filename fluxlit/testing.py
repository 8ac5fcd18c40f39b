"""Test helpers: a gateway-scoped HTTP client and Streamlit ``AppTest`` integration.

``FluxLitTestClient(app).api`` goes through the same dispatcher production uses, so
the app's API prefix, ``/api/healthz``, the body limit and the docs redirects behave
as deployed, and the app's lifespan runs (startup on first use, shutdown on
``close()``). ``.streamlit(target=...)`` runs FluxLit's entry script under ``AppTest``
with the environment the runtime sets, and routes the page's ``ApiClient`` to this
app in process: a page that calls the API renders real data with no server running.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from fluxlit.client import set_client_factory
from fluxlit.errors import ConfigurationError
from fluxlit.gateway.dispatch import build_dispatcher
from fluxlit.gateway.paths import normalize_api_mount_path, normalize_root_mount
from fluxlit.paths import DEFAULT_API_PREFIX
from fluxlit.runtime.serve import streamlit_main_path as _main_path
from fluxlit.runtime.streamlit_options import public_mount
from fluxlit.streamlit.entry import DEEP_LINK_KEY, PAGE_KEY_ENV

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

    from fluxlit.app import FluxLit

PLACEHOLDER_ORIGIN = "http://fluxlit.test"


def streamlit_main_path() -> Path:
    """FluxLit's Streamlit entry script, for ``AppTest.from_file``."""
    return Path(_main_path())


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


class _Held:
    """What a ``FluxLitTestClient`` keeps open: the started API client (its lifespan)."""

    def __init__(self) -> None:
        self.api: TestClient | None = None

    def close(self) -> None:
        """Shut the lifespan down; safe to call more than once."""
        api, self.api = self.api, None
        if api is not None:
            api.__exit__(None, None, None)


def _remove_build(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)


class FluxLitTestClient:
    """Test harness that mirrors production routing (API prefix + gateway).

    ``api_prefix`` left at ``/api`` (the documented default) follows the app's own
    ``api_mount_path``, which is ``/api`` unless configured; any other value wins.
    ``root_mount`` left empty follows the app's public mount (``root_path``, else
    ``streamlit_public_path``), as the runtime does; pass ``"/"`` for no mount.
    Use it as a context manager (or call ``close()``) to run the lifespan shutdown;
    otherwise that happens when the client is garbage-collected or at exit.
    """

    def __init__(
        self, app: FluxLit[Any], api_prefix: str = DEFAULT_API_PREFIX, root_mount: str = ""
    ) -> None:
        self.app = app
        wanted = normalize_api_mount_path(api_prefix)
        self.api_prefix = app.api_prefix if wanted == DEFAULT_API_PREFIX else wanted
        self.root_mount = normalize_root_mount(root_mount or public_mount(app.settings))
        self._held = _Held()
        self._closer = weakref.finalize(self, self._held.close)

    @classmethod
    def from_manifest(cls, project_dir: str | Path = ".") -> FluxLitTestClient:
        """A client for the declarative app in ``project_dir`` (its ``fluxlit.toml``).

        The app is assembled exactly as the generated gateway does it; ``streamlit()``
        with ``target`` set to the manifest path runs the generated entrypoint.
        """
        from fluxlit.runtime.assemble import fluxlit_from_model
        from fluxlit_codegen.project import resolve_app

        resolved = resolve_app(None, Path(project_dir))
        return cls(fluxlit_from_model(resolved.model, resolved.project_root))

    def close(self) -> None:
        """Run the app's lifespan shutdown (a later request starts it again)."""
        self._held.close()

    def __enter__(self) -> FluxLitTestClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _entry_script(self, target: str) -> tuple[str, str | None]:
        """The script for ``target`` and the build folder made for it (manifest targets).

        A manifest target is compiled into a fresh folder, as ``fluxlit compile`` does.
        """
        if Path(target).is_dir():
            raise ConfigurationError(
                f"target {target!r} is a folder; pass its manifest file instead, "
                f"e.g. target={str(Path(target) / 'fluxlit.toml')!r}"
            )
        if not target.endswith(".toml"):
            return str(streamlit_main_path()), None
        from fluxlit_codegen.compile import compile_resolved
        from fluxlit_codegen.project import resolve_app

        resolved = resolve_app(None, Path(target).resolve().parent)
        build = Path(tempfile.mkdtemp(prefix="fluxlit-build-"))
        try:
            compile_resolved(resolved, out_dir=build)
        except BaseException:
            _remove_build(str(build))
            raise
        return str(build / "streamlit_app.py"), str(build)

    # ------------------------------------------------------------------ HTTP
    def _gateway(self, root_mount: str) -> Any:
        """The dispatcher as the runtime builds it, with a 404 stand-in for Streamlit."""
        settings = self.app.settings
        return build_dispatcher(
            self.app.api,
            _no_ui,
            api_prefix=self.api_prefix,
            root_mount=root_mount,
            access_log=settings.enable_gateway_access_log,
            max_request_body_bytes=settings.max_request_body_bytes,
        )

    @property
    def api(self) -> TestClient:
        """HTTP client over the real dispatcher; non-API paths answer 404 (no Streamlit).

        The first use starts the app's lifespan; do not enter it again with ``with``.
        """
        if self._held.api is None:
            client = TestClient(self._gateway(self.root_mount), base_url=PLACEHOLDER_ORIGIN)
            self._held.api = client.__enter__()
        return self._held.api

    def _sibling(self, root_mount: str) -> TestClient:
        """A client for another gateway over the same running app (shared lifespan)."""
        running = self.api
        client = TestClient(self._gateway(root_mount), base_url=PLACEHOLDER_ORIGIN)
        client.portal = running.portal
        client.app_state.update(running.app_state)
        return client

    def with_root_path(self, root_path: str) -> FluxLitTestClient:
        """A client for the same app published under ``root_path`` (e.g. ``/apps/demo``)."""
        return FluxLitTestClient(self.app, api_prefix=self.api_prefix, root_mount=root_path)

    def _request(
        self, method: str, path: str, root_path: str | None, kwargs: dict[str, Any]
    ) -> httpx.Response:
        mount = self.root_mount if root_path is None else normalize_root_mount(root_path)
        prefix = "" if self.api_prefix == "/" else self.api_prefix
        url = mount + prefix + "/" + path.lstrip("/")
        if root_path is None:
            return self.api.request(method, url, **kwargs)
        once = self._sibling(mount)
        try:
            return once.request(method, url, **kwargs)
        finally:
            once.close()

    def api_get(self, path: str, *, root_path: str | None = None, **kwargs: Any) -> httpx.Response:
        """``GET`` relative to the API prefix (optionally under a one-off ``root_path``)."""
        return self._request("GET", path, root_path, kwargs)

    def api_post(self, path: str, *, root_path: str | None = None, **kwargs: Any) -> httpx.Response:
        """``POST`` relative to the API prefix (optionally under a one-off ``root_path``)."""
        return self._request("POST", path, root_path, kwargs)

    def assert_docs_available(self, *, root_path: str | None = None) -> None:
        """Assert that OpenAPI JSON and Swagger UI are served through the gateway."""
        openapi_url = self.app.api.openapi_url
        docs_url = self.app.api.docs_url
        disabled = [
            f"{what} is disabled (FastAPI {setting}=None)"
            for what, setting, url in (
                ("OpenAPI", "openapi_url", openapi_url),
                ("Swagger UI", "docs_url", docs_url),
            )
            if not url
        ]
        if not openapi_url or not docs_url:
            raise AssertionError(" and ".join(disabled))
        response = self.api_get(openapi_url, root_path=root_path)
        if response.status_code != 200:
            raise AssertionError(f"GET {openapi_url} returned {response.status_code}")
        try:
            schema = response.json()
        except ValueError:
            raise AssertionError(f"{openapi_url} did not return JSON") from None
        if not isinstance(schema, dict) or "openapi" not in schema or "paths" not in schema:
            raise AssertionError(f"{openapi_url} is not an OpenAPI document")
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
        page_key: str = DEEP_LINK_KEY,
    ) -> Iterator[None]:
        base = internal_api_base or self.internal_api_base()
        env = {
            "FLUXLIT_APP": target,
            "FLUXLIT_INTERNAL_API_BASE": base,
            "FLUXLIT_API_PREFIX": self.api_prefix,
            "FLUXLIT_TESTS": "1",
            "FLUXLIT_TEST_PAGE_OVERRIDES": json.dumps(dict(page_overrides or {})),
            PAGE_KEY_ENV: page_key,
        }
        if extra_sys_path is not None:
            env["FLUXLIT_EXTRA_SYS_PATH"] = str(extra_sys_path)
        if not internal_api_base:
            self.api  # noqa: B018 -- pages call a running app: start its lifespan first
        saved_env = {key: os.environ.get(key) for key in env}
        saved_path = list(sys.path)
        os.environ.update(env)
        if extra_sys_path is not None and str(extra_sys_path) not in sys.path:
            sys.path.insert(0, str(extra_sys_path))
        origin = httpx.URL(base)

        def factory(base_url: str, timeout: float) -> httpx.Client:
            if httpx.URL(base_url).host == origin.host and not internal_api_base:
                return self._sibling("")
            return httpx.Client(timeout=timeout)

        restore = set_client_factory(factory)
        try:
            yield
        finally:
            restore()
            for key, value in saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            # The entry script also prepends the project folder; undo all of it.
            sys.path[:] = saved_path

    def patched_environment(
        self,
        *,
        target: str,
        internal_api_base: str | None = None,
        extra_sys_path: str | Path | None = None,
        page_overrides: Mapping[str, Any] | None = None,
        page_key: str = DEEP_LINK_KEY,
    ) -> contextlib.AbstractContextManager[None]:
        """The patch ``streamlit()`` applies, for your own ``at.run()`` calls.

        ``AppTest.run`` does not keep the ``FLUXLIT_*`` environment by itself; wrap
        widget interactions in ``with client.patched_environment(target=...):``.
        """
        return self._patched(target, internal_api_base, extra_sys_path, page_overrides, page_key)

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
        page's ``ApiClient`` reaches this client's app in process. For a manifest
        target (its ``fluxlit.toml``) the generated entrypoint runs; its build folder
        is removed when the returned ``AppTest`` is garbage-collected.
        """
        from streamlit import config
        from streamlit.testing.v1 import AppTest

        # Tests want the real error, even after a production app was built in this
        # process (which hides error details in Streamlit's process-wide config).
        config.set_option("client.showErrorDetails", "full")
        script, build = self._entry_script(target)
        at = AppTest.from_file(script, default_timeout=30)
        if build is not None:
            weakref.finalize(at, _remove_build, build)
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
        page_key: str = DEEP_LINK_KEY,
        page_overrides: dict[str, Any] | None = None,
    ) -> AppTest:
        """Set ``?page=`` (or ``?{page_key}=``) and run again with the ``streamlit`` patch.

        The entrypoint is told to read deep links from ``page_key`` for this run.
        """
        at.query_params[page_key] = page
        with self._patched(target, internal_api_base, extra_sys_path, page_overrides, page_key):
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
    page_key: str = DEEP_LINK_KEY,
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
