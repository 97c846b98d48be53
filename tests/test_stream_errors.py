"""A query that fails after some Arrow batches were sent never looks like a complete answer: the
stream ends with an error message (gateway/stream_errors.py) that every Arrow reader refuses, and
the Lakegate client raises the server's typed error from it without asking for the status."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyarrow as pa
import pytest

import lakegate
from gateway.app import create_app
from gateway.stream_errors import ERROR_METADATA_KEY, error_message
from lakegate.arrow_stream import ERROR_METADATA_KEY as CLIENT_KEY
from lakegate.arrow_stream import ResponseRawIO, StreamFailed, StreamInterrupted, problem_of
from tests.conftest import demo_config
from tests.server import LiveServer

PROBLEM = {
    "type": "urn:lakegate:error:result-too-large",
    "title": "Result too large",
    "status": 413,
    "detail": "the result exceeds 20000 rows",
    "code": "RESULT_TOO_LARGE",
    "query_id": "20261205_081500_00042_n2",
}
SQL = "SELECT l_orderkey, l_comment FROM tpch.tiny.lineitem"  # 60,175 rows


def _table(rows: int) -> pa.Table:
    return pa.table({"n": pa.array(range(rows), pa.int64()), "s": [f"row {i}" for i in range(rows)]})


def _failed_stream(table: pa.Table, batches: int) -> bytes:
    """What the server sends when the query fails after ``batches`` batches."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=10)[:batches]:
            writer.write_batch(batch)
    whole: bytes = sink.getvalue().to_pybytes()
    return whole[:-8] + error_message(PROBLEM)  # no end-of-stream marker: the error instead


def _read_until_failure(reader: pa.ipc.RecordBatchStreamReader) -> tuple[int, Exception]:
    """The rows read before the reader failed, and its error (a complete stream fails the test:
    StopIteration)."""
    rows = 0
    while True:
        try:
            rows += reader.read_next_batch().num_rows
        except (OSError, pa.ArrowException) as exc:
            return rows, exc


def test_server_and_client_name_the_error_alike() -> None:
    assert ERROR_METADATA_KEY.encode() == CLIENT_KEY


@pytest.mark.parametrize("batches", [0, 1, 3])
def test_any_arrow_reader_refuses_a_failed_stream(batches: int) -> None:
    reader = pa.ipc.open_stream(io.BytesIO(_failed_stream(_table(30), batches)))
    with pytest.raises(OSError, match="not RecordBatch"):
        reader.read_all()
    rows, error = _read_until_failure(pa.ipc.open_stream(io.BytesIO(_failed_stream(_table(30), batches))))
    assert rows == 10 * batches
    assert "not RecordBatch" in str(error)


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
@pytest.mark.parametrize("batches", [0, 2])
def test_the_client_reads_the_batches_then_the_server_s_error(chunk: int, batches: int) -> None:
    data = _failed_stream(_table(30), batches)
    raw = ResponseRawIO(iter([data[i : i + chunk] for i in range(0, len(data), chunk)]))
    read, _ = _read_until_failure(pa.ipc.open_stream(raw))
    assert read == 10 * batches
    assert raw.stream_error() == PROBLEM


def test_a_stream_merely_cut_off_is_no_server_error() -> None:
    data = _failed_stream(_table(30), 2)
    raw = ResponseRawIO(iter([data[:-20]]))
    _, error = _read_until_failure(pa.ipc.open_stream(raw))
    assert "Expected to read" in str(error)
    assert raw.stream_error() is None


def test_only_a_schema_without_fields_carrying_the_key_is_an_error() -> None:
    assert problem_of(pa.schema([])) is None
    assert problem_of(pa.schema([("x", pa.int64())], metadata={CLIENT_KEY: json.dumps(PROBLEM)})) is None
    assert problem_of(pa.schema([], metadata={CLIENT_KEY: json.dumps(PROBLEM)})) == PROBLEM
    vague = problem_of(pa.schema([], metadata={CLIENT_KEY: "not json"}))
    assert vague is not None
    assert "could not describe" in vague["detail"]


# -- a real server: a row limit stops the query after some batches were sent ----------------


@pytest.fixture(scope="module")
def limited(demo_dir: Path) -> Iterator[LiveServer]:
    config = demo_config(demo_dir, limits={"max_rows": 20_000}, engine={"batch_rows": 5_000})
    with LiveServer(create_app(config)) as live:
        yield live


def test_the_server_ends_a_failed_stream_with_its_error(limited: LiveServer) -> None:
    received = bytearray()
    with (
        httpx.Client(base_url=limited.url, timeout=30, headers={"X-Lakegate-User": "root"}) as http,
        http.stream("POST", "/v1/query", json={"sql": SQL}) as response,
    ):
        assert response.status_code == 200
        query_id = response.headers["x-lakegate-query-id"]
        dropped = False
        try:
            for chunk in response.iter_raw():
                received += chunk
        except httpx.RemoteProtocolError:
            dropped = True
        assert dropped, "the connection is dropped as well"
    rows, error = _read_until_failure(pa.ipc.open_stream(io.BytesIO(bytes(received))))
    assert "not RecordBatch" in str(error)
    assert 0 < rows <= 20_000
    raw = ResponseRawIO(iter([bytes(received)]))
    _read_until_failure(pa.ipc.open_stream(raw))
    problem = raw.stream_error()
    assert problem is not None
    assert problem["code"] == "RESULT_TOO_LARGE"
    assert problem["query_id"] == query_id


def test_the_client_raises_the_typed_error_from_the_stream(limited: LiveServer) -> None:
    asked: list[str] = []
    hooks = {"request": [lambda request: asked.append(f"{request.method} {request.url.path}")]}
    with (
        httpx.Client(timeout=30, event_hooks=hooks) as http_client,
        lakegate.connect(limited.url, user="root", progress=False, http_client=http_client) as conn,
    ):
        cursor = conn.cursor().execute(SQL)
        batches = cursor.iter_batches()
        rows = 0
        while True:
            try:
                rows += next(batches).num_rows
            except lakegate.Error as exc:
                caught = exc
                break
        assert isinstance(caught, lakegate.ResultTooLargeError)
        assert 0 < rows <= 20_000
        assert caught.code == "RESULT_TOO_LARGE"
        assert caught.query_id is not None
        # the stream said why: the status was not asked
        assert not [a for a in asked if a.startswith("GET /v1/queries/")], asked


def test_stream_failed_carries_the_problem() -> None:
    failed = StreamFailed(PROBLEM)
    assert failed.problem == PROBLEM
    assert str(failed) == PROBLEM["detail"]
    assert not issubclass(StreamFailed, StreamInterrupted)
