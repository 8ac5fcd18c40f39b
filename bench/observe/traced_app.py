"""The gateway bench app with OpenTelemetry's SDK recording every span.

Spans go through a ``BatchSpanProcessor`` to an exporter that drops them, so the
figure includes the SDK's cost of making and queueing spans but no network.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench_app import app
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult


class DropSpans(SpanExporter):
    """Accepts every batch and keeps nothing."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


provider = TracerProvider()
provider.add_span_processor(BatchSpanProcessor(DropSpans()))
trace.set_tracer_provider(provider)

__all__ = ["app"]
