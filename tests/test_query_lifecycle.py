"""Cancellation, disconnects, time and size limits, and concurrency, over real HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyarrow as pa
import pytest

from gateway.app import create_app
from tests.conftest import demo_config
from tests.server import LiveServer

# Runs for minutes on the tiny data set unless stopped: ~90 billion row triples.
ENDLESS = (
    "SELECT count(*) AS n FROM tpch.tiny.lineitem a, tpch.tiny.lineitem b, tpch.tiny.nation c "
    "WHERE (a.l_partkey * 7 + b.l_suppkey * 13 + c.n_nationkey) % 1000003 = 17"
)
MANY_ROWS = "SELECT a.*, b.n_name FROM tpch.tiny.lineitem a, tpch.tiny.nation b"  # 1.5 million rows


def wait_for_state(
    http: httpx.Client, query_id: str, states: set[str], timeout: float = 10
) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        status: dict[str, object] = http.get(f"/v1/queries/{query_id}").json()
        if status["state"] in states or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_delete_cancels_a_running_query(http: httpx.Client) -> None:
    with http.stream("POST", "/v1/query", json={"sql": ENDLESS}) as response:
        assert response.status_code == 200
        query_id = response.headers["x-lakegate-query-id"]
        assert http.get(f"/v1/queries/{query_id}").json()["state"] == "RUNNING"
        started = time.monotonic()
        assert http.delete(f"/v1/queries/{query_id}").status_code == 204
        # The connection is dropped mid-body, so no client mistakes a partial stream for a result.
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()
    assert time.monotonic() - started < 5
    status = wait_for_state(http, query_id, {"CANCELED"})
    assert status["state"] == "CANCELED"
    assert status["error"]["code"] == "QUERY_CANCELED"  # type: ignore[index]


def test_a_client_that_disconnects_cancels_its_query(http: httpx.Client) -> None:
    with http.stream("POST", "/v1/query", json={"sql": MANY_ROWS}) as response:
        query_id = response.headers["x-lakegate-query-id"]
        next(response.iter_bytes())
    status = wait_for_state(http, query_id, {"CANCELED", "FAILED", "FINISHED"})
    assert status["state"] == "CANCELED"
    assert int(status["rows"]) < 1_500_000  # type: ignore[call-overload]


def _running_queries(server: LiveServer) -> list[str]:
    return [record.id for record in server.app.state.gateway.queries.running()]


@pytest.mark.parametrize("accept", ["application/json", "text/csv"])
def test_a_client_that_gives_up_waiting_for_a_json_or_csv_answer_cancels_its_query(
    server: LiveServer, accept: str
) -> None:
    """JSON is built whole and CSV waits for its columns: the client never sees the query id, so
    only the server can notice that it went away."""
    assert _running_queries(server) == []
    with (
        httpx.Client(base_url=server.url, timeout=1.0, headers={"X-Lakegate-User": "root"}) as impatient,
        pytest.raises(httpx.ReadTimeout),
    ):
        impatient.post("/v1/query", json={"sql": ENDLESS}, headers={"Accept": accept})
    deadline = time.monotonic() + 5
    while _running_queries(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _running_queries(server) == [], "the abandoned query is still running"
    finished = [r for r in server.app.state.gateway.queries.recent() if r.sql == ENDLESS]
    assert finished, "the abandoned query left no record"
    assert finished[-1].describe()["state"] == "CANCELED"
    assert "disconnected" in finished[-1].describe()["error"]["detail"]


def test_a_long_query_does_not_stall_others(http: httpx.Client) -> None:
    with http.stream("POST", "/v1/query", json={"sql": ENDLESS}) as response:
        query_id = response.headers["x-lakegate-query-id"]
        started = time.monotonic()
        for _ in range(20):
            assert http.post("/v1/query", json={"sql": "SELECT 1"}).status_code == 200
        assert time.monotonic() - started < 5
        http.delete(f"/v1/queries/{query_id}")
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()


@pytest.fixture(scope="module")
def limited(demo_dir: Path) -> Iterator[httpx.Client]:
    config = demo_config(
        demo_dir,
        limits={"timeout_seconds": 1, "max_rows": 100_000, "max_text_rows": 100},
        engine={"batch_rows": 10_000, "max_concurrent_queries": 2},
    )
    with (
        LiveServer(create_app(config)) as live,
        httpx.Client(base_url=live.url, timeout=30, headers={"X-Lakegate-User": "root"}) as client,
    ):
        yield client


def test_timeout_stops_a_query(limited: httpx.Client) -> None:
    started = time.monotonic()
    with limited.stream("POST", "/v1/query", json={"sql": ENDLESS}) as response:
        query_id = response.headers["x-lakegate-query-id"]
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()
    assert time.monotonic() - started < 5
    status = wait_for_state(limited, query_id, {"FAILED"})
    assert status["error"]["code"] == "QUERY_TIMEOUT"  # type: ignore[index]


def test_max_rows_stops_a_query(limited: httpx.Client) -> None:
    with limited.stream("POST", "/v1/query", json={"sql": MANY_ROWS}) as response:
        query_id = response.headers["x-lakegate-query-id"]
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()
    status = wait_for_state(limited, query_id, {"FAILED"})
    assert status["error"]["code"] == "RESULT_TOO_LARGE"  # type: ignore[index]
    assert int(status["rows"]) <= 100_000  # type: ignore[call-overload]


def test_json_is_for_small_results(limited: httpx.Client) -> None:
    response = limited.post(
        "/v1/query", json={"sql": "SELECT * FROM tpch.tiny.orders"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "RESULT_TOO_LARGE"
    assert "arrow" in response.json()["detail"]


def test_streaming_many_rows_arrives_whole(http: httpx.Client) -> None:
    with http.stream("POST", "/v1/query", json={"sql": MANY_ROWS}) as response:
        reader = pa.ipc.open_stream(response.read())
        rows = sum(batch.num_rows for batch in reader)
    assert rows == 60175 * 25


def test_concurrent_streams(http: httpx.Client, server: LiveServer) -> None:
    results: list[int] = []

    def run() -> None:
        with httpx.Client(base_url=server.url, timeout=60, headers={"X-Lakegate-User": "root"}) as client:
            response = client.post("/v1/query", json={"sql": "SELECT * FROM tpch.tiny.lineitem"})
            results.append(pa.ipc.open_stream(response.content).read_all().num_rows)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [60175] * 4
