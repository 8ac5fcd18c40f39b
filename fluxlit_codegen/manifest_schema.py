"""The shape of ``fluxlit.toml``: pydantic models used for validation and the JSON Schema.

Field descriptions come from the attribute docstrings below and appear in editors.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fluxlit.config.settings import SECRET_SETTINGS, FluxlitSettings
from fluxlit.paths import URL_PATH_PATTERN

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
HANDLER_PATTERN = rf"^{_DOTTED}:{_DOTTED}$"
PUBLIC_SETTINGS = tuple(sorted(set(FluxlitSettings.model_fields) - SECRET_SETTINGS))


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, use_attribute_docstrings=True)


class PageMetaTable(_Table):
    """``[pages.page_meta]``: ``st.set_page_config`` fields for one page, plus breadcrumbs."""

    page_title: str | None = None
    """Browser tab title (default: the page title)."""
    page_icon: str | None = None
    """Browser tab icon: an emoji or ``:material/name:``."""
    layout: Literal["centered", "wide"] | None = None
    """Page width."""
    initial_sidebar_state: Literal["auto", "expanded", "collapsed"] | None = None
    """Whether the sidebar starts open."""
    menu_items: dict[str, str | None] | None = None
    """Streamlit's app menu entries: 'Get help', 'Report a bug' (URLs) and 'About' (Markdown)."""
    description: str | None = None
    """A short description shown by page listings."""
    breadcrumbs: list[str] | None = None
    """Page paths leading to this page, outermost first."""


class PageTable(_Table):
    """A ``[[pages]]`` entry: a handler function or a plain Streamlit script."""

    path: str
    """URL path of the page, starting with '/', e.g. '/' or '/reports'."""
    title: str | None = None
    """Navigation title (default: derived from the path)."""
    handler: str | None = Field(default=None, json_schema_extra={"pattern": HANDLER_PATTERN})
    """'module:function' taking (st, client, ...). Give this or script."""
    script: str | None = None
    """A plain Streamlit script file, relative to the project root. Give this or handler."""
    icon: str | None = None
    """Navigation icon: an emoji or ':material/name:'."""
    tags: list[str] = Field(default_factory=list)
    """Free-form labels for grouping pages."""
    page_meta: PageMetaTable | None = None
    """Per-page Streamlit page configuration."""


class RouteAuthTable(_Table):
    """What a protected route requires beyond a valid bearer token."""

    roles: list[str] = Field(default_factory=list)
    """The token must carry at least one of these roles."""
    scopes: list[str] = Field(default_factory=list)
    """The token must carry every one of these scopes."""


def _default_methods() -> list[HttpMethod]:
    return ["GET"]


class RouteTable(_Table):
    """A ``[[routes]]`` entry, served under the API prefix."""

    path: str
    """Path under the API prefix, starting with '/'; may hold {parameters}."""
    handler: str = Field(json_schema_extra={"pattern": HANDLER_PATTERN})
    """'module:function' of the endpoint function (FastAPI rules apply to its parameters)."""
    methods: list[HttpMethod] = Field(default_factory=_default_methods)
    """HTTP methods the route answers."""
    name: str | None = None
    """Route name for url_path_for (default: the function name)."""
    summary: str | None = None
    """One-line summary in the OpenAPI document."""
    tags: list[str] = Field(default_factory=list)
    """OpenAPI tags."""
    auth: bool | RouteAuthTable | None = None
    """true for any valid token, or a table of roles and scopes; needs [auth.jwt]."""
    include_in_schema: bool = True
    """Whether the route appears in the OpenAPI document."""


class MountTable(_Table):
    """A ``[[mounts]]`` entry under the API prefix: an ASGI app or a static folder."""

    path: str
    """Path under the API prefix, starting with '/'; '/' mounts at the prefix itself."""
    app: str | None = Field(default=None, json_schema_extra={"pattern": HANDLER_PATTERN})
    """'module:attribute' of an existing ASGI app (FastAPI, Starlette). Give this or static."""
    static: str | None = None
    """A folder of static files, relative to the project root. Give this or app."""
    html: bool = False
    """Static folders only: serve index.html for directories."""


class NavigationTable(_Table):
    """``[navigation]``: sidebar order."""

    order: list[str] = Field(default_factory=list)
    """Page paths in sidebar order; pages not listed follow in declaration order."""


