"""``fluxlit pages|routes|mounts add|remove`` and ``fluxlit export``: write the manifest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from fluxlit.errors import UserError

if TYPE_CHECKING:
    from fluxlit_codegen.edit import Kind, ManifestDocument

HANDLER_HELP = "module:function"


@contextmanager
def _user_errors() -> Iterator[None]:
    """Report a refused edit or export as its located message on stderr, exit 2."""
    from fluxlit_codegen.errors import ManifestError

    try:
        yield
    except (UserError, ManifestError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _edit(change: Callable[[ManifestDocument], str]) -> None:
    """Open the manifest, apply ``change``, validate and write; print what changed."""
    from fluxlit_codegen.edit import open_manifest, save

    with _user_errors():
        manifest = open_manifest(Path.cwd())
        message = change(manifest)
        save(manifest)
    typer.echo(f"{manifest.path.name}: {message}")


def _add(kind: Kind, entry: dict[str, Any], label: str) -> None:
    from fluxlit_codegen.edit import add_entry

    def change(manifest: ManifestDocument) -> str:
        add_entry(manifest, kind, {k: v for k, v in entry.items() if v is not None})
        return f"added {label}"

    _edit(change)


def _remove(
    kind: Kind, label: str, matches: Callable[[dict[str, Any]], bool], page: str | None = None
) -> None:
    from fluxlit_codegen.edit import EditError, remove_entries, remove_from_navigation

    def change(manifest: ManifestDocument) -> str:
        count = remove_entries(manifest, kind, matches)
        if not count:
            raise EditError(f"{manifest.path.name}: no {label} to remove")
        message = f"removed {label}" + (f" ({count} entries)" if count > 1 else "")
        if page is not None and remove_from_navigation(manifest, page):
            message += " and its place in [navigation] order"
        return message

    _edit(change)


def pages_add(
    path: str = typer.Argument(..., help="URL path of the page, e.g. /reports."),
    title: str | None = typer.Option(None, "--title", help="Navigation title."),
    handler: str | None = typer.Option(None, "--handler", help=f"{HANDLER_HELP} (st, client)."),
    script: str | None = typer.Option(None, "--script", help="A plain Streamlit script instead."),
    icon: str | None = typer.Option(None, "--icon", help="Emoji or :material/name:."),
) -> None:
    """Add a page to the manifest (validated before it is written)."""
    entry = {"path": path, "title": title, "handler": handler, "script": script, "icon": icon}
    _add("pages", entry, f"page {path}")


def routes_add(
    path: str = typer.Argument(..., help="Path under the API prefix, e.g. /items/{item_id}."),
    handler: str = typer.Option(..., "--handler", help=HANDLER_HELP),
    method: list[str] = typer.Option(["GET"], "--method", help="HTTP method (repeatable)."),
    summary: str | None = typer.Option(None, "--summary", help="OpenAPI summary."),
) -> None:
    """Add an API route to the manifest (validated before it is written)."""
    methods = [m.upper() for m in method]
    entry = {"path": path, "methods": methods, "handler": handler, "summary": summary}
    _add("routes", entry, f"route {' '.join(methods)} {path}")


def mounts_add(
    path: str = typer.Argument(..., help="Path under the API prefix, e.g. /files."),
    app: str | None = typer.Option(None, "--app", help="module:attr of an ASGI app."),
    static: str | None = typer.Option(None, "--static", help="Folder of static files."),
    html: bool = typer.Option(False, "--html", help="Static: serve index.html for folders."),
) -> None:
    """Add a mount to the manifest: an ASGI app (--app) or a static folder (--static)."""
    if (app is None) == (static is None):
        with _user_errors():
            raise UserError("mounts add: give exactly one of --app module:attr or --static DIR")
    entry = {"path": path, "app": app, "static": static, "html": html or None}
    _add("mounts", entry, f"mount {path}")


def _path_is(path: str, key: str = "path") -> Callable[[dict[str, Any]], bool]:
    from fluxlit_codegen.edit import normalize

    return lambda entry: normalize(str(entry.get(key, ""))) == normalize(path)


def pages_remove(path: str = typer.Argument(..., help="URL path of the page.")) -> None:
    """Remove the page at PATH from the manifest (and from the navigation order)."""
    _remove("pages", f"page {path}", _path_is(path), page=path)


def mounts_remove(path: str = typer.Argument(..., help="Path of the mount.")) -> None:
    """Remove the mount at PATH."""
    _remove("mounts", f"mount {path}", _path_is(path))


def routes_remove(
    path: str = typer.Argument(..., help="Path of the route, as written in the manifest."),
    method: str | None = typer.Option(None, "--method", help="Only this method's entries."),
) -> None:
    """Remove the routes at PATH (with --method, only entries answering that method)."""
    wanted = method.upper() if method else None

    def matches(entry: dict[str, Any]) -> bool:
        methods = entry.get("methods", ["GET"])
        return entry.get("path") == path and (wanted is None or wanted in methods)

    _remove("routes", f"route {wanted + ' ' if wanted else ''}{path}", matches)


def export(
    target: str | None = typer.Argument(None, help="module:attr of the app (default: as run)."),
) -> None:
    """Print the fluxlit.toml equivalent of an app: fluxlit export app:app > fluxlit.toml."""
    from fluxlit_codegen.export import export_manifest
    from fluxlit_codegen.project import ProjectError, resolve_app

    with _user_errors():
        try:
            resolved = resolve_app(target, Path.cwd())
        except ProjectError as exc:
            raise UserError(str(exc)) from None
        text = export_manifest(resolved.model, resolved.fluxlit)
    typer.echo(text, nl=False)
