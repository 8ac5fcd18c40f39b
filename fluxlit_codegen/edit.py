"""Edit ``fluxlit.toml`` (or ``[tool.fluxlit]``) in place, keeping comments, order and layout.

Entries are added at the end of their ``[[pages]]``, ``[[routes]]`` or ``[[mounts]]``
array and removed by path. The edited text is checked by the manifest front end
(``load_manifest``) before it replaces the file, atomically; an edit that would make
the manifest invalid changes nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AoT, Array, Comment, InlineTable, Item, Null, Table, Whitespace
from tomlkit.toml_document import TOMLDocument

from fluxlit.errors import UserError
from fluxlit.paths import path_segments
from fluxlit_codegen.errors import ManifestError
from fluxlit_codegen.manifest import find_manifest, load_manifest
from fluxlit_codegen.write import WriteError, write_files

Kind = Literal["pages", "routes", "mounts"]
SINGULAR: dict[Kind, str] = {"pages": "page", "routes": "route", "mounts": "mount"}


class EditError(UserError):
    """The edit cannot be made; the manifest was left unchanged."""


@dataclass
class ManifestDocument:
    """A manifest file parsed for editing, and the table holding the FluxLit keys."""

    path: Path
    document: TOMLDocument
    table: Container | Table

    def entries(self, kind: Kind) -> AoT | Array | None:
        """The ``pages``/``routes``/``mounts`` array, or ``None`` when the file has none."""
        value = self.table.get(kind)
        if value is None or isinstance(value, AoT | Array):
            return value
        raise EditError(f"{self.path.name}: '{kind}' is not an array of tables; fix it by hand")


def open_manifest(cwd: Path) -> ManifestDocument:
    """The project's manifest for editing: ``fluxlit.toml``, ``[tool.fluxlit]``, or a new file.

    A folder with neither gets a new ``fluxlit.toml`` (written only by ``save``).
    """
    path = find_manifest(cwd)
    if path is None:
        document = tomlkit.document()
        return ManifestDocument(cwd / "fluxlit.toml", document, document)
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except (tomlkit.exceptions.TOMLKitError, UnicodeDecodeError):
        load_manifest(path)  # reports the located parse error
        raise
    table: Any = document
    if path.name == "pyproject.toml":
        table = document["tool"]["fluxlit"]  # find_manifest checked it is there
        if not isinstance(table, Table):
            raise EditError(f"{path.name}: [tool.fluxlit] must be a table to be edited")
    return ManifestDocument(path, document, table)


def normalize(path: str) -> str:
    """A page or mount path as the manifest compares them: one leading '/', none trailing."""
    return "/" + "/".join(path_segments(path))


def add_entry(manifest: ManifestDocument, kind: Kind, entry: dict[str, Any]) -> None:
    """Append ``entry`` to the ``kind`` array, in the style the file already uses."""
    existing = manifest.entries(kind)
    if isinstance(existing, Array):
        inline = tomlkit.inline_table()
        inline.update(entry)
        existing.append(inline)
        return
    table = tomlkit.table()
    table.update(entry)
    last = existing[-1] if existing is not None else _last_table(manifest.table)
    if last is None:
        _end_with_blank_line(manifest.table)
    moved = _trailing_trivia(last) if last is not None else []  # they lead to what follows
    if last is not None:
        _ensure_newline(last)
        last.add(tomlkit.nl())
    if existing is None and not moved:
        moved = [tomlkit.nl()]  # apart from what follows; render() drops it at the end
    for item in moved:
        table.add(item)
    if existing is None:
        array = tomlkit.aot()
        array.append(table)
        manifest.table.append(kind, array)
    else:
        existing.append(table)


def _last_table(table: Container | Table) -> Table | None:
    """The table whose lines end ``table`` (its last subtable, or an array's last entry)."""
    body = _body(table)
    for key, item in reversed(body):
        if key is None:
            continue
        if isinstance(item, AoT) and len(item):
            item = item[-1]
        return (_last_table(item) or item) if isinstance(item, Table) else None
    return None


def _body(table: Container | Table) -> list[tuple[Any, Item]]:
    return table.body if isinstance(table, Container) else table.value.body


def remove_entries(
    manifest: ManifestDocument, kind: Kind, matches: Callable[[dict[str, Any]], bool]
) -> int:
    """Remove every ``kind`` entry for which ``matches`` holds; return how many went."""
    existing = manifest.entries(kind)
    if existing is None:
        return 0
    removed = 0
    leading_on: list[Comment | Whitespace] = []  # what followed the last entry, if every entry goes
    for index in reversed(range(len(existing))):
        entry = existing[index]
        if not matches(entry.unwrap()):
            continue
        if isinstance(existing, AoT) and index > 0:
            _drop_entry_with_comments(existing, index)
        else:
            if isinstance(existing, AoT):
                _drop_comments_above_array(manifest.table, kind)
                leading_on = _trailing_trivia(existing[0])
                if len(existing) > 1:
                    _put_above(existing[1], leading_on)
            del existing[index]
        removed += 1
    if removed and len(existing) == 0:
        _delete_key_keeping_trivia(manifest.table, kind, leading_on)
    return removed


def _delete_key_keeping_trivia(
    table: Container | Table, kind: Kind, trivia: list[Comment | Whitespace]
) -> None:
    """Delete the emptied array; the lines that led from it to what follows stay."""
    body = _body(table)
    slots = [i for i, (key, _) in enumerate(body) if key is not None and key.key == kind]
    trailing = "".join(item.as_string() for item in trivia)
    shown = [item for _, item in body[: slots[0]] if not isinstance(item, Null)] if slots else []
    before = shown[-1] if shown else None
    if isinstance(before, Whitespace) or (before and before.as_string().endswith("\n\n")):
        trailing = trailing.lstrip("\n")  # one blank line already separates the parts
    del table[kind]
    if len(slots) == 1 and trailing:
        body[slots[0]] = (None, Whitespace(trailing))  # tomlkit leaves a placeholder there


def _drop_comments_above_array(table: Container | Table, kind: Kind) -> None:
    """Remove the comment lines right above the first ``[[kind]]`` header (its entry goes)."""
    body = _body(table)
    slot = next(i for i, (key, _) in enumerate(body) if key is not None and key.key == kind)
    before = body[slot - 1] if slot > 0 else None
    if before is not None and before[0] is not None and isinstance(before[1], Table | AoT):
        inner = before[1][-1] if isinstance(before[1], AoT) else before[1]
        last = _last_table(inner) or inner
        trailing = _trailing_trivia(last)
        while trailing and isinstance(trailing[-1], Comment):
            trailing.pop()
        for item in trailing:
            last.add(item)
        return
    while slot > 0 and body[slot - 1][0] is None and isinstance(body[slot - 1][1], Comment):
        slot -= 1
        body[slot] = (None, Null())  # the placeholder tomlkit itself leaves for removed items


def _put_above(table: Table, lines: list[Comment | Whitespace]) -> None:
    """Write the comment ``lines`` just above the header of ``table`` (it becomes the first)."""
    while lines and isinstance(lines[0], Whitespace):
        lines = lines[1:]  # the blank lines before the array stay as they were
    table.trivia.indent = "".join(item.as_string() for item in lines) + table.trivia.indent


def _drop_entry_with_comments(array: AoT, index: int) -> None:
    """Delete ``array[index]`` and the comment lines right above its header.

    Those comments are stored at the end of the entry before it, after any other comment
    lines there (which stay); the lines that led from the removed entry to the next part
    of the file (blank lines, comments) follow them.
    """
    previous, removed = array[index - 1], array[index]
    kept = _trailing_trivia(previous)
    while kept and isinstance(kept[-1], Comment):
        kept.pop()
    while kept and isinstance(kept[-1], Whitespace):
        kept.pop()  # what separated the removed entry; its own trailing lines take over
    for item in kept + _trailing_trivia(removed):
        previous.add(item)
    del array[index]


def _trailing_trivia(table: Table) -> list[Comment | Whitespace]:
    """Remove and return the comments and blank lines after the last key of ``table``."""
    body = table.value.body
    trailing: list[Comment | Whitespace] = []
    while body and body[-1][0] is None:
        item = body[-1][1]
        if not isinstance(item, Comment | Whitespace):
            break
        trailing.insert(0, item)
        body.pop()
    return trailing


def _ensure_newline(table: Table) -> None:
    """Make the last key line of ``table`` end with a newline (a file may end without one)."""
    for key, item in reversed(table.value.body):
        if key is not None and not isinstance(item, Table | AoT):
            if not item.trivia.trail.endswith("\n"):
                item.trivia.trail += "\n"
            return


def _end_with_blank_line(table: Container | Table) -> None:
    """End ``table`` with a blank line, to separate it from an array appended after it."""
    text = tomlkit.dumps(table) if isinstance(table, Container) else table.as_string()
    if text.strip() and not text.endswith("\n\n"):
        for _ in range(1 if text.endswith("\n") else 2):
            table.add(tomlkit.nl())


def remove_from_navigation(manifest: ManifestDocument, path: str) -> bool:
    """Drop ``path`` from ``[navigation] order``; True when it was listed."""
    navigation = manifest.table.get("navigation")
    order = navigation.get("order") if isinstance(navigation, Table | InlineTable) else None
    if not isinstance(order, Array):
        return False
    listed = [i for i, item in enumerate(order) if normalize(str(item)) == normalize(path)]
    for index in reversed(listed):
        del order[index]
    return bool(listed)


def render(manifest: ManifestDocument) -> str:
    """The edited file's text."""
    return tomlkit.dumps(manifest.document).rstrip("\n") + "\n"


def save(manifest: ManifestDocument) -> None:
    """Validate the edited text with the manifest front end, then replace the file atomically.

    Raises ``EditError`` with the located problems when the result would be invalid.
    """
    text = render(manifest)
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / manifest.path.name
        candidate.write_text(text, encoding="utf-8")
        try:
            load_manifest(candidate)
        except ManifestError as exc:
            raise EditError(
                f"{exc}\n{manifest.path.name} was not changed (the lines above are those it "
                "would have had)"
            ) from None
    mode = manifest.path.stat().st_mode & 0o7777 if manifest.path.exists() else None
    try:
        write_files({manifest.path.name: text}, manifest.path.parent)
        if mode is not None:
            os.chmod(manifest.path, mode)  # the replacement keeps the edited file's mode
    except (WriteError, OSError) as exc:
        raise EditError(str(exc)) from None
