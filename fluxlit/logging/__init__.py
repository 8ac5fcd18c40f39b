"""Logging helpers: request ids, JSON formatting and redaction for safe access logs."""

from fluxlit.logging.context import (
    get_request_id,
    new_request_id,
    request_id_ctx,
    reset_request_id,
    set_request_id,
)
from fluxlit.logging.formatter import JsonLogFormatter, configure_logging
from fluxlit.logging.redact import redact_authorization, redact_query_string, sanitize_headers

__all__ = [
    "JsonLogFormatter",
    "configure_logging",
    "get_request_id",
    "new_request_id",
    "redact_authorization",
    "redact_query_string",
    "request_id_ctx",
    "reset_request_id",
    "sanitize_headers",
    "set_request_id",
]
