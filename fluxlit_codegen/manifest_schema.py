"""The shape of ``fluxlit.toml``: pydantic models used for validation and the JSON Schema."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
HANDLER_PATTERN = rf"^{_DOTTED}:{_DOTTED}$"


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PageMetaTable(_Table):
    """``st.set_page_config`` fields for one page, plus breadcrumbs."""

    page_title: str | None = None
    page_icon: str | None = None
    layout: Literal["centered", "wide"] | None = None
    initial_sidebar_state: Literal["auto", "expanded", "collapsed"] | None = None
    description: str | None = None
    breadcrumbs: list[str] | None = None


class PageTable(_Table):
    """A ``[[pages]]`` entry: a handler function or a plain Streamlit script."""

    path: str = Field(description="URL path of the page, e.g. '/' or '/reports'.")
    title: str | None = Field(
        default=None, description="Navigation title (default: from the path)."
    )
    handler: str | None = Field(default=None, description="'module:function' taking (st, client).")
    script: str | None = Field(default=None, description="A Streamlit script file, relative path.")
    icon: str | None = None
    tags: list[str] = Field(default_factory=list)
    page_meta: PageMetaTable | None = None


class RouteAuthTable(_Table):
    """What a protected route requires beyond a valid token."""

    roles: list[str] = Field(default_factory=list, description="At least one of these roles.")
    scopes: list[str] = Field(default_factory=list, description="Every one of these scopes.")


def _default_methods() -> list[HttpMethod]:
    return ["GET"]


class RouteTable(_Table):
    """A ``[[routes]]`` entry, served under the API prefix."""

    path: str
    handler: str = Field(description="'module:function' (a FastAPI endpoint function).")
    methods: list[HttpMethod] = Field(default_factory=_default_methods)
    name: str | None = None
    summary: str | None = None
    tags: list[str] = Field(default_factory=list)
    auth: bool | RouteAuthTable | None = Field(
        default=None, description="true, or { roles = [...], scopes = [...] }"
    )
    include_in_schema: bool = True


class MountTable(_Table):
    """A ``[[mounts]]`` entry under the API prefix: an ASGI app or a static folder."""

    path: str
    app: str | None = Field(default=None, description="'module:attribute' of an ASGI app.")
    static: str | None = Field(default=None, description="A folder of static files.")
    html: bool = False


class NavigationTable(_Table):
    """Sidebar order by page path."""

    order: list[str] = Field(default_factory=list)


class JWTTable(_Table):
    """``[auth.jwt]``: bearer tokens; the HS256 secret is named by an environment variable."""

    issuer: str
    audience: str
    algorithms: list[str] = Field(default_factory=lambda: ["HS256"])
    jwks_url: str | None = None
    hs256_secret_env: str | None = None
    leeway_seconds: int = Field(default=0, ge=0)
    roles_claim: str = "roles"
    scope_claim: str = "scope"


class OIDCTable(_Table):
    """``[auth.oidc]``: backend-for-frontend login; secrets named by environment variables."""

    issuer: str
    client_id: str
    client_secret_env: str
    bff_secret_env: str = "FLUXLIT_OIDC_BFF_SECRET"
    scope: str = "openid profile email"
    public_base_url: str = ""
    streamlit_redirect_path: str = "/"


class AuthTable(_Table):
    """``[auth]``."""

    jwt: JWTTable | None = None
    oidc: OIDCTable | None = None


class SessionStoreTable(_Table):
    """``[session_store]``: where URL-bound sessions live."""

    kind: Literal["memory", "redis"] = "memory"
    url_env: str | None = Field(
        default=None, description="Environment variable with the Redis URL."
    )
    ttl_seconds: float | None = Field(default=86400.0, ge=0)
    param: str = "fluxlit_sid"


class ManifestModel(_Table):
    """The whole ``fluxlit.toml`` (or ``[tool.fluxlit]`` in ``pyproject.toml``)."""

    target: str | None = Field(default=None, description="'module:attr' of a Python FluxLit app.")
    gateway_host: str | None = None
    gateway_port: int | None = Field(default=None, ge=1, le=65535)
    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] | None = None
    api_mount_path: str | None = None
    root_path: str | None = None
    title: str | None = None
    settings: dict[str, Any] = Field(
        default_factory=dict, description="Non-secret FluxlitSettings fields."
    )
    pages: list[PageTable] = Field(default_factory=list)
    navigation: NavigationTable | None = None
    routes: list[RouteTable] = Field(default_factory=list)
    mounts: list[MountTable] = Field(default_factory=list)
    auth: AuthTable | None = None
    session_store: SessionStoreTable | None = None
