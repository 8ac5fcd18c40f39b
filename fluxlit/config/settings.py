"""Runtime settings read from ``FLUXLIT_*`` environment variables and ``.env``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, JsonValue, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as PydanticSettingsError

from fluxlit.config.settings_errors import settings_error

RuntimeMode = Literal["auto", "inprocess", "sidecar"]
SECRET_SETTINGS = frozenset({"jwt_hs256_secret", "oidc_bff_secret", "redis_url"})
"""Fields holding secrets: only the environment sets them; the app model never carries them."""


class FluxlitSettings(BaseSettings):
    """Runtime configuration for FluxLit, CLI defaults and FastAPI construction.

    Every field maps to ``FLUXLIT_<FIELD>`` (case-insensitive); a ``.env`` file in the
    working directory is read too. Unknown keys are ignored.
    """

    model_config = SettingsConfigDict(
        env_prefix="FLUXLIT_",
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        extra="ignore",
        arbitrary_types_allowed=True,
        validate_default=True,
    )

    # Identity and binding
    title: str = "FluxLit"
    debug: bool = False
    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=8000, ge=0, le=65535)
    log_level: str = "info"

    # Public URL layout
    api_mount_path: str = "/api"
    root_path: str = ""
    streamlit_public_path: str = ""
    public_base_url: str = ""
    internal_api_base: str = ""

    # Runtime
    runtime_mode: RuntimeMode = "auto"
    streamlit_ready_timeout_s: float = Field(default=30.0, gt=0)
    restart_streamlit_on_exit: bool = False
    shutdown_grace_s: float = Field(default=10.0, ge=0)

    # Logging
    enable_request_logging: bool = False
    enable_gateway_access_log: bool = False
    json_logs: bool = False

    # Proxy trust
    trust_proxy: bool = False
    forwarded_allow_ips: str | None = None

    # Streamlit
    streamlit_run_cli_args: list[str] = Field(default_factory=list)
    streamlit_page_config: dict[str, JsonValue] = Field(default_factory=dict)

    # HTTP hardening
    cors_allow_origins: list[str] = Field(default_factory=list)
    cors_middleware_kwargs: dict[str, Any] = Field(default_factory=dict)
    security_headers: bool = False
    max_request_body_bytes: int = Field(default=0, ge=0)

    # Sidecar gateway tuning (mirrors fluxlit.gateway.GatewayProxyOptions)
    proxy_connect_timeout: float = Field(default=30.0, gt=0)
    proxy_read_timeout: float = Field(default=120.0, gt=0)
    max_proxy_body_bytes: int = Field(default=0, ge=0)
    max_concurrent_upstream_http: int = Field(default=0, ge=0)
    httpx_max_connections: int = Field(default=0, ge=0)
    httpx_max_keepalive_connections: int = Field(default=0, ge=0)
    ws_open_timeout_s: float = Field(default=30.0, gt=0)
    ws_ping_interval_s: float | None = None
    ws_ping_timeout_s: float | None = None
    ws_close_timeout_s: float | None = None
    ws_max_message_bytes: int | None = None
    forward_client_headers_http: list[str] = Field(default_factory=list)

    # JWT (fluxlit[auth])
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_hs256_secret: str | None = None
    jwt_jwks_url: str | None = None
    jwt_algorithms: list[str] = Field(default_factory=list)
    jwt_leeway_seconds: int = Field(default=0, ge=0)

    # OIDC backend-for-frontend
    oidc_bff_secret: str | None = None

    # URL sessions
    session_param: str = "fluxlit_sid"
    redis_url: str | None = None

    # Experimental (see docs/support-matrix.md)
    experimental_yield_pages: bool = False
    async_page_depends: bool = False


def load_settings(**values: Any) -> FluxlitSettings:
    """``FluxlitSettings`` from the environment and ``.env``, with ``values`` on top.

    A bad value raises ``SettingsError`` (a ``UserError``) with one line per bad
    variable, e.g. ``FLUXLIT_GATEWAY_PORT: not an integer ('abc')``.
    """
    try:
        return FluxlitSettings(**values)
    except (ValidationError, PydanticSettingsError) as exc:
        raise settings_error(exc) from exc
