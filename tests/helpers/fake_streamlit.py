"""A small stand-in for the ``streamlit`` module: query params, session state, context, errors."""

from __future__ import annotations

from typing import Any


class FakeQueryParams(dict):
    """Dict-like like ``st.query_params``; ``read_only`` makes writes fail."""

    def __init__(self, data: dict[str, Any], read_only: bool = False) -> None:
        super().__init__(data)
        self.read_only = read_only

    def __setitem__(self, key: str, value: Any) -> None:
        if self.read_only:
            raise RuntimeError("query_params is read-only here")
        super().__setitem__(key, value)

    def to_dict(self) -> dict[str, Any]:
        return {k: (v[-1] if isinstance(v, list) and v else v) for k, v in self.items()}

    def get_all(self, key: str) -> list[Any]:
        value = self.get(key)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]


class FakeContext:
    def __init__(self, headers: dict[str, str], cookies: dict[str, str]) -> None:
        self.headers = headers
        self.cookies = cookies


class FakeSt:
    """What page helpers touch on ``st``."""

    def __init__(
        self,
        query: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
    ) -> None:
        self.query_params = FakeQueryParams(query or {}, read_only)
        self.session_state: dict[str, Any] = {}
        self.errors: list[str] = []
        self.written: list[Any] = []
        self.context = FakeContext(headers or {}, cookies or {})

    def error(self, message: str) -> None:
        self.errors.append(message)

    def write(self, value: Any) -> None:
        self.written.append(value)
