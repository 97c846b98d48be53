"""OpenTelemetry traces of each query: ``lakegate.query`` with children for planning (and each
planner pass under it: parse, authorize, ...), the wait in the resource-group queue, the engine's
start (``lakegate.execute``) and sending the result (``lakegate.stream``).

Without ``server.tracing.otlp_endpoint`` nothing is recorded and a query opens no spans at all
(a small query would pay for every context switch). With it, spans are batched and exported by OTLP over HTTP
(``http://collector:4318/v1/traces``). The SQL text is not put on spans (it may hold personal
data); its SHA-256 is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import context, trace
from opentelemetry.trace import Span, Status, StatusCode

if TYPE_CHECKING:
    from gateway.config import TracingSettings
    from gateway.errors import LakegateError
    from gateway.queries import QueryRecord

tracer = trace.get_tracer("lakegate")
_provider: Any = None


def configure_tracing(settings: TracingSettings | None, exporter: Any = None) -> None:
    """Install an SDK tracer provider exporting by OTLP (or to ``exporter``, for tests); does
    nothing when tracing is not configured."""
    if settings is None or (settings.otlp_endpoint is None and exporter is None):
        return
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint)))
    global tracer, _provider
    _provider = provider
    tracer = provider.get_tracer("lakegate")


def tracing_enabled() -> bool:
    """Whether spans are recorded (a tracer provider is installed); if not, callers may skip
    opening spans at all (the planner's 25 pass spans cost more than some passes)."""
    return _provider is not None


def flush() -> None:
    """Export what is batched (at shutdown)."""
    if _provider is not None:
        _provider.force_flush()


class QueryTrace:
    """One query's spans: the root, and the ones open across calls (stream)."""

    __slots__ = ("_open", "_recording", "root")

    def __init__(self, record: QueryRecord) -> None:
        self._open: dict[str, Span] = {}
        #: without a tracer provider nothing is recorded: spans are skipped (small queries pay
        #: for every context switch and hash)
        self._recording = tracing_enabled()
        if not self._recording:
            self.root: Span = trace.INVALID_SPAN
            return
        self.root = tracer.start_span(
            "lakegate.query",
            attributes={
                "lakegate.query_id": record.id,
                "lakegate.user": record.user,
                "lakegate.door": record.source,
                "lakegate.sql_sha256": hashlib.sha256(record.sql.encode("utf-8", "replace")).hexdigest(),
            },
        )

    @contextmanager
    def span(self, name: str) -> Iterator[Span]:
        """A child of the query's span, current while the block runs (planner passes nest)."""
        if not self._recording:
            yield trace.INVALID_SPAN
            return
        token = context.attach(trace.set_span_in_context(self.root))
        try:
            with tracer.start_as_current_span(name) as span:
                yield span
        finally:
            context.detach(token)

    def open(self, name: str) -> None:
        if not self._recording:
            return
        self._open[name] = tracer.start_span(name, context=trace.set_span_in_context(self.root))

    def close(self, name: str) -> None:
        span = self._open.pop(name, None)
        if span is not None:
            span.end()

    def finish(self, record: QueryRecord, error: LakegateError | None) -> None:
        if not self._recording:
            return
        for name in list(self._open):
            self.close(name)
        self.root.set_attribute("lakegate.state", record.state.value)
        self.root.set_attribute("lakegate.rows", record.rows)
        self.root.set_attribute("lakegate.bytes", record.bytes)
        if record.resource_group:
            self.root.set_attribute("lakegate.resource_group", record.resource_group)
        if error is not None:
            self.root.set_attribute("lakegate.error_code", error.code.value)
            self.root.set_status(Status(StatusCode.ERROR, error.code.value))
        self.root.end()


@contextmanager
def pass_span(name: str) -> Iterator[None]:
    """One planner pass, under whatever span is current (the query's plan span)."""
    with tracer.start_as_current_span(name):
        yield
