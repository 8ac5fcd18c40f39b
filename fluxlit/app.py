"""The FluxLit application object: a FastAPI app (``.api``) plus Streamlit pages."""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, Literal, Self, TypeVar

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import JsonValue
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from fluxlit.api_routes import app_routes
from fluxlit.client import ApiClient
from fluxlit.config.settings import (
    SECRET_SETTINGS,
    FluxlitSettings,
    load_settings,
    project_settings,
)
from fluxlit.errors import ConfigurationError, UsageError
from fluxlit.logging.access import RequestLoggingMiddleware
from fluxlit.model import (
    AppModel,
    AuthModel,
    HandlerRef,
    JWTModel,
    MountModel,
    NavigationModel,
    RouteModel,
    SessionStoreModel,
)
from fluxlit.pages.manifest import build_page_manifest as _build_page_manifest
from fluxlit.pages.meta import PageMeta
from fluxlit.pages.navigation import NavigationOrder
from fluxlit.pages.registry import (
    PageRegistration,
    UnknownPageError,
    handler_ref,
    normalize_page_path,
    sort_pages,
    title_from_name,
)
from fluxlit.paths import normalize_api_prefix, normalize_public_mount
from fluxlit.security import apply_http_hardening
from fluxlit.urls import FluxLitPublicUrls

if TYPE_CHECKING:
    from fastapi import APIRouter
    from starlette.types import ASGIApp

    from fluxlit.auth.jwt import JWTBearer
    from fluxlit.auth.oidc import OIDCProvider
    from fluxlit.url_session import SessionStore

SettingsT = TypeVar("SettingsT", bound=FluxlitSettings)
ReadinessCheck = Callable[[], Awaitable[tuple[bool, str]]]
PageHandler = Callable[..., Any]

_RESERVED_FASTAPI_KWARGS = ("title", "root_path")


class _KeepDeeperRootPath(dict[str, Any]):
    """An ASGI scope that refuses to shorten a ``root_path`` it already has.

    FastAPI overwrites ``scope["root_path"]`` with its own ``root_path`` on every call.
    Behind the gateway the scope already holds the longer public prefix (mount plus
    API prefix), which must win so docs, OpenAPI and redirects keep that prefix.
    """

    def __setitem__(self, key: str, value: Any) -> None:
        if key == "root_path" and isinstance(value, str):
            current = self.get("root_path") or ""
            if current.startswith(value.rstrip("/") + "/"):
                return
        super().__setitem__(key, value)


