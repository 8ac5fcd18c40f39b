"""OpenTelemetry for FluxLit (the ``otel`` extra): one implementation of the trace hook.

``OpenTelemetryHook`` turns FluxLit's spans into OpenTelemetry spans: the gateway span
continues the client's W3C ``traceparent`` (unless a span is already current) and its
own ``traceparent`` goes back on the response and on ``ApiClient`` calls made under it.
``enable_tracing`` installs the hook process-wide and instruments the FastAPI app, so
FastAPI's spans nest under the gateway's. Spans go to the tracer provider you configure
(``opentelemetry.trace.set_tracer_provider``, or ``opentelemetry-instrument``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from fluxlit.errors import UserError
from fluxlit.tracing import current_trace_hook, install_trace_hook

try:
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise UserError(
        'FLUXLIT_TRACING_ENABLED needs OpenTelemetry: pip install "fluxlit[otel]"'
    ) from exc

GATEWAY_SPAN = "fluxlit.gateway.request"
_PROPAGATOR = TraceContextTextMapPropagator()
_SKIPPED = frozenset({"traceparent"})


def _attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values OpenTelemetry accepts as attributes (no ``None``, no header copies)."""
    return {
        key: value
        for key, value in values.items()
        if key not in _SKIPPED and isinstance(value, str | bool | int | float)
    }


class SpanHandle:
    """What the hook yields: the OpenTelemetry span and its W3C ``traceparent``."""

    def __init__(self, span: trace.Span) -> None:
        self.span = span

    @property
    def traceparent(self) -> str | None:
        """This span's id as a ``traceparent`` header value."""
        carrier: dict[str, str] = {}
        _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(self.span))
        return carrier.get("traceparent")


class OpenTelemetryHook:
    """A ``fluxlit.tracing`` hook recording OpenTelemetry spans."""

    def __init__(self, tracer_provider: trace.TracerProvider | None = None) -> None:
        self.tracer = trace.get_tracer("fluxlit", tracer_provider=tracer_provider)

    def __call__(self, name: str, attributes: Mapping[str, Any]) -> Any:
        return self._span(name, attributes)

    @contextlib.contextmanager
    def _span(self, name: str, attributes: Mapping[str, Any]) -> Iterator[SpanHandle]:
        parent: otel_context.Context | None = None
        inbound = attributes.get("traceparent")
        current = trace.get_current_span().get_span_context()
        if isinstance(inbound, str) and not current.is_valid:
            parent = _PROPAGATOR.extract({"traceparent": inbound})
        kind = trace.SpanKind.SERVER if name == GATEWAY_SPAN else trace.SpanKind.INTERNAL
        with self.tracer.start_as_current_span(
            name, context=parent, kind=kind, attributes=_attributes(attributes)
        ) as span:
            try:
                yield SpanHandle(span)
            finally:
                # The gateway fills in side, route and status while the span is open.
                span.set_attributes(_attributes(attributes))
                status = attributes.get("http.status_code")
                if (isinstance(status, int) and status >= 500) or "error.type" in attributes:
                    span.set_status(trace.StatusCode.ERROR)


def enable_tracing(api: Any = None, tracer_provider: trace.TracerProvider | None = None) -> None:
    """Install ``OpenTelemetryHook`` for this process and instrument the FastAPI ``api``.

    Idempotent. FastAPI's instrumentation is used when
    ``opentelemetry-instrumentation-fastapi`` is installed (it is part of the extra).
    """
    if not isinstance(current_trace_hook(), OpenTelemetryHook):
        install_trace_hook(OpenTelemetryHook(tracer_provider))
    if api is None or getattr(api, "_fluxlit_otel", False):
        return
    try:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    except ImportError:
        return
    # One span per request under the gateway's; none per ASGI message sent or received.
    FastAPIInstrumentor.instrument_app(
        api, tracer_provider=tracer_provider, exclude_spans=["receive", "send"]
    )
    api._fluxlit_otel = True
