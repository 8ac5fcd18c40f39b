"""Runtime settings read from ``FLUXLIT_*`` environment variables and ``.env``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import AliasChoices, Field, JsonValue, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings import SettingsError as PydanticSettingsError

from fluxlit.config.settings_errors import settings_error

RuntimeMode = Literal["auto", "inprocess", "sidecar"]
LogFormat = Literal["text", "json"]
SECRET_SETTINGS = frozenset({"jwt_hs256_secret", "metrics_token", "oidc_bff_secret", "redis_url"})
"""Fields holding secrets: only the environment sets them; the app model never carries them."""

_project_layer: dict[str, Any] = {}


@contextlib.contextmanager
def project_settings(values: Mapping[str, Any]) -> Iterator[None]:
    """Make ``values`` (a project file's settings) the lowest layer of every
    ``FluxlitSettings()`` built inside the block, below ``.env`` and the environment.

    The command that resolved the project installs it before importing the app, so
    ``FluxlitSettings()`` in the app's own code sees the project file too.
    """
    global _project_layer
    previous = _project_layer
    _project_layer = {k: v for k, v in values.items() if k not in SECRET_SETTINGS}
    try:
        yield
    finally:
        _project_layer = previous


def current_project_settings() -> dict[str, Any]:
    """The project layer installed by ``project_settings`` (empty outside one)."""
    return dict(_project_layer)


SETTING_ALIASES: dict[str, str] = {
    "enable_security_headers": "security_headers",
    "gateway_connect_timeout": "proxy_connect_timeout",
    "gateway_read_timeout": "proxy_read_timeout",
    "gateway_max_proxy_body_bytes": "max_proxy_body_bytes",
    "gateway_max_concurrent_upstream_http": "max_concurrent_upstream_http",
    "gateway_httpx_max_connections": "httpx_max_connections",
    "gateway_httpx_max_keepalive_connections": "httpx_max_keepalive_connections",
    "gateway_ws_open_timeout_s": "ws_open_timeout_s",
    "gateway_ws_ping_interval_s": "ws_ping_interval_s",
    "gateway_ws_ping_timeout_s": "ws_ping_timeout_s",
    "gateway_ws_close_timeout_s": "ws_close_timeout_s",
    "gateway_ws_max_message_bytes": "ws_max_message_bytes",
    "gateway_forward_client_headers_http": "forward_client_headers_http",
    "url_session_query_param": "session_param",
    "uvicorn_graceful_shutdown_timeout_s": "shutdown_grace_s",
}
"""Spellings of the published fluxlit package, accepted next to ours (alias -> field).

Each works as ``FLUXLIT_<ALIAS>`` and as a keyword of ``FluxlitSettings(...)``. When
both spellings are given, ours wins. docs/settings.md lists them.
"""


def _env_choices(field: str) -> AliasChoices:
    """``FLUXLIT_<FIELD>`` first, then ``FLUXLIT_<ALIAS>`` for each alias of ``field``."""
    names = [field] + [alias for alias, target in SETTING_ALIASES.items() if target == field]
    return AliasChoices(*(f"FLUXLIT_{name.upper()}" for name in names))


class FluxlitSettings(BaseSettings):
    """Runtime configuration for FluxLit, CLI defaults and FastAPI construction.

    Every field maps to ``FLUXLIT_<FIELD>`` (case-insensitive); a ``.env`` file in the
    working directory is read too. Unknown keys are ignored. The published package's
    spellings in ``SETTING_ALIASES`` are accepted too (ours win when both are given).
    Precedence, highest first: values passed in code, the environment, ``.env``, the
    project file (when a command installed it with ``project_settings``), the defaults.
    """

    model_config = SettingsConfigDict(
        env_prefix="FLUXLIT_",
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        extra="ignore",
        arbitrary_types_allowed=True,
        validate_default=True,
        validate_by_name=True,
        validate_by_alias=True,
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        project = InitSettingsSource(settings_cls, init_kwargs=current_project_settings())
        return init_settings, env_settings, dotenv_settings, file_secret_settings, project

    @model_validator(mode="before")
    @classmethod
    def _accept_aliases(cls, data: Any) -> Any:
        """Keyword aliases (``enable_security_headers=True``) set their field.

        Only keywords arrive here under an alias's bare name (the environment and
        ``.env`` arrive under ``FLUXLIT_*`` names), so they beat those sources, as a
        keyword does; our own spelling, when also given, wins.
        """
        if not isinstance(data, dict) or not SETTING_ALIASES.keys() & data.keys():
            return data
        data = dict(data)
        for alias, field in SETTING_ALIASES.items():
            if alias not in data:
                continue
            value = data.pop(alias)
            if field not in data:
                data[field] = value
            for env_name in _env_choices(field).choices:
                data.pop(env_name, None)
        return data

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
    shutdown_grace_s: float = Field(10.0, ge=0, validation_alias=_env_choices("shutdown_grace_s"))
    strict_startup: bool = False
    """``fluxlit run|dev|workbench`` refuse to start (exit 2) on configuration warnings."""

    # Logging
    enable_request_logging: bool = False
    enable_gateway_access_log: bool = False
    json_logs: bool = False
    log_format: LogFormat = "text"

    # Observability (docs/observability.md)
    metrics_enabled: bool = False
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535)
    metrics_token: str | None = None
    tracing_enabled: bool = False

    # Proxy trust
    trust_proxy: bool = False
    forwarded_allow_ips: str | None = None

    # Streamlit
    streamlit_run_cli_args: list[str] = Field(default_factory=list)
    streamlit_page_config: dict[str, JsonValue] = Field(default_factory=dict)

    # HTTP hardening
    cors_allow_origins: list[str] = Field(default_factory=list)
    cors_middleware_kwargs: dict[str, Any] = Field(default_factory=dict)
    security_headers: bool = Field(False, validation_alias=_env_choices("security_headers"))
    frame_ancestors: list[str] = Field(default_factory=lambda: ["'self'"])
    max_request_body_bytes: int = Field(default=0, ge=0)
    max_request_header_bytes: int = Field(default=65536, ge=1024)
    max_request_headers: int = Field(default=100, ge=1)
    request_header_timeout_s: float = Field(default=10.0, gt=0)
    max_connections: int = Field(default=1000, ge=0)
    allowed_hosts: list[str] = Field(default_factory=list)
    api_concurrency: int = Field(default=100, ge=0)
    ui_thread_reserve: int = Field(default=16, ge=1)

    # Sidecar gateway tuning (mirrors fluxlit.gateway.GatewayProxyOptions). Aliased fields
    # read FLUXLIT_<FIELD>, then FLUXLIT_<ALIAS> (see SETTING_ALIASES).
    proxy_connect_timeout: float = Field(
        30.0, gt=0, validation_alias=_env_choices("proxy_connect_timeout")
    )
    proxy_read_timeout: float = Field(
        120.0, gt=0, validation_alias=_env_choices("proxy_read_timeout")
    )
    max_proxy_body_bytes: int = Field(
        0, ge=0, validation_alias=_env_choices("max_proxy_body_bytes")
    )
    max_concurrent_upstream_http: int = Field(
        0, ge=0, validation_alias=_env_choices("max_concurrent_upstream_http")
    )
    httpx_max_connections: int = Field(
        0, ge=0, validation_alias=_env_choices("httpx_max_connections")
    )
    httpx_max_keepalive_connections: int = Field(
        0, ge=0, validation_alias=_env_choices("httpx_max_keepalive_connections")
    )
    ws_open_timeout_s: float = Field(30.0, gt=0, validation_alias=_env_choices("ws_open_timeout_s"))
    ws_ping_interval_s: float | None = Field(
        None, validation_alias=_env_choices("ws_ping_interval_s")
    )
    ws_ping_timeout_s: float | None = Field(
        None, validation_alias=_env_choices("ws_ping_timeout_s")
    )
    ws_close_timeout_s: float | None = Field(
        None, validation_alias=_env_choices("ws_close_timeout_s")
    )
    ws_max_message_bytes: int | None = Field(
        None, validation_alias=_env_choices("ws_max_message_bytes")
    )
    forward_client_headers_http: list[str] = Field(
        default_factory=list, validation_alias=_env_choices("forward_client_headers_http")
    )

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
    session_param: str = Field("fluxlit_sid", validation_alias=_env_choices("session_param"))
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
