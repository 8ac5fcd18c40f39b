"""What ``fluxlit doctor`` checks and what ``fluxlit config`` shows."""

from __future__ import annotations

import importlib.metadata
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from fluxlit.config.env_vars import unknown_variable_warnings
from fluxlit.config.settings import SECRET_SETTINGS, FluxlitSettings
from fluxlit.config.settings_errors import SettingsError
from fluxlit.errors import UserError
from fluxlit_codegen.project import ResolvedApp, resolve_app

Status = Literal["PASS", "WARN", "FAIL"]
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
    for key in SECRET_SETTINGS:
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
    warnings += unknown_variable_warnings(os.environ)
    return warnings


def _mode(settings: FluxlitSettings) -> str:
    from fluxlit.runtime.serve import choose_mode

    try:
        return choose_mode(settings.runtime_mode)
    except (RuntimeError, ValueError) as exc:
        return f"invalid ({exc})"


def effective_config(target: str | None) -> dict[str, Any]:
    """What ``fluxlit run`` would serve: source, binding, mode, internal API base,
    redacted settings and warnings, from the one resolved app."""
    from fluxlit.runtime.ports import internal_api_base_url

    resolved = resolve_app(target, Path.cwd())
    settings = resolved.settings
    return {
        "target": resolved.source_label,
        "title": settings.title,
        "host": settings.gateway_host,
        "port": settings.gateway_port,
        "log_level": settings.log_level,
        "runtime_mode": _mode(settings),
        "internal_api_base": internal_api_base_url(
            bind_host=settings.gateway_host,
            port=settings.gateway_port,
            api_mount_path=settings.api_mount_path,
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


def _app_checks(resolved: ResolvedApp, check_pages: bool) -> list[Check]:
    """The app loads; a manifest's handlers (or, with ``check_pages``, a Python app's
    page handlers) are sound."""
    from fluxlit_codegen.checks import check_handlers

    model = resolved.model
    counts = f"{len(model.pages)} page(s), {len(model.routes)} route(s)"
    label = resolved.source_label
    checks = [Check("app", "PASS", f"{label}: {counts}", label)]
    if resolved.manifest_path is not None:
        problems = check_handlers(model, resolved.project_root, resolved.manifest_path)
        checks += [Check("handler", "FAIL", str(problem)) for problem in problems]
    elif check_pages and resolved.fluxlit is not None:
        from fluxlit.pages.inject import check_page_handler

        for path, _title, handler in resolved.fluxlit.pages:
            found = check_page_handler(handler)
            status: Status = "FAIL" if found else "PASS"
            checks.append(Check(f"page {path}", status, "; ".join(found) or "ok"))
    return checks


def _resolve_checks(target: str | None) -> tuple[ResolvedApp | None, list[Check]]:
    """Resolve the app as ``run`` would; a problem is a FAIL line instead of an exit."""
    from fluxlit_codegen.errors import ManifestError

    try:
        return resolve_app(target, Path.cwd()), []
    except ManifestError as exc:
        return None, [Check("project file", "FAIL", str(p)) for p in exc.problems]
    except SettingsError as exc:
        return None, [Check("env", "FAIL", line) for line in str(exc).splitlines()]
    except UserError as exc:
        return None, [Check("app", "FAIL", str(exc))]
    except Exception as exc:  # the user's code failed to import: report, do not crash
        return None, [Check("app", "FAIL", f"{type(exc).__name__}: {exc}")]


def run_checks(target: str | None, *, check_pages: bool = False) -> list[Check]:
    """Every doctor check, in the order they are printed.

    A bad project file, ``FLUXLIT_*`` value or app import is a FAIL line; the checks that
    need the resolved app are skipped then.
    """
    checks = [
        Check(
            "python",
            "PASS" if sys.version_info >= (3, 11) else "FAIL",
            sys.version.split()[0] + ("" if sys.version_info >= (3, 11) else " (need 3.11+)"),
        ),
        *(_version_check(p) for p in ("fastapi", "streamlit", "uvicorn", "httpx")),
    ]
    import streamlit

    if hasattr(streamlit, "App"):
        checks.append(Check("st.App", "PASS", "available: in-process mode supported"))
    else:
        checks.append(Check("st.App", "WARN", "missing (Streamlit < 1.57): sidecar mode only"))
    resolved, problems = _resolve_checks(target)
    checks += problems
    if resolved is None:
        checks += [Check("env", "WARN", w) for w in unknown_variable_warnings(os.environ)]
        return checks
    settings = resolved.settings
    mode = _mode(settings)
    checks.append(
        Check("runtime mode", "FAIL" if mode.startswith("invalid") else "PASS", mode, mode)
    )
    checks.append(_port_check(settings.gateway_host, settings.gateway_port))
    checks.extend(_app_checks(resolved, check_pages))
    checks.extend(Check("env", "WARN", w) for w in settings_warnings(settings))
    return checks