class _FluxLitFastAPI(FastAPI):
    """``FastAPI`` whose ``root_path`` (from settings) yields to a deeper one already set.

    Served on its own (``uvicorn app:app.api``, ``TestClient(app.api)``) it behaves like
    FastAPI. Served by the gateway, whose scope ``root_path`` is the mount plus the API
    prefix, that value is kept instead of being cut back to the mount.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        own = self.root_path
        if own and (scope.get("root_path") or "").startswith(own.rstrip("/") + "/"):
            scope = _KeepDeeperRootPath(scope)
        await super().__call__(scope, receive, send)


class FluxLit(Generic[SettingsT]):
    """Combine a FastAPI application and registered Streamlit pages in one object.

    ``api`` carries HTTP routes (served under ``api_mount_path`` by the gateway);
    ``page`` / ``discover_pages`` register Streamlit UI; ``urls`` builds browser links.
    ``GET /healthz`` (liveness) and ``GET /readyz`` (readiness) are registered on ``api``
    and hidden from OpenAPI. The object is an ASGI app too: ``uvicorn app:app`` serves
    API and UI on one port.
    """

    def __init__(
        self,
        *,
        title: str | None = None,
        settings: SettingsT | None = None,
        import_target: str | None = None,
        fastapi_kwargs: dict[str, Any] | None = None,
        streamlit_run_args: Sequence[str] | None = None,
        streamlit_page_config: dict[str, JsonValue] | None = None,
        session_store: SessionStore | None = None,
    ) -> None:
        base: Any = settings if settings is not None else load_settings()
        updates: dict[str, Any] = {}
        if title is not None:
            updates["title"] = title
        if streamlit_run_args:
            updates["streamlit_run_cli_args"] = [
                *base.streamlit_run_cli_args,
                *streamlit_run_args,
            ]
        if streamlit_page_config:
            updates["streamlit_page_config"] = {
                **base.streamlit_page_config,
                **streamlit_page_config,
            }
        self.settings: SettingsT = base.model_copy(update=updates) if updates else base
        self.import_target = import_target
        self.session_store = session_store
        self._pages: list[PageRegistration] = []
        self._navigation = NavigationOrder()
        self._oidc_router: APIRouter | None = None
        self._jwt_bearer: JWTBearer | None = None
        self._readiness_check: ReadinessCheck | None = None
        self._asgi: ASGIApp | None = None
        self.api = self._create_api(fastapi_kwargs or {})

    # ------------------------------------------------------------------ API
    def _create_api(self, fastapi_kwargs: Mapping[str, Any]) -> FastAPI:
        kwargs = {k: v for k, v in fastapi_kwargs.items() if k not in _RESERVED_FASTAPI_KWARGS}
        api = _FluxLitFastAPI(title=self.settings.title, **kwargs)
        # Set as an attribute: FastAPI deprecates the ``root_path=`` argument (it warns)
        # but still honours the attribute, which is what the reference documents.
        api.root_path = self.settings.root_path
        apply_http_hardening(api, self.settings)
        if self.settings.enable_request_logging:
            api.add_middleware(RequestLoggingMiddleware)
        api.add_api_route("/healthz", self._healthz, methods=["GET"], include_in_schema=False)
        api.add_api_route("/readyz", self._readyz, methods=["GET"], include_in_schema=False)
        return api

    @property
    def api_prefix(self) -> str:
        """The public URL prefix of the API (``api_mount_path``, normalised)."""
        return normalize_api_prefix(self.settings.api_mount_path)

    @property
    def api_root_path(self) -> str:
        """ASGI ``root_path`` the gateway gives ``api``: public mount plus API prefix."""
        mount = normalize_public_mount(
            self.settings.root_path or self.settings.streamlit_public_path
        )
        prefix = self.api_prefix
        return mount + ("" if prefix == "/" else prefix)

    async def _healthz(self) -> dict[str, str]:
        return {"status": "ok"}

    async def _readyz(self) -> JSONResponse:
        ok, detail = await self._check_ready()
        status = "ready" if ok else "not_ready"
        return JSONResponse({"status": status, "detail": detail}, status_code=200 if ok else 503)

    async def _check_ready(self) -> tuple[bool, str]:
        if self._readiness_check is not None:
            return await self._readiness_check()
        from fluxlit.health import probe_streamlit_ready

        return await probe_streamlit_ready(settings=self.settings)

    def set_readiness_check(self, check: ReadinessCheck | None) -> None:
        """Replace how ``/readyz`` decides readiness (the runtime installs its own)."""
        self._readiness_check = check

    # ---------------------------------------------------------------- pages
    def page(
        self,
        path: str,
        *,
        title: str | None = None,
        icon: str | None = None,
        tags: Sequence[str] | None = None,
        page_meta: PageMeta | None = None,
    ) -> Callable[[PageHandler], PageHandler]:
        """Decorator registering a Streamlit page at a URL path.

        The handler takes ``(st, client)`` plus optional injected parameters; the
        decorator returns it unchanged. A second page at the same path is an error.
        """
        normalized = normalize_page_path(path)

        def register(fn: PageHandler) -> PageHandler:
            if not callable(fn):
                raise UsageError(f"page {normalized!r}: handler must be callable")
            if any(p.path == normalized for p in self._pages):
                raise ConfigurationError(
                    f"a page is already registered at {normalized!r}; use a different path"
                )
            resolved_icon = (
                icon if icon is not None else (page_meta.page_icon if page_meta else None)
            )
            self._pages.append(
                PageRegistration(
                    path=normalized,
                    title=title or title_from_name(getattr(fn, "__name__", "page")),
                    handler=fn,
                    icon=resolved_icon,
                    tags=tuple(tags or ()),
                    page_meta=page_meta,
                )
            )
            return fn

        return register

    @property
    def pages(self) -> list[tuple[str, str, Callable[..., Any]]]:
        """``(path, title, handler)`` tuples in registration order."""
        return [(p.path, p.title, p.handler) for p in self._pages]

    def page_entries(self) -> list[PageRegistration]:
        """Full registrations (icon, tags, page_meta) in navigation order."""
        return self._navigation.apply(list(self._pages), lambda p: p.path)

    def page_handler(self, key: str) -> Callable[..., Any]:
        """Return the handler registered at path ``key`` (a registry ``HandlerRef``)."""
        for registration in self._pages:
            if registration.path == key:
                return registration.handler
        raise UnknownPageError(f"no page registered at {key!r}")

    def navigation_order(self, *paths: str) -> Self:
        """Set optional sidebar ordering for registered pages (by URL path)."""
        self._navigation = NavigationOrder(paths)
        return self

    def navigation(self, model: NavigationModel | NavigationOrder) -> Self:
        """Set the sidebar order from ``NavigationModel(order=(...))`` (or a ``NavigationOrder``).

        Same as ``navigation_order(*model.order)``; paths not registered are ignored.
        """
        paths = model.paths if isinstance(model, NavigationOrder) else model.order
        return self.navigation_order(*paths)

    def discover_pages(self, directory: str, *, package: str | ModuleType) -> Self:
        """Import every module of ``{package}.{directory}`` and call its ``register(app)``.

        Skips subpackages and names starting with ``_``. Pages are then sorted by
        ``(path, title)``. A failing ``register`` leaves earlier pages registered.
        """
        base = importlib.import_module(package) if isinstance(package, str) else package
        if not hasattr(base, "__path__"):
            raise UsageError(f"{base.__name__!r} is not a package (it has no __path__)")
        parent = importlib.import_module(f"{base.__name__}.{directory}")
        for info in sorted(pkgutil.iter_modules(parent.__path__), key=lambda i: i.name):
            if info.ispkg or info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{parent.__name__}.{info.name}")
            register = getattr(module, "register", None)
            if callable(register):
                register(self)
        self._pages = sort_pages(self._pages)
        return self

    def build_page_manifest(self, *, version: int = 1) -> dict[str, Any]:
        """JSON page manifest; see ``fluxlit.pages.manifest.build_page_manifest``."""
        model = self.model()
        return _build_page_manifest(
            model.pages,
            version=version,
            title=model.title,
            api_prefix=self.api_prefix,
            navigation=model.navigation,
        )

    # ---------------------------------------------------------------- model
    def model(self, *, target: str | None = None) -> AppModel:
        """Describe this app in the IR that the compiler renders.

        ``target`` (``module:attr``) names this object so registry handler references
        can be resolved later; it defaults to ``import_target``.
        """
        return AppModel(
            source=f"python:{target or self.import_target or ''}",
            target=target or self.import_target,
            title=self.settings.title,
            pages=tuple(p.to_model() for p in self._pages),
            navigation=NavigationModel(order=self._navigation.paths),
            routes=tuple(self._route_models()),
            mounts=tuple(self._mount_models()),
            settings=self._settings_overrides(),
            auth=self._auth_model(),
            session_store=self._session_store_model(),
        )

    def _settings_overrides(self) -> dict[str, JsonValue]:
        """Non-secret settings this object changed, as a manifest's ``[settings]`` would.

        Compared with ``FluxlitSettings()`` read now without the project file, so values
        that only come from the environment are left out, like in a manifest app, and the
        project file's settings are kept (the generated gateway installs them again);
        secrets never appear.
        """
        mine = self.settings.model_dump(mode="json")
        with project_settings({}):
            baseline = FluxlitSettings().model_dump(mode="json")
        return {
            key: mine[key]
            for key in FluxlitSettings.model_fields
            if key not in SECRET_SETTINGS and mine[key] != baseline[key]
        }

    def _auth_model(self) -> AuthModel | None:
        """JWT validation set up with ``make_jwt_bearer`` (secrets named by variable)."""
        if self._jwt_bearer is None:
            return None
        config = self._jwt_bearer.config
        return AuthModel(
            jwt=JWTModel(
                issuer=config.issuer,
                audience=config.audience,
                # As declared: none listed means "the default for the key type".
                algorithms=tuple(self.settings.jwt_algorithms) or None,
                jwks_url=config.jwks_url,
                hs256_secret_env="FLUXLIT_JWT_HS256_SECRET" if config.hs256_secret else None,
                leeway_seconds=config.leeway_seconds,
                jwks_cache_ttl_seconds=config.jwks_cache_ttl_seconds,
            )
        )

    def _session_store_model(self) -> SessionStoreModel | None:
        """The ``session_store=`` passed in, when the IR can name its kind."""
        store = self.session_store
        if store is None:
            return None
        from fluxlit.url_session import InMemorySessionStore

        kind: Literal["memory", "redis"]
        if isinstance(store, InMemorySessionStore):
            kind = "memory"
        else:
            from fluxlit.redis_store import RedisSessionStore

            if not isinstance(store, RedisSessionStore):
                return None
            kind = "redis"
        return SessionStoreModel(
            kind=kind,
            url_env="FLUXLIT_REDIS_URL" if kind == "redis" else None,
            ttl_seconds=store.default_ttl_seconds,
            param=self.settings.session_param,
        )

    def _route_models(self) -> list[RouteModel]:
        models = []
        for route in app_routes(self.api):
            if not isinstance(route.declared, APIRoute) or not route.served.include_in_schema:
                continue
            methods = tuple(sorted(route.methods))
            key = f"{','.join(methods)} {route.path}"
            models.append(
                RouteModel(
                    path=route.path,
                    handler=handler_ref(route.served.endpoint, registry_key=key),
                    methods=methods,
                    summary=route.served.summary,
                    tags=tuple(str(t) for t in route.served.tags or ()),
                )
            )
        return models

    def _mount_models(self) -> list[MountModel]:
        return [
            MountModel(path=route.path, app=HandlerRef(kind="registry", value=route.path))
            for route in app_routes(self.api)
            if isinstance(route.declared, Mount)
        ]

    # ------------------------------------------------------------- helpers
    @property
    def urls(self) -> FluxLitPublicUrls:
        """Browser-visible URL helpers for this app (app root vs ``api_mount_path``)."""
        return FluxLitPublicUrls(self)

    def get_client(self) -> ApiClient:
        """Return an ``ApiClient`` for server-side calls to this app's API.

        Uses ``FLUXLIT_INTERNAL_API_BASE`` when set (the runtime sets it); in debug
        mode the client forwards ``X-Request-ID`` for log correlation.
        """
        base = os.environ.get("FLUXLIT_INTERNAL_API_BASE") or self.settings.internal_api_base
        return ApiClient(base_url=base or None, propagate_request_id=self.settings.debug)

    def make_jwt_bearer(self) -> JWTBearer:
        """Build a ``JWTBearer`` from ``FLUXLIT_JWT_*`` settings (needs ``fluxlit[auth]``)."""
        from fluxlit.auth.jwt import JWTBearer

        bearer = JWTBearer.from_fluxlit_settings(self.settings)
        self._jwt_bearer = bearer
        return bearer

    def attach_oidc_login(
        self,
        oidc: OIDCProvider,
        *,
        first_party_secret: str | None = None,
        **bff_overrides: Any,
    ) -> APIRouter:
        """Register OIDC login, callback and token-exchange routes on ``api`` (once).

        The first-party signing secret comes from ``first_party_secret`` or
        ``FLUXLIT_OIDC_BFF_SECRET``; redirects use ``FLUXLIT_PUBLIC_BASE_URL`` unless
        ``public_base_url=`` is passed.
        """
        if self._oidc_router is not None:
            raise ConfigurationError(
                "attach_oidc_login() was already called on this FluxLit instance; "
                "call it once (its auth routes would be registered twice)"
            )
        secret = first_party_secret or self.settings.oidc_bff_secret
        if not secret:
            raise ConfigurationError(
                "OIDC login needs a first-party signing secret: set FLUXLIT_OIDC_BFF_SECRET "
                "or pass first_party_secret="
            )
        public_base_url = (
            bff_overrides.pop("public_base_url", None) or self.settings.public_base_url
        )
        if not public_base_url:
            raise ConfigurationError(
                "OIDC login needs the public origin for redirects: set FLUXLIT_PUBLIC_BASE_URL "
                "(e.g. https://app.example.com) or pass public_base_url="
            )
        from fluxlit.auth.oidc import OIDCBFFConfig, register_oidc_bff_routes

        config = OIDCBFFConfig(
            oidc=oidc,
            first_party_secret=secret,
            public_base_url=public_base_url,
            **bff_overrides,
        )
        self._oidc_router = register_oidc_bff_routes(self.api, config)
        return self._oidc_router

    # ----------------------------------------------------------------- ASGI
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve API and UI on one port (``uvicorn module:app``)."""
        if self._asgi is None:
            from fluxlit.runtime import asgi_from_fluxlit, resolve_import_target_for_unified

            self._asgi = asgi_from_fluxlit(self, resolve_import_target_for_unified(self))
        await self._asgi(scope, receive, send)
