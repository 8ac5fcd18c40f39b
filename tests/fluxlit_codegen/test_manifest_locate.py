"""The locator maps key paths to line and column in TOML text."""

from __future__ import annotations

import tomllib

from hypothesis import given
from hypothesis import strategies as st

from fluxlit_codegen.locate import locate_keys, nearest

TEXT = """\
title = "Demo"
auth.jwt.issuer = "i"   # dotted key

[[pages]]
path = "/"
  handler = "a:b"
[pages.page_meta]
layout = "wide"

[[pages]]
path = "/x"
script = '''
[not_a_table]
fake = 1
'''

[[routes]]
path = "/r"
auth = { roles = ["admin"], scopes = ["s"] }

[session_store]
kind = "redis"
"""


def test_tables_arrays_inline_tables_and_dotted_keys() -> None:
    found = locate_keys(TEXT)
    assert found["title"] == (1, 1)
    assert found["auth.jwt.issuer"] == (2, 1)
    assert found["pages[0]"] == (4, 1)
    assert found["pages[0].handler"] == (6, 3)
    assert found["pages[0].page_meta"] == (7, 1)
    assert found["pages[0].page_meta.layout"] == (8, 1)
    assert found["pages[1].script"] == (12, 1)
    assert found["routes[0].auth"] == (19, 1)
    assert found["routes[0].auth.roles"] == (19, 10)
    assert found["routes[0].auth.scopes"] == (19, 29)
    assert found["session_store.kind"] == (22, 1)


def test_values_are_located_after_the_equals_sign() -> None:
    found = locate_keys(TEXT)
    assert found["title="] == (1, 9)
    assert found["pages[0].handler="] == (6, 13)
    assert found["routes[0].auth.roles="] == (19, 18)
    assert nearest(found, "routes[0].auth.roles[0]", value=True) == (19, 18)
    assert nearest(found, "pages[0].handler", value=False) == (6, 3)
    assert nearest(found, "pages[0].page_meta.missing", value=True) == (7, 1)


def test_multiline_strings_hide_their_content() -> None:
    found = locate_keys(TEXT)
    assert "not_a_table" not in found
    assert "pages[1].fake" not in found


def test_nearest_falls_back_to_the_closest_parent() -> None:
    found = locate_keys(TEXT)
    assert nearest(found, "pages[0].page_meta.breadcrumbs") == (7, 1)
    assert nearest(found, "routes[0].auth.roles[3]") == (19, 10)
    assert nearest(found, "mounts[0].path") == (1, 1)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["pages", "routes", "mounts"]),
            st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_every_key_in_arrays_of_tables_is_found(entries: list[tuple[str, str]]) -> None:
    lines: list[str] = []
    expected: dict[str, int] = {}
    counts: dict[str, int] = {}
    for table, key in entries:
        index = counts.get(table, 0)
        counts[table] = index + 1
        lines.append(f"[[{table}]]")
        lines.append(f'{key} = "v"')
        expected[f"{table}[{index}].{key}"] = len(lines)
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # the generated text is valid TOML
    found = locate_keys(text)
    assert {path: found[path][0] for path in expected} == expected
