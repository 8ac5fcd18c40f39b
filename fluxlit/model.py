"""The intermediate model (IR) that both the manifest and the Python API produce.

``AppModel`` is plain data: pydantic, JSON-serialisable, versioned. The compiler in
``fluxlit_codegen`` renders generated files from it alone, so every handler is named
by a ``HandlerRef`` (an import reference, a registry key on a Python app, or a script
file), never by a live object.
"""

from __future__ import annotations

import json
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

IR_VERSION: Final = 1

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
GENERATED_KEY = "_generated"
"""JSON has no comments: generated JSON files carry their header under this top-level key."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HandlerRef(_Frozen):
    """Where a handler lives.

    ``import``: ``module:attribute`` (dots allowed in the attribute).
    ``registry``: a key into the pages or routes registered on a Python ``FluxLit`` app.
    ``script``: a plain Streamlit script, path relative to the project root.
    """

    kind: Literal["import", "registry", "script"]
    value: str


class PageModel(_Frozen):
    """One Streamlit page at a URL path."""

    path: str
    title: str
    handler: HandlerRef
    icon: str | None = None
    tags: tuple[str, ...] = ()
    page_meta: dict[str, JsonValue] | None = None


class NavigationModel(_Frozen):
    """Sidebar order by URL path; pages not listed follow in registration order."""

    order: tuple[str, ...] = ()


class AuthRequirement(_Frozen):
    """What a route needs: a valid bearer token, plus any roles (one of) and scopes (all)."""

    roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()


class RouteModel(_Frozen):
    """One API route, served under the API prefix."""

    path: str
    handler: HandlerRef
    methods: tuple[HttpMethod, ...] = ("GET",)
    name: str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    auth: AuthRequirement | None = None
    include_in_schema: bool = True


class MountModel(_Frozen):
    """An existing ASGI app (``app``) or a static folder (``static_dir``) under the API."""

    path: str
    app: HandlerRef | None = None
    static_dir: str | None = None
    html: bool = False


class JWTModel(_Frozen):
    """JWT bearer validation; the HS256 secret is named by an environment variable."""

    issuer: str
    audience: str
    algorithms: tuple[str, ...] | None = None
    """``None``: RS256 and ES256 with ``jwks_url``, else HS256 (as ``make_jwt_bearer``)."""
    jwks_url: str | None = None
    hs256_secret_env: str | None = None
    leeway_seconds: int = 0
    jwks_cache_ttl_seconds: float = 300.0
    roles_claim: str = "roles"
    scope_claim: str = "scope"


class OIDCModel(_Frozen):
    """OIDC backend-for-frontend login; secrets are named by environment variables."""

    issuer: str
    client_id: str
    client_secret_env: str
    bff_secret_env: str = "FLUXLIT_OIDC_BFF_SECRET"
    scope: str = "openid profile email"
    public_base_url: str = ""
    streamlit_redirect_path: str = "/"


class AuthModel(_Frozen):
    """Authentication declared for the app."""

    jwt: JWTModel | None = None
    oidc: OIDCModel | None = None


class SessionStoreModel(_Frozen):
    """Where URL-bound sessions live: process memory or Redis (URL from an env var)."""

    kind: Literal["memory", "redis"] = "memory"
    url_env: str | None = None
    ttl_seconds: float | None = 86400.0
    param: str = "fluxlit_sid"


class AppModel(_Frozen):
    """The whole app: pages, navigation, routes, mounts, auth, session store, settings."""

    ir_version: Literal[1] = 1
    source: str = ""
    target: str | None = None
    title: str = "FluxLit"
    settings: dict[str, JsonValue] = Field(default_factory=dict)
    pages: tuple[PageModel, ...] = ()
    navigation: NavigationModel = NavigationModel()
    routes: tuple[RouteModel, ...] = ()
    mounts: tuple[MountModel, ...] = ()
    auth: AuthModel | None = None
    session_store: SessionStoreModel | None = None

    def to_json(self) -> str:
        """Serialise deterministically (sorted keys, two-space indent, trailing newline)."""
        import json

        return json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> AppModel:
        """Parse what ``to_json`` wrote, or the compiler's ``model.json``.

        A top-level ``GENERATED_KEY`` (the compiler's source/hash header) is ignored.
        """
        data = json.loads(text)
        if isinstance(data, dict):
            data.pop(GENERATED_KEY, None)
        return cls.model_validate(data)
