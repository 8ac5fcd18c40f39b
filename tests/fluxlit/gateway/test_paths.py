"""Normalisation of the API prefix and public mount, and the path split."""

from __future__ import annotations

import pytest

from fluxlit.gateway import normalize_api_mount_path, normalize_root_mount, split_gateway_paths


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/api", "/api"),
        ("api/", "/api"),
        ("", "/api"),
        ("  ", "/api"),
        ("/", "/"),
        ("//v1//", "/v1"),
        (" /a/b/ ", "/a/b"),
        ("1//1", "/1/1"),
        ("//a///b//", "/a/b"),
    ],
)
def test_normalize_api_mount_path(raw: str, expected: str) -> None:
    assert normalize_api_mount_path(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("/", ""),
        ("apps/demo/", "/apps/demo"),
        ("/content/1", "/content/1"),
        ("//apps//demo", "/apps/demo"),
    ],
)
def test_normalize_root_mount(raw: str | None, expected: str) -> None:
    assert normalize_root_mount(raw) == expected


@pytest.mark.parametrize("raw", ["a b", "/a?b", "/a#b", '/"a"', "/a\\b", "/a/../b", "a//./b"])
def test_normalize_api_mount_path_still_refuses_what_is_not_a_path(raw: str) -> None:
    with pytest.raises(ValueError, match="api_mount_path"):
        normalize_api_mount_path(raw)


@pytest.mark.parametrize(
    ("path", "mount", "expected"),
    [
        ("/api/x", "", ("/api/x", "/api/x")),
        ("/content/1/api/x", "/content/1", ("/api/x", "/content/1/api/x")),
        ("/content/1", "/content/1", ("/", "/content/1")),
        ("/api/x", "/content/1", ("/api/x", "/content/1/api/x")),
        ("/content/12/x", "/content/1", ("/content/12/x", "/content/1/content/12/x")),
    ],
)
def test_split_gateway_paths(path: str, mount: str, expected: tuple[str, str]) -> None:
    assert split_gateway_paths(path, mount) == expected
