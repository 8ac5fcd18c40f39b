"""Read ``fluxlit.toml`` (or ``[tool.fluxlit]``) into the app model, reporting every problem."""

from __future__ import annotations

import copy
import hashlib
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from fluxlit.config.project import ProjectConfig
from fluxlit.config.settings import FluxlitSettings
from fluxlit.model import (
    AppModel,
    AuthModel,
    AuthRequirement,
    HandlerRef,
    JWTModel,
    MountModel,
    NavigationModel,
    OIDCModel,
    PageModel,
    RouteModel,
    SessionStoreModel,
)
from fluxlit.pages.paths import normalize_page_path, page_path_problem
from fluxlit.paths import url_path_problem
from fluxlit_codegen.errors import (
    Collector,
    ManifestError,
    Problem,
    describe,
    key_path_of,
    trim_union,
)
from fluxlit_codegen.manifest_schema import (
    HANDLER_PATTERN,
    PUBLIC_SETTINGS,
    SECRET_SETTINGS,
    ManifestModel,
)

DECLARATIVE_KEYS = ("pages", "routes", "mounts")
SEED_KEYS = ("gateway_host", "gateway_port", "log_level", "api_mount_path", "root_path")
INLINE_SECRETS = {
    "hs256_secret": "hs256_secret_env",
    "client_secret": "client_secret_env",
    "bff_secret": "bff_secret_env",
    "secret": "a *_env key",
    "url": "url_env",
}
_HANDLER = re.compile(HANDLER_PATTERN)


@dataclass(frozen=True)
class ProjectFile:
    """The project's FluxLit table, read once: the file, its table, text and key prefix."""

    path: Path
    table: dict[str, Any]
    text: str
    prefix: str

    @property
    def source_hash(self) -> str:
        """SHA-256 of the file's bytes (the text was decoded from UTF-8, so it round-trips)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def declarative(self) -> bool:
        """True when the table declares pages, routes or mounts (a manifest app)."""
        return is_declarative(self.table)


def read_project_file(cwd: Path) -> ProjectFile | None:
    """Read ``fluxlit.toml``, else ``[tool.fluxlit]`` in ``pyproject.toml``, once.

    ``None`` when neither exists; ``ManifestError`` (located) when the file is not
    UTF-8 or not TOML. The one reader of the project file: the manifest front end,
    ``fluxlit.config.load_project_config`` and every command start here.
    """
    manifest = cwd / "fluxlit.toml"
    if manifest.is_file():
        data, text = _parse(manifest)
        return ProjectFile(manifest, data, text, "")
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        data, text = _parse(pyproject)  # a broken pyproject.toml is reported, not skipped
        tool = data.get("tool")
        if isinstance(tool, dict) and "fluxlit" in tool:
            table = tool["fluxlit"]
            if not isinstance(table, dict):
                collector = Collector(pyproject.name, text, "")
                collector.add("tool.fluxlit", "expected a table ([tool.fluxlit])")
                raise ManifestError(collector.problems)
            return ProjectFile(pyproject, table, text, "tool.fluxlit.")
    return None


def find_manifest(cwd: Path) -> Path | None:
    """``fluxlit.toml`` if present, else ``pyproject.toml`` with a ``[tool.fluxlit]`` table."""
    found = read_project_file(cwd)
    return found.path if found is not None else None


def project_config(found: ProjectFile | None) -> ProjectConfig | None:
    """The lenient view ``fluxlit.config.load_project_config`` documents: the seed's
    top-level keys of the right type (others are ignored)."""
    return None if found is None else ProjectConfig.from_table(found.table)


def manifest_source_hash(path: Path) -> str:
    """SHA-256 of the manifest file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_declarative(table: dict[str, Any]) -> bool:
    """True when the table declares pages, routes or mounts (not just seed defaults)."""
    return any(table.get(key) for key in DECLARATIVE_KEYS)


