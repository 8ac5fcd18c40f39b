"""Manifest editing keeps the file as written: comments, order, layout; bad edits change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fluxlit_codegen.edit import (
    EditError,
    add_entry,
    open_manifest,
    remove_entries,
    remove_from_navigation,
    render,
    save,
)
from fluxlit_codegen.manifest import load_manifest

COMMENTED = """\
# Sales app
title = "Sales"  # shown in the API docs

# pages first
[[pages]]
path = "/"   # home
title = "Home"
handler = "sales.pages:home"

# the reports
[[pages]]
path = "/reports"
handler = "sales.pages:reports"

# the API
[[routes]]
path = "/totals"
handler = "sales.api:totals"

[navigation]
order = ["/reports", "/"]  # reports first
"""

PYPROJECT = """\
[project]
name = "sales"

[tool.fluxlit]
title = "Sales"

[[tool.fluxlit.pages]]
path = "/"
handler = "sales.pages:home"

# lint settings
[tool.ruff]
line-length = 100
"""

INLINE = """\
pages = [
  { path = "/", handler = "sales.pages:home" },  # home
]
"""

NO_FINAL_NEWLINE = '[[pages]]\npath = "/"\nhandler = "sales.pages:home"'

NEW_PAGE = {"path": "/new", "title": "New", "handler": "sales.pages:new"}
NEW_ROUTE = {"path": "/new", "methods": ["POST"], "handler": "sales.api:new"}
NEW_MOUNT = {"path": "/files", "static": "files"}


def project(tmp_path: Path, text: str, name: str = "fluxlit.toml") -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


def path_is(path: str):  # type: ignore[no-untyped-def]
    return lambda entry: entry.get("path") == path


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (COMMENTED, "fluxlit.toml"),
        (PYPROJECT, "pyproject.toml"),
        (INLINE, "fluxlit.toml"),
        (NO_FINAL_NEWLINE + "\n", "fluxlit.toml"),
    ],
)
@pytest.mark.parametrize(
    ("kind", "entry"), [("pages", NEW_PAGE), ("routes", NEW_ROUTE), ("mounts", NEW_MOUNT)]
)
def test_add_then_remove_gives_back_the_same_bytes(
    tmp_path: Path, text: str, name: str, kind, entry
) -> None:  # type: ignore[no-untyped-def]
    root = project(tmp_path, text, name)
    manifest = open_manifest(root)
    add_entry(manifest, kind, entry)
    save(manifest)
    added = (root / name).read_text()
    assert entry["handler" if "handler" in entry else "static"] in added
    for line in text.splitlines():
        assert line in added, f"line {line!r} was changed"
    model = load_manifest(root / name)
    assert getattr(model, kind)[-1].path == "/new" if kind != "mounts" else "/files"
    manifest = open_manifest(root)
    assert remove_entries(manifest, kind, path_is(entry["path"])) == 1
    save(manifest)
    assert (root / name).read_text() == text


def test_added_entries_go_after_their_kind_and_before_the_next_comment(tmp_path: Path) -> None:
    root = project(tmp_path, COMMENTED)
    manifest = open_manifest(root)
    add_entry(manifest, "pages", NEW_PAGE)
    add_entry(manifest, "mounts", NEW_MOUNT)
    text = render(manifest)
    assert text.index('path = "/reports"') < text.index('path = "/new"')
    assert text.index('path = "/new"') < text.index("# the API") < text.index("[[routes]]")
    assert text.endswith('[[mounts]]\npath = "/files"\nstatic = "files"\n')
    assert "\n\n\n" not in text


def test_a_new_array_in_pyproject_stays_inside_tool_fluxlit(tmp_path: Path) -> None:
    root = project(tmp_path, PYPROJECT, "pyproject.toml")
    manifest = open_manifest(root)
    add_entry(manifest, "routes", NEW_ROUTE)
    text = render(manifest)
    assert text.index("[[tool.fluxlit.routes]]") < text.index("# lint settings\n[tool.ruff]")
    assert "\n\n\n" not in text


def test_removing_an_entry_takes_the_comment_above_it(tmp_path: Path) -> None:
    root = project(tmp_path, COMMENTED)
    manifest = open_manifest(root)
    assert remove_entries(manifest, "pages", path_is("/reports")) == 1
    text = render(manifest)
    assert "# the reports" not in text and '/reports"' not in text.split("[navigation]")[0]
    assert "# pages first" in text and "# the API\n[[routes]]" in text


def test_removing_the_last_entry_keeps_what_led_to_the_next_part(tmp_path: Path) -> None:
    root = project(tmp_path, PYPROJECT, "pyproject.toml")
    manifest = open_manifest(root)
    assert remove_entries(manifest, "pages", path_is("/")) == 1
    text = render(manifest)
    assert "pages" not in text
    assert '[tool.fluxlit]\ntitle = "Sales"\n\n# lint settings\n[tool.ruff]' in text


def test_navigation_order_loses_a_removed_page(tmp_path: Path) -> None:
    manifest = open_manifest(project(tmp_path, COMMENTED))
    remove_entries(manifest, "pages", path_is("/reports"))
    assert remove_from_navigation(manifest, "/reports/")
    assert 'order = ["/"]  # reports first' in render(manifest)


def test_a_file_without_final_newline_gets_a_valid_entry(tmp_path: Path) -> None:
    root = project(tmp_path, NO_FINAL_NEWLINE)
    manifest = open_manifest(root)
    add_entry(manifest, "pages", NEW_PAGE)
    save(manifest)
    assert [p.path for p in load_manifest(root / "fluxlit.toml").pages] == ["/", "/new"]


def test_no_manifest_means_a_new_fluxlit_toml(tmp_path: Path) -> None:
    manifest = open_manifest(tmp_path)
    add_entry(manifest, "routes", NEW_ROUTE)
    save(manifest)
    assert (tmp_path / "fluxlit.toml").read_text() == (
        '[[routes]]\npath = "/new"\nmethods = ["POST"]\nhandler = "sales.api:new"\n'
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"path": "/", "handler": "sales.pages:other"},
            "fluxlit.toml:16:8: pages[2].path: duplicate page path '/' (also pages[0])",
        ),
        (
            {"path": "/x", "handler": "sales.pages.x"},
            "pages[2].handler: expected \"module:function\", got 'sales.pages.x' "
            "(did you mean 'sales.pages:x'?)",
        ),
        ({"path": "x", "handler": "a:b"}, "pages[2].path: page paths start with '/'"),
    ],
)
def test_an_edit_that_breaks_the_manifest_changes_nothing(
    tmp_path: Path, entry: dict[str, str], message: str
) -> None:
    root = project(tmp_path, COMMENTED)
    manifest = open_manifest(root)
    add_entry(manifest, "pages", entry)
    with pytest.raises(EditError) as caught:
        save(manifest)
    assert message in str(caught.value)
    assert "\nfluxlit.toml was not changed" in str(caught.value)
    assert (root / "fluxlit.toml").read_text() == COMMENTED
    assert [p.name for p in root.iterdir()] == ["fluxlit.toml"], "no temp file left behind"


def test_a_key_that_is_not_an_array_is_refused(tmp_path: Path) -> None:
    manifest = open_manifest(project(tmp_path, 'pages = "home"\n'))
    with pytest.raises(EditError, match="'pages' is not an array of tables"):
        add_entry(manifest, "pages", NEW_PAGE)


def test_the_edited_file_keeps_its_mode(tmp_path: Path) -> None:
    root = project(tmp_path, COMMENTED)
    (root / "fluxlit.toml").chmod(0o640)
    manifest = open_manifest(root)
    add_entry(manifest, "pages", NEW_PAGE)
    save(manifest)
    assert (root / "fluxlit.toml").stat().st_mode & 0o777 == 0o640


FIELDS = {
    "pages": lambda i: f'handler = "app.pages:page_{i}"',
    "routes": lambda i: f'handler = "app.api:route_{i}"',
    "mounts": lambda i: f'static = "files_{i}"',
}


@st.composite
def manifests(draw: st.DrawFn) -> tuple[str, list[tuple[str, int]]]:
    """A manifest written by hand: comments above and beside entries, uneven blank lines,
    and maybe a plain table between the arrays."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines += ["# the app", 'title = "Sales"  # shown in the API docs', ""]
    entries = []
    for kind in draw(st.permutations([*FIELDS, "settings"])):
        if kind == "settings":
            if draw(st.booleans()):
                lines += ["# runtime", "[settings]", 'runtime_mode = "sidecar"', ""]
            continue
        for index in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                lines.append(f"# about {kind} {index}")
            lines.append(f"[[{kind}]]")
            inline = "  # inline" if draw(st.booleans()) else ""
            lines += [f'path = "/{kind}-{index}"{inline}', FIELDS[kind](index)]
            lines += [""] * draw(st.integers(0, 2))
            entries.append((kind, index))
    return "\n".join(lines).strip("\n") + "\n", entries


