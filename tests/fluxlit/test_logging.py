"""Request ids, JSON log lines and redaction."""

from __future__ import annotations

import io
import json
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fluxlit.logging import (
    JsonLogFormatter,
    new_request_id,
    redact_authorization,
    redact_query_string,
    reset_request_id,
    sanitize_headers,
    set_request_id,
)
from fluxlit.logging.context import get_request_id


def test_request_id_context() -> None:
    first, second = new_request_id(), new_request_id()
    assert first != second and len(first) == 36
    token = set_request_id(first)
    assert get_request_id() == first
    reset_request_id(token)
    assert get_request_id() is None


def test_json_formatter_merges_extra_and_request_id() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter())
    logger = logging.getLogger("fluxlit.test.json")
    logger.handlers = [handler]
    logger.propagate = False
    token = set_request_id("rid-1")
    try:
        logger.warning("hello %s", "world", extra={"path": "/api/x", "obj": object()})
        try:
            raise RuntimeError("kaput")
        except RuntimeError:
            logger.exception("failed")
    finally:
        reset_request_id(token)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "hello world" and first["level"] == "WARNING"
    assert first["request_id"] == "rid-1" and first["path"] == "/api/x"
    assert first["obj"].startswith("<object object")
    assert "RuntimeError: kaput" in second["exc_info"]


def test_redaction() -> None:
    assert redact_authorization("Bearer abc.def") == "Bearer <redacted>"
    assert redact_authorization("opaque") == "<redacted>"
    assert redact_authorization(None) == ""
    headers = sanitize_headers(
        {"Authorization": "Bearer s3cret", "cookie": "sid=1", "X-Other": "keep"}
    )
    assert headers == {
        "Authorization": "Bearer <redacted>",
        "cookie": "<redacted>",
        "X-Other": "keep",
    }
    assert "s3cret" not in json.dumps(sanitize_headers([("AUTHORIZATION", "Bearer s3cret")]))


def test_redact_query_string() -> None:
    assert redact_query_string("a=1&token=xyz&auth_code=q") == (
        "a=1&token=<redacted>&auth_code=<redacted>"
    )
    assert redact_query_string("a=1&mine=2", sensitive_keys=["mine"]) == "a=1&mine=<redacted>"
    assert redact_query_string("") == ""
    assert redact_query_string("not a query") == "not a query"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("token=secret&flag", "token=<redacted>&flag"),
        ("token=x&&a=1", "token=<redacted>&&a=1"),
        ("?auth_code=SECRET&", "?auth_code=<redacted>&"),
        ("access_token=SECRET&x", "access_token=<redacted>&x"),
        ("flag&Token=SECRET", "flag&Token=<redacted>"),
        ("to%6Ben=SECRET&a=%zz", "to%6Ben=<redacted>&a=%zz"),
        ("password=a=b=c", "password=<redacted>"),
    ],
)
def test_one_malformed_segment_does_not_expose_the_others(raw: str, expected: str) -> None:
    assert redact_query_string(raw) == expected


def test_other_values_are_kept_byte_for_byte() -> None:
    raw = "a=hello%20world&b=c+d&e=%7E&token=t"
    assert redact_query_string(raw) == "a=hello%20world&b=c+d&e=%7E&token=<redacted>"


def test_explicit_empty_key_list_redacts_nothing() -> None:
    assert redact_query_string("token=t&code=c", sensitive_keys=[]) == "token=t&code=c"
    assert redact_query_string("token=t&mine=m", sensitive_keys=("MINE",)) == (
        "token=t&mine=<redacted>"
    )


_plain = st.text(alphabet="abcdefghij%+=?", max_size=8)
_secret = st.text(alphabet="ZYXWVU", min_size=1, max_size=8)
_sensitive = st.sampled_from(["token", "TOKEN", "auth_code", "fluxlit_sid", "to%6Ben"])


@given(
    st.lists(
        st.one_of(
            st.tuples(_sensitive, _secret).map(lambda kv: f"{kv[0]}={kv[1]}"),
            _plain,
            st.tuples(_plain, _plain).map(lambda kv: f"{kv[0]}={kv[1]}"),
        ),
        max_size=6,
    ),
    st.booleans(),
)
def test_no_sensitive_value_survives(segments: list[str], leading_mark: bool) -> None:
    """Whatever surrounds them, the values of sensitive keys never reach the output."""
    raw = ("?" if leading_mark else "") + "&".join(segments)
    out = redact_query_string(raw)
    assert not any(ch in out for ch in "ZYXWVU")
    assert out.count("&") == raw.count("&")