def read_table(path: Path) -> tuple[dict[str, Any], str, str]:
    """Parse ``path``; return (FluxLit table, source text, key prefix for locations)."""
    data, text = _parse(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("fluxlit", {})
        return (table if isinstance(table, dict) else {}), text, "tool.fluxlit."
    return data, text, ""


def _parse(path: Path) -> tuple[dict[str, Any], str]:
    """Read and parse a TOML file; ``ManifestError`` at the spot if it is not UTF-8 or TOML."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8")) + 1  # valid up to the byte
        message = f"not UTF-8 text: byte {raw[exc.start]:#04x} cannot be decoded (save as UTF-8)"
        raise ManifestError([Problem(path.name, line, column, "", message)]) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_position(str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ManifestError(
            [Problem(path.name, line, column, "", f"invalid TOML: {reason}")]
        ) from None


def _toml_position(message: str) -> tuple[int, int]:
    match = re.search(r"line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)


def _check_inline_secrets(table: dict[str, Any], collector: Collector) -> None:
    auth = table.get("auth")
    if isinstance(auth, dict):
        for section in ("jwt", "oidc"):
            values = auth.get(section)
            if isinstance(values, dict):
                for key in values:
                    if key in INLINE_SECRETS:
                        collector.add(
                            f"auth.{section}.{key}",
                            "secrets are never written in the manifest; put it in an "
                            f"environment variable and name that with {INLINE_SECRETS[key]}",
                            at_value=False,
                        )
    store = table.get("session_store")
    if isinstance(store, dict) and "url" in store:
        collector.add(
            "session_store.url",
            "secrets are never written in the manifest; name the environment variable "
            "holding the Redis URL with url_env",
            at_value=False,
        )
    settings = table.get("settings")
    if isinstance(settings, dict):
        for key in settings:
            if key in SECRET_SETTINGS:
                collector.add(
                    f"settings.{key}",
                    f"secrets are never written in the manifest; set FLUXLIT_{key.upper()} "
                    "in the environment",
                    at_value=False,
                )


def _without_non_finite(value: Any, key: str, collector: Collector) -> Any:
    """A copy of ``value`` without ``inf``/``nan`` floats, each reported at its key.

    TOML allows them, but no FluxLit setting means anything by them, JSON (model.json,
    the page manifest) cannot carry them, and Python has no literal for them.
    """
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for name, item in value.items():
            path = f"{key}.{name}" if key else str(name)
            if _is_non_finite(item):
                _report_non_finite(item, path, collector)
            else:
                out[name] = _without_non_finite(item, path, collector)
        return out
    if isinstance(value, list):
        kept = []
        for index, item in enumerate(value):
            if _is_non_finite(item):
                _report_non_finite(item, f"{key}[{index}]", collector)
            else:
                kept.append(_without_non_finite(item, f"{key}[{index}]", collector))
        return kept
    return value


def _is_non_finite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _report_non_finite(value: float, key: str, collector: Collector) -> None:
    collector.add(
        key,
        f"expected a finite number, got {value!r} (TOML's inf and nan are not accepted)",
        expected="a finite number",
    )


def _adapter(annotation: Any, metadata: list[Any]) -> TypeAdapter[Any]:
    """A validator for one settings field, constraints (``ge=0``, ...) included."""
    target: Any = Annotated[(annotation, *metadata)] if metadata else annotation
    return TypeAdapter(target)


def _misplaced_settings(table: dict[str, Any]) -> list[str]:
    """Top-level keys that are settings, not manifest keys (they belong in ``[settings]``)."""
    return [k for k in table if k not in ManifestModel.model_fields and k in PUBLIC_SETTINGS]


def _check_settings(table: dict[str, Any], collector: Collector) -> None:
    """Each ``[settings]`` key names a non-secret setting and has a value it accepts."""
    for key in _misplaced_settings(table):
        collector.add(key, f"'{key}' is a setting: move it under [settings]", at_value=False)
    settings = table.get("settings")
    if not isinstance(settings, dict):
        return
    for key, value in settings.items():
        if key in SECRET_SETTINGS:
            continue  # reported as an inline secret
        field = FluxlitSettings.model_fields.get(key)
        if field is None:
            collector.unknown(f"settings.{key}", key, list(PUBLIC_SETTINGS), what="setting")
            continue
        try:
            _adapter(field.annotation, field.metadata).validate_python(value)
        except ValidationError as exc:
            for item in exc.errors():
                message, expected = describe(item, f"settings.{key}")
                collector.add(f"settings.{key}", message, expected=expected)


def _without_reported(table: dict[str, Any]) -> dict[str, Any]:
    """The table without inline secrets and misplaced settings (already reported)."""
    cleaned = {k: v for k, v in table.items() if k not in _misplaced_settings(table)}
    auth = cleaned.get("auth")
    if isinstance(auth, dict):
        cleaned["auth"] = {
            section: (
                {k: v for k, v in values.items() if k not in INLINE_SECRETS}
                if isinstance(values, dict)
                else values
            )
            for section, values in auth.items()
        }
    store = cleaned.get("session_store")
    if isinstance(store, dict):
        cleaned["session_store"] = {k: v for k, v in store.items() if k != "url"}
    settings = cleaned.get("settings")
    if isinstance(settings, dict):
        known = set(FluxlitSettings.model_fields) - SECRET_SETTINGS
        cleaned["settings"] = {k: v for k, v in settings.items() if k in known}
    return cleaned


def _check_semantics(manifest: ManifestModel, collector: Collector) -> None:
    def handler_ok(value: str, key: str) -> None:
        if not _HANDLER.match(value):
            head, _, tail = value.rpartition(".")
            fixed = f"{head}:{tail}" if head and _HANDLER.match(f"{head}:{tail}") else None
            collector.add(
                key,
                f'expected "module:function", got {value!r}',
                expected='"module:function"',
                suggestion=fixed,
            )

    if manifest.target and (manifest.pages or manifest.routes or manifest.mounts):
        collector.add(
            "target",
            "a manifest that declares [[pages]], [[routes]] or [[mounts]] is the app itself; "
            "remove target (or move the declarations into the Python app it names)",
            at_value=False,
        )
    seen_pages: dict[str, int] = {}
    for index, page in enumerate(manifest.pages):
        key = f"pages[{index}]"
        problem = page_path_problem(page.path)
        if problem:
            collector.add(f"{key}.path", problem, expected="a URL path such as '/reports'")
        elif not page.path.strip().startswith("/"):
            collector.add(f"{key}.path", f"page paths start with '/', got {page.path!r}")
        if (page.handler is None) == (page.script is None):
            collector.add(key, "give exactly one of handler or script")
        if page.handler is not None:
            handler_ok(page.handler, f"{key}.handler")
        if problem:
            continue
        normalized = normalize_page_path(page.path)
        if normalized in seen_pages:
            collector.add(
                f"{key}.path",
                f"duplicate page path {normalized!r} (also pages[{seen_pages[normalized]}])",
            )
        seen_pages.setdefault(normalized, index)
    seen_routes: dict[tuple[str, str], int] = {}
    for index, route in enumerate(manifest.routes):
        key = f"routes[{index}]"
        if not route.path.startswith("/"):
            collector.add(f"{key}.path", f"route paths start with '/', got {route.path!r}")
        handler_ok(route.handler, f"{key}.handler")
        listed: set[str] = set()
        for method in route.methods:
            if method in listed:
                collector.add(f"{key}.methods", f"method {method} is listed twice")
                continue
            listed.add(method)
            first = seen_routes.setdefault((method, route.path), index)
            if first != index:
                collector.add(
                    f"{key}.path",
                    f"duplicate route {method} {route.path} (also routes[{first}])",
                )
        if route.auth and (manifest.auth is None or manifest.auth.jwt is None):
            collector.add(f"{key}.auth", "route requires auth but the manifest has no [auth.jwt]")
    seen_mounts: dict[str, int] = {}
    for index, mount in enumerate(manifest.mounts):
        key = f"mounts[{index}]"
        if not mount.path.startswith("/"):
            collector.add(f"{key}.path", f"mount paths start with '/', got {mount.path!r}")
        if (mount.app is None) == (mount.static is None):
            collector.add(key, "give exactly one of app or static")
        if mount.app is not None:
            handler_ok(mount.app, f"{key}.app")
        mounted = "/" + mount.path.strip().strip("/")
        first = seen_mounts.setdefault(mounted, index)
        if first != index:
            collector.add(f"{key}.path", f"duplicate mount path {mounted!r} (also mounts[{first}])")
    _check_url_paths(manifest, collector)
    if manifest.navigation:
        for index, path in enumerate(manifest.navigation.order):
            if page_path_problem(path) or normalize_page_path(path) not in seen_pages:
                collector.add(f"navigation.order[{index}]", f"no page has the path {path!r}")
    store = manifest.session_store
    if store and store.kind == "redis" and not store.url_env:
        collector.add("session_store", "kind = 'redis' needs url_env (the variable with the URL)")
    jwt = manifest.auth.jwt if manifest.auth else None
    if jwt and not (jwt.hs256_secret_env or jwt.jwks_url):
        collector.add("auth.jwt", "give hs256_secret_env or jwks_url")
    if jwt and jwt.hs256_secret_env and jwt.jwks_url:
        collector.add("auth.jwt", "give hs256_secret_env or jwks_url, not both")


URL_PATH_KEYS = ("api_mount_path", "root_path", "streamlit_public_path")
"""Keys (top level or in ``[settings]``) whose value becomes part of every public URL."""


def _check_url_paths(manifest: ManifestModel, collector: Collector) -> None:
    """API prefix and public mount are URL paths (they also reach probes and generated code)."""
    values = [(key, getattr(manifest, key, None)) for key in URL_PATH_KEYS]
    values += [(f"settings.{key}", manifest.settings.get(key)) for key in URL_PATH_KEYS]
    for key, value in values:
        problem = url_path_problem(value) if isinstance(value, str) else None
        if problem:
            collector.add(key, problem, expected="a URL path such as '/api'")


def _ref(value: str) -> HandlerRef:
    return HandlerRef(kind="import", value=value)


def _to_model(manifest: ManifestModel, source: str) -> AppModel:
    settings: dict[str, Any] = {
        key: getattr(manifest, key) for key in SEED_KEYS if getattr(manifest, key) is not None
    }
    settings.update(manifest.settings)
    if manifest.title:
        settings.setdefault("title", manifest.title)
    auth = None
    if manifest.auth and (manifest.auth.jwt or manifest.auth.oidc):
        auth = AuthModel(
            jwt=JWTModel(**manifest.auth.jwt.model_dump()) if manifest.auth.jwt else None,
            oidc=OIDCModel(**manifest.auth.oidc.model_dump()) if manifest.auth.oidc else None,
        )
    return AppModel(
        source=source,
        target=manifest.target,
        title=manifest.title or "FluxLit",
        settings=settings,
        pages=tuple(
            PageModel(
                path=normalize_page_path(page.path),
                title=page.title or _title_from_path(page.path),
                handler=_ref(page.handler)
                if page.handler
                else HandlerRef(kind="script", value=page.script or ""),
                icon=page.icon,
                tags=tuple(page.tags),
                page_meta=page.page_meta.model_dump(exclude_none=True) if page.page_meta else None,
            )
            for page in manifest.pages
        ),
        navigation=NavigationModel(
            order=tuple(normalize_page_path(p) for p in manifest.navigation.order)
            if manifest.navigation
            else ()
        ),
        routes=tuple(
            RouteModel(
                path=route.path,
                handler=_ref(route.handler),
                methods=tuple(route.methods),
                name=route.name,
                summary=route.summary,
                tags=tuple(route.tags),
                auth=_requirement(route.auth),
                include_in_schema=route.include_in_schema,
            )
            for route in manifest.routes
        ),
        mounts=tuple(
            MountModel(
                path=mount.path,
                app=_ref(mount.app) if mount.app else None,
                static_dir=mount.static,
                html=mount.html,
            )
            for mount in manifest.mounts
        ),
        auth=auth,
        session_store=SessionStoreModel(**manifest.session_store.model_dump())
        if manifest.session_store
        else None,
    )


def _requirement(value: Any) -> AuthRequirement | None:
    if value is None or value is False:
        return None
    if value is True:
        return AuthRequirement()
    return AuthRequirement(roles=tuple(value.roles), scopes=tuple(value.scopes))


def _title_from_path(path: str) -> str:
    inner = normalize_page_path(path).strip("/")
    if not inner:
        return "Home"
    return inner.replace("/", " ").replace("-", " ").replace("_", " ").title()


def load_manifest(path: Path) -> AppModel:
    """Read and validate a manifest; raise ``ManifestError`` listing every problem."""
    table, text, prefix = read_table(path)
    return manifest_model(ProjectFile(path, table, text, prefix))


def manifest_model(found: ProjectFile) -> AppModel:
    """Validate a project file already read; raise ``ManifestError`` listing every problem."""
    collector = Collector(found.path.name, found.text, found.prefix)
    table = _without_non_finite(found.table, "", collector)
    _check_inline_secrets(table, collector)
    _check_settings(table, collector)
    cleaned = _without_reported(table)
    manifest: ManifestModel | None = None
    try:
        manifest = ManifestModel.model_validate(cleaned)
    except ValidationError as exc:
        collector.from_validation(exc, ManifestModel)
        _check_rest(cleaned, exc, collector)
    if manifest is not None:
        _check_semantics(manifest, collector)
    if collector.problems or manifest is None:
        raise ManifestError(collector.problems)
    return _to_model(manifest, found.path.name)


def _check_rest(table: dict[str, Any], error: ValidationError, collector: Collector) -> None:
    """Run the semantic checks on what is left once the rejected values are removed.

    So one wrong type does not hide, say, a duplicate path elsewhere. Problems on keys
    whose values were removed (already reported) are dropped.
    """
    partial, removed = _without_invalid(table, error.errors())
    try:
        manifest = ManifestModel.model_validate(partial)
    except ValidationError:
        return  # e.g. a required key is missing: nothing sound to check
    scratch = Collector(collector.file, "", collector.prefix)
    scratch.found = collector.found
    _check_semantics(manifest, scratch)
    collector.problems += [p for p in scratch.problems if not _touches(p.key_path, removed)]


def _touches(key: str, removed: list[str]) -> bool:
    return any(r == key or r.startswith((key + ".", key + "[")) for r in removed)


def _loc_order(loc: tuple[Any, ...]) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in loc)


def _without_invalid(table: dict[str, Any], errors: list[Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``table`` without the values pydantic rejected, and those values' key paths."""
    cleaned = copy.deepcopy(table)
    removed: list[str] = []
    locs = {trim_union(tuple(e["loc"])) for e in errors if e["type"] != "missing"}
    for loc in sorted(locs, key=_loc_order, reverse=True):  # later list items first
        parent: Any = cleaned
        for part in loc[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                parent = None
                break
        if loc and _delete(parent, loc[-1]):
            removed.append(key_path_of(loc))
    return cleaned, removed


def _delete(parent: Any, last: Any) -> bool:
    """Delete a key, or a scalar list item (tables stay: their indices name later items)."""
    if isinstance(parent, dict) and last in parent:
        del parent[last]
        return True
    scalar = isinstance(parent, list) and isinstance(last, int) and last < len(parent)
    if scalar and not isinstance(parent[last], dict):
        del parent[last]
        return True
    return False
