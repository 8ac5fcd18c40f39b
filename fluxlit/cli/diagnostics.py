"""What ``fluxlit doctor`` checks and what ``fluxlit config`` shows."""

from __future__ import annotations

import difflib
import importlib.metadata
import os
import socket
import sys
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from fluxlit.config.project import load_project_config, resolve_binding, resolve_target
from fluxlit.config.settings import SETTING_ALIASES, FluxlitSettings, load_settings
from fluxlit.config.settings_errors import SettingsError

Status = Literal["PASS", "WARN", "FAIL"]
SECRET_FIELDS = frozenset({"jwt_hs256_secret", "oidc_bff_secret", "redis_url"})
REDACTED = "<redacted>"


@dataclass(frozen=True)
class Check:
    """One diagnostic line."""

    name: str
    status: Status
    detail: str
    summary: str = "ok"

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "detail": self.detail}


def redacted_settings(settings: FluxlitSettings) -> dict[str, Any]:
    """Settings as a dict with secret values replaced by ``<redacted>``."""
    data = settings.model_dump(mode="json")
    for key in SECRET_FIELDS:
        if data.get(key):
            data[key] = REDACTED
    return data


def settings_warnings(settings: FluxlitSettings) -> list[str]:
    """Misconfigurations worth a warning (each names the variable to change)."""
    warnings = []
    if settings.public_base_url:
        parts = urlsplit(settings.public_base_url)
        if not (parts.scheme and parts.netloc):
            warnings.append("FLUXLIT_PUBLIC_BASE_URL should be absolute, e.g. https://app.example")
    jwt = [settings.jwt_issuer, settings.jwt_audience]
    if any(jwt) and not all(jwt):
        warnings.append("set both FLUXLIT_JWT_ISSUER and FLUXLIT_JWT_AUDIENCE (only one is set)")
    if any(jwt) and not (settings.jwt_hs256_secret or settings.jwt_jwks_url):
        warnings.append("JWT needs FLUXLIT_JWT_HS256_SECRET or FLUXLIT_JWT_JWKS_URL")
    if settings.jwt_hs256_secret and len(settings.jwt_hs256_secret) < 32:
        warnings.append("FLUXLIT_JWT_HS256_SECRET is shorter than 32 characters")
    known = {f"FLUXLIT_{name.upper()}" for name in FluxlitSettings.model_fields}
    known |= {f"FLUXLIT_{alias.upper()}" for alias in SETTING_ALIASES}
    known |= {
        "FLUXLIT_APP",
        "FLUXLIT_PIDFILE",
        "FLUXLIT_NO_PIDFILE",
        "FLUXLIT_DEV",
        "FLUXLIT_API_PREFIX",
        "FLUXLIT_STREAMLIT_UPSTREAM",
        "FLUXLIT_STREAMLIT_UPSTREAM_FILE",
        "FLUXLIT_TESTS",
        "FLUXLIT_TEST_PAGE_OVERRIDES",
        "FLUXLIT_TEST_PAGE_KEY",
        "FLUXLIT_EXTRA_SYS_PATH",
        "FLUXLIT_CHROMIUM",
        "FLUXLIT_SESSION_PARAM",
    }
    for name in sorted(os.environ):
        if name.startswith("FLUXLIT_") and name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            warnings.append(f"{name} is not a FluxLit setting{hint}")
    return warnings


def _binding(target: str | None) -> tuple[str, str, int, str, FluxlitSettings]:
    pc = load_project_config()
    settings = load_settings()
    host, port, level = resolve_binding(
        cli_host=None,
        cli_port=None,
        cli_log_level=None,
        pc=pc,
        settings_gateway_host=settings.gateway_host,
        settings_gateway_port=settings.gateway_port,
        settings_log_level=settings.log_level,
    )
    return resolve_target(target, pc), host, port, level, settings


def _mode(settings: FluxlitSettings) -> str:
    from fluxlit.runtime.serve import choose_mode

    try:
        return choose_mode(settings.runtime_mode)
    except (RuntimeError, ValueError) as exc:
        return f"invalid ({exc})"


def effective_config(target: str | None) -> dict[str, Any]:
    """Resolved target, binding, mode, internal API base, redacted settings, warnings."""
    from fluxlit.runtime.ports import internal_api_base_url

    resolved, host, port, level, settings = _binding(target)
    return {
        "target": resolved,
        "host": host,
        "port": port,
        "log_level": level,
        "runtime_mode": _mode(settings),
        "internal_api_base": internal_api_base_url(
            bind_host=host, port=port, api_mount_path=settings.api_mount_path
        ),
        "settings": redacted_settings(settings),
        "warnings": settings_warnings(settings),
    }


def _version_check(package: str) -> Check:
    try:
        version = importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return Check(f"import {package}", "FAIL", f"not installed: pip install {package}")
    return Check(f"import {package}", "PASS", version, version)


def _port_check(host: str, port: int) -> Check:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            return Check("bind", "WARN", f"{host}:{port} is not free ({exc.strerror}); use --port")
    return Check("bind", "PASS", f"{host}:{port} is free")


def _target_checks(target: str, check_pages: bool) -> list[Check]:
    from fluxlit.runtime.loading import load_fluxlit

    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        app = load_fluxlit(target)
    except Exception as exc:
        return [Check("target", "FAIL", f"{target}: {exc}")]
    checks = [Check("target", "PASS", f"{target}: {len(app.pages)} page(s)", target)]
    if check_pages:
        from fluxlit.pages.inject import check_page_handler

        for path, _title, handler in app.pages:
            problems = check_page_handler(handler)
            status: Status = "FAIL" if problems else "PASS"
            checks.append(Check(f"page {path}", status, "; ".join(problems) or "ok"))
    return checks


def run_checks(target: str | None, *, check_pages: bool = False) -> list[Check]:
    """Every doctor check, in the order they are printed.

    Bad ``FLUXLIT_*`` values are FAIL lines; the checks that need settings are skipped.
    """
    checks = [
        Check(
            "python",
            "PASS" if sys.version_info >= (3, 11) else "FAIL",
            sys.version.split()[0] + ("" if sys.version_info >= (3, 11) else " (need 3.11+)"),
        ),
        *(_version_check(p) for p in ("fastapi", "streamlit", "uvicorn", "httpx")),
    ]
    try:
        resolved, host, port, _level, settings = _binding(target)
    except SettingsError as exc:
        return checks + [Check("env", "FAIL", line) for line in str(exc).splitlines()]
    import streamlit

    if hasattr(streamlit, "App"):
        checks.append(Check("st.App", "PASS", "available: in-process mode supported"))
    else:
        checks.append(Check("st.App", "WARN", "missing (Streamlit < 1.57): sidecar mode only"))
    mode = _mode(settings)
    checks.append(
        Check("runtime mode", "FAIL" if mode.startswith("invalid") else "PASS", mode, mode)
    )
    checks.append(_port_check(host, port))
    checks.extend(_target_checks(resolved, check_pages))
    checks.extend(Check("env", "WARN", w) for w in settings_warnings(settings))
    return checks
