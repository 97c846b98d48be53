"""OpenTelemetry traces: a query's span with children for planning (each pass under it), the
queue, the engine and the stream; exported by OTLP over HTTP to a receiver the test runs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway.app import create_app
from gateway.config import TracingSettings
from gateway.observability import tracing
from tests.conftest import demo_config
from tests.server import LiveServer

USER = {"X-Lakegate-User": "ada", "Accept": "application/json"}


@pytest.fixture
def restore_tracer() -> Iterator[None]:
    before = tracing.tracer, tracing._provider
    yield
    tracing.tracer, tracing._provider = before


def test_a_query_is_traced_from_plan_to_stream(demo_dir: Path, restore_tracer: None) -> None:
    exporter = InMemorySpanExporter()
    tracing.configure_tracing(TracingSettings(), exporter=exporter)
    with LiveServer(create_app(demo_config(demo_dir))) as live:
        sql = "SELECT full_name FROM crm.main.customers LIMIT 2"
        answer = httpx.post(f"{live.url}/v1/query", json={"sql": sql}, headers=USER, timeout=30)
        assert answer.status_code == 200
        query_id = answer.headers["x-lakegate-query-id"]
    spans = exporter.get_finished_spans()
    (root,) = [
        s for s in spans if s.name == "lakegate.query" and s.attributes["lakegate.query_id"] == query_id
    ]
    trace_spans = [s for s in spans if s.context.trace_id == root.context.trace_id]
    names = {s.name for s in trace_spans}
    assert {
        "lakegate.plan",
        "lakegate.queue",
        "lakegate.execute",
        "lakegate.stream",
        "parse",
        "authorize",
    } <= names
    by_id = {s.context.span_id: s for s in trace_spans}
    parse = next(s for s in trace_spans if s.name == "parse")
    assert by_id[parse.parent.span_id].name == "lakegate.plan"  # passes nest under planning
    assert root.attributes["lakegate.state"] == "FINISHED"
    assert root.attributes["lakegate.rows"] == 2
    assert root.attributes["lakegate.user"] == "ada"
    assert all(sql not in str(s.attributes) for s in trace_spans), "the SQL text is not on spans"


def test_a_refused_query_is_an_error_span(demo_dir: Path, restore_tracer: None) -> None:
    exporter = InMemorySpanExporter()
    tracing.configure_tracing(TracingSettings(), exporter=exporter)
    with LiveServer(create_app(demo_config(demo_dir))) as live:
        refused = httpx.post(
            f"{live.url}/v1/query", json={"sql": "SELECT * FROM nowhere.x.y"}, headers=USER, timeout=30
        )
        assert refused.status_code in (403, 404)
        code = refused.json()["code"]
    (root,) = [s for s in exporter.get_finished_spans() if s.name == "lakegate.query"]
    assert root.attributes["lakegate.error_code"] == code
    assert not root.status.is_ok


class _Receiver(BaseHTTPRequestHandler):
    received: list[ExportTraceServiceRequest] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        self.received.append(request)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


def test_spans_are_exported_by_otlp_over_http(demo_dir: Path, restore_tracer: None) -> None:
    receiver = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{receiver.server_address[1]}/v1/traces"
    try:
        config = demo_config(demo_dir, tracing={"otlp_endpoint": endpoint, "service_name": "lakegate-test"})
        with LiveServer(create_app(config)) as live:
            answer = httpx.post(f"{live.url}/v1/query", json={"sql": "SELECT 1"}, headers=USER, timeout=30)
            assert answer.status_code == 200
    finally:
        receiver.shutdown()
    spans = [
        (resource.resource, span)
        for request in _Receiver.received
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]
    assert any(span.name == "lakegate.query" for _, span in spans)
    services = {a.value.string_value for r, _ in spans for a in r.attributes if a.key == "service.name"}
    assert services == {"lakegate-test"}
