"""One structured log line per request and per query; request ids; latency histograms per route."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from gateway.observability.log_format import JsonFormatter, TextFormatter
from tests.server import LiveServer


def _fields(caplog: pytest.LogCaptureFixture, logger: str) -> list[dict[str, object]]:
    return [dict(r.fields) for r in caplog.records if r.name == logger and hasattr(r, "fields")]  # type: ignore[attr-defined]


def test_a_query_logs_one_request_line_and_one_query_line(
    server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="lakegate")
    with httpx.Client(base_url=server.url, headers={"X-Lakegate-User": "ada"}) as client:
        response = client.post(
            "/v1/query",
            json={"sql": "SELECT n_name FROM tpch.tiny.nation"},
            headers={"Accept": "application/json", "X-Request-Id": "req-123"},
        )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-123"
    query_id = response.headers["x-lakegate-query-id"]
    queries = [f for f in _fields(caplog, "lakegate.queries") if f["query_id"] == query_id]
    assert len(queries) == 1
    assert queries[0] | {"duration_ms": 0} == {
        "query_id": query_id,
        "user": "ada",
        "door": "native",
        "state": "FINISHED",
        "rows": 25,
        "bytes": queries[0]["bytes"],
        "duration_ms": 0,
        "error_code": None,
    }
    requests = [f for f in _fields(caplog, "lakegate.requests") if f["request_id"] == "req-123"]
    assert len(requests) == 1
    line = requests[0]
    assert (line["door"], line["route"], line["method"], line["status"]) == (
        "native",
        "/v1/query",
        "POST",
        200,
    )
    assert (line["user"], line["query_id"]) == ("ada", query_id)


def test_request_ids_are_made_when_missing_or_unsafe(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        made = client.get("/healthz").headers["x-request-id"]
        unsafe = client.get("/healthz", headers={"X-Request-Id": "bad id<script>"}).headers["x-request-id"]
    assert len(made) == 32
    assert unsafe != "bad id<script>"
    assert len(unsafe) == 32


def test_latency_histograms_by_route_template_and_door(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, headers={"X-Lakegate-User": "root"}) as client:
        client.get("/v1/queries/20990101_000000_00000_xxxxx")
        metrics = client.get("/metrics").text
    assert (
        'lakegate_http_request_duration_seconds_count{door="native",method="GET",'
        'route="/v1/queries/{query_id}",status="404"}' in metrics
    )
    assert "20990101_000000" not in metrics, "raw paths (with ids) would make unbounded label sets"


def test_the_json_format_puts_fields_at_the_top_level() -> None:
    record = logging.LogRecord("lakegate.queries", logging.INFO, __file__, 1, "query", None, None)
    record.fields = {"query_id": "q1", "rows": 3, "error_code": None}
    doc = json.loads(JsonFormatter().format(record))
    assert doc["message"] == "query"
    assert (doc["query_id"], doc["rows"], doc["level"]) == ("q1", 3, "INFO")
    text = TextFormatter().format(record)
    assert text.endswith("query query_id=q1 rows=3")
