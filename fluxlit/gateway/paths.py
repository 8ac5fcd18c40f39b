"""Path rules of the gateway: API prefix, public mount, and the split between them."""

from __future__ import annotations

from fluxlit.paths import normalize_api_prefix, normalize_public_mount


def normalize_api_mount_path(api_mount_path: str) -> str:
    """Normalise the public API prefix: one leading ``/``, no trailing ``/`` (``/`` stays).

    Empty or blank values fall back to ``/api``.
    """
    return normalize_api_prefix(api_mount_path)


def normalize_root_mount(raw: str | None) -> str:
    """Normalise a public path prefix (e.g. a Posit Connect content path).

    ``""`` when unset; otherwise ``/a/b`` with no trailing slash (``/`` means unset).
    """
    return normalize_public_mount(raw)


def split_gateway_paths(path: str, root_mount: str) -> tuple[str, str]:
    """Return ``(dispatch_path, upstream_path)`` for an incoming ASGI ``path``.

    Some proxies forward the full public path (``/content/1/api/x``), others strip the
    mount (``/api/x``). ``dispatch_path`` is always mount-free (for routing to the API);
    ``upstream_path`` always carries the mount, as Streamlit's ``server.baseUrlPath``
    expects.
    """
    mount = normalize_root_mount(root_mount)
    if not mount:
        return path, path
    if path == mount or path.startswith(mount + "/"):
        return path[len(mount) :] or "/", path
    return path, mount + path