class JWTTable(_Table):
    """``[auth.jwt]``: bearer tokens; the HS256 secret is named by an environment variable."""

    issuer: str
    """Expected 'iss' claim."""
    audience: str
    """Expected 'aud' claim."""
    algorithms: list[str] | None = Field(default=None, min_length=1)
    """Accepted signing algorithms (default: RS256 and ES256 with jwks_url, else HS256)."""
    jwks_url: str | None = None
    """URL of the issuer's JSON Web Key Set (for RS/ES algorithms)."""
    hs256_secret_env: str | None = None
    """Name of the environment variable holding the HS256 secret."""
    leeway_seconds: int = Field(default=0, ge=0)
    """Clock skew tolerated on exp/nbf/iat, in seconds."""
    jwks_cache_ttl_seconds: float = Field(default=300.0, gt=0)
    """How long keys fetched from jwks_url are trusted before the set is fetched again."""
    roles_claim: str = "roles"
    """Claim holding the user's roles."""
    scope_claim: str = "scope"
    """Claim holding the token's scopes (space-separated or a list)."""


class OIDCTable(_Table):
    """``[auth.oidc]``: backend-for-frontend login; secrets named by environment variables."""

    issuer: str
    """OpenID provider issuer URL (discovery is read from it)."""
    client_id: str
    """OAuth client id registered with the provider."""
    client_secret_env: str
    """Name of the environment variable holding the client secret."""
    bff_secret_env: str = "FLUXLIT_OIDC_BFF_SECRET"
    """Name of the environment variable holding the key that signs FluxLit's own tokens."""
    scope: str = "openid profile email"
    """Scopes requested at login."""
    public_base_url: str = ""
    """Public origin for callback and landing URLs (required unless FLUXLIT_PUBLIC_BASE_URL)."""
    streamlit_redirect_path: str = "/"
    """Page path the user lands on after login."""


class AuthTable(_Table):
    """``[auth]``: how the app authenticates."""

    jwt: JWTTable | None = None
    """Bearer-token validation for API routes."""
    oidc: OIDCTable | None = None
    """Browser login through an OpenID provider."""


class SessionStoreTable(_Table):
    """``[session_store]``: where URL-bound sessions live."""

    kind: Literal["memory", "redis"] = "memory"
    """'memory' (one process) or 'redis' (shared across replicas)."""
    url_env: str | None = None
    """Name of the environment variable holding the Redis URL (required for redis)."""
    ttl_seconds: float | None = Field(default=86400.0, ge=0)
    """How long an idle session lives, in seconds."""
    param: str = "fluxlit_sid"
    """Query parameter carrying the session id."""


class ManifestModel(_Table):
    """The whole ``fluxlit.toml`` (or ``[tool.fluxlit]`` in ``pyproject.toml``)."""

    target: str | None = None
    """'module:attribute' of a Python FluxLit app."""
    gateway_host: str | None = None
    """Interface the server binds to."""
    gateway_port: int | None = Field(default=None, ge=1, le=65535)
    """Port the server listens on."""
    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] | None = None
    """Server log level."""
    api_mount_path: str | None = Field(
        default=None, json_schema_extra={"pattern": URL_PATH_PATTERN}
    )
    """Prefix of the API (routes and mounts), e.g. '/api'."""
    root_path: str | None = Field(default=None, json_schema_extra={"pattern": URL_PATH_PATTERN})
    """Public path prefix when served behind a proxy under a sub-path."""
    title: str | None = None
    """App title (API docs, default page titles)."""
    settings: dict[str, Any] = Field(
        default_factory=dict,
        json_schema_extra={"propertyNames": {"enum": list(PUBLIC_SETTINGS)}},
    )
    """Any non-secret FluxlitSettings field, e.g. runtime_mode = 'sidecar'."""
    pages: list[PageTable] = Field(default_factory=list)
    """Streamlit pages, in navigation order unless [navigation] says otherwise."""
    navigation: NavigationTable | None = None
    """Sidebar order."""
    routes: list[RouteTable] = Field(default_factory=list)
    """API routes from handler functions."""
    mounts: list[MountTable] = Field(default_factory=list)
    """Existing ASGI apps or static folders under the API prefix."""
    auth: AuthTable | None = None
    """Authentication."""
    session_store: SessionStoreTable | None = None
    """Where URL-bound sessions live."""