@settings(max_examples=150, deadline=None)
@given(manifest=manifests(), kind=st.sampled_from(list(FIELDS)))
def test_adding_then_removing_any_entry_restores_any_file(
    tmp_path_factory: pytest.TempPathFactory, manifest: tuple[str, list[tuple[str, int]]], kind
) -> None:  # type: ignore[no-untyped-def]
    text, _ = manifest
    root = project(tmp_path_factory.mktemp("edit"), text)
    document = open_manifest(root)
    add_entry(
        document,
        kind,
        {"path": "/added", **({"static": "x"} if kind == "mounts" else {"handler": "a:b"})},
    )
    save(document)
    assert load_manifest(root / "fluxlit.toml")
    document = open_manifest(root)
    assert remove_entries(document, kind, path_is("/added")) == 1
    assert render(document) == text


@settings(max_examples=150, deadline=None)
@given(manifest=manifests(), data=st.data())
def test_removing_an_entry_keeps_every_other_line_that_mattered(
    tmp_path_factory: pytest.TempPathFactory,
    manifest: tuple[str, list[tuple[str, int]]],
    data: st.DataObject,
) -> None:
    text, entries = manifest
    assume(entries)
    kind, index = data.draw(st.sampled_from(entries))
    root = project(tmp_path_factory.mktemp("edit"), text)
    document = open_manifest(root)
    assert remove_entries(document, kind, path_is(f"/{kind}-{index}")) == 1
    save(document)
    after = (root / "fluxlit.toml").read_text()
    gone = {f"# about {kind} {index}", f'path = "/{kind}-{index}"', FIELDS[kind](index)}
    for line in text.splitlines():
        if line.strip() and not line.startswith("[[") and not any(line.startswith(g) for g in gone):
            assert line in after.splitlines(), f"lost {line!r}"
    assert all(not any(line.startswith(g) for g in gone) for line in after.splitlines())
    assert "\n\n\n" not in after or "\n\n\n" in text
    model = load_manifest(root / "fluxlit.toml")
    left = [(k, i) for k, i in entries if (k, i) != (kind, index)]
    for name in FIELDS:
        assert [e.path for e in getattr(model, name)] == [f"/{k}-{i}" for k, i in left if k == name]
