"""Connection and Cursor behaviour against a fake server (lakegate.dbapi)."""

from __future__ import annotations

import datetime
import decimal
import functools
import gzip
import json
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pyarrow as pa
import pytest
from client_fakes import (
    BASE_URL,
    ChunkSource,
    FakeGateway,
    arrow_response,
    ipc_bytes,
    ipc_parts,
    problem,
)

import lakegate


def _numbers(rows: int) -> pa.Table:
    return pa.table({"n": pa.array(range(rows), pa.int64()), "s": [f"v{i}" for i in range(rows)]})


def _all_types() -> pa.Table:
    return pa.table(
        {
            "i": pa.array([1, None], pa.int32()),
            "f": pa.array([1.5, 2.5], pa.float64()),
            "d": pa.array([decimal.Decimal("1.25"), None], pa.decimal128(10, 2)),
            "s": pa.array(["a", "b"], pa.string()),
            "dt": pa.array([datetime.date(2024, 1, 31), None], pa.date32()),
            "ts": pa.array([datetime.datetime(2024, 1, 31, 12, 30), None], pa.timestamp("us")),
            "tz": pa.array(
                [datetime.datetime(2024, 1, 31, 12, 30, tzinfo=datetime.UTC), None], pa.timestamp("us", "UTC")
            ),
            "b": pa.array([True, False], pa.bool_()),
            "bin": pa.array([b"\x00\xff", None], pa.binary()),
            "l": pa.array([[1, 2], []], pa.list_(pa.int64())),
        }
    )


# -- module globals -------------------------------------------------------------------------------


def test_pep249_globals() -> None:
    assert lakegate.apilevel == "2.0"
    assert lakegate.threadsafety == 1
    assert lakegate.paramstyle == "qmark"
    assert issubclass(lakegate.ProgrammingError, lakegate.DatabaseError)
    assert issubclass(lakegate.DatabaseError, lakegate.Error)
    assert issubclass(lakegate.InterfaceError, lakegate.Error)
    assert issubclass(lakegate.AuthenticationError, lakegate.OperationalError)
    assert issubclass(lakegate.PermissionDeniedError, lakegate.ProgrammingError)
    assert lakegate.Date(2024, 1, 2) == datetime.date(2024, 1, 2)
    assert lakegate.Binary(b"x") == b"x"
    assert isinstance(lakegate.TimestampFromTicks(0), datetime.datetime)
    assert isinstance(lakegate.DateFromTicks(0), datetime.date)
    assert isinstance(lakegate.TimeFromTicks(0), datetime.time)
    assert lakegate.Connection.ProgrammingError is lakegate.ProgrammingError


# -- the request ----------------------------------------------------------------------------------


def test_query_request_body_and_headers(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(1))
    conn = gateway.connect(catalog="lake", schema="sales", dialect="duckdb")
    conn.cursor().execute("SELECT 1").fetchall()
    assert gateway.bodies() == [
        {"sql": "SELECT 1", "catalog": "lake", "schema": "sales", "dialect": "duckdb"}
    ]
    request = gateway.requests[0]
    assert request.url == f"{BASE_URL}/v1/query"
    assert request.headers["Accept"] == "application/vnd.apache.arrow.stream"
    assert request.headers["Accept-Encoding"] == "identity"
    assert request.headers["User-Agent"] == f"lakegate-python/{lakegate.__version__}"
    assert request.headers["Content-Type"] == "application/json"


def test_unset_defaults_are_left_out_and_can_change(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(1))
    conn = gateway.connect()
    conn.cursor().execute("SELECT 1").fetchall()
    conn.catalog = "pg"
    conn.cursor().execute("SELECT 2").fetchall()
    bodies = gateway.bodies()
    assert bodies[0] == {"sql": "SELECT 1"}
    assert bodies[1] == {"sql": "SELECT 2", "catalog": "pg"}


def test_url_path_prefix_is_kept(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(1))
    gateway.prefix = "/gateway"
    conn = lakegate.connect(f"{BASE_URL}/gateway/", http_client=gateway.client(), progress=False)
    conn.cursor().execute("SELECT 1").fetchall()
    assert gateway.requests[0].url == f"{BASE_URL}/gateway/v1/query"


def test_parameters_are_rendered_into_the_sql(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(1))
    cur = gateway.connect().cursor()
    cur.execute("SELECT * FROM t WHERE a = ? AND b = '?' AND c = ?", ["it's", None])
    assert gateway.bodies()[0]["sql"] == "SELECT * FROM t WHERE a = 'it''s' AND b = '?' AND c = NULL"
    with pytest.raises(lakegate.ProgrammingError, match="placeholder"):
        cur.execute("SELECT ?", [1, 2])
    assert len(gateway.bodies()) == 1  # nothing sent for a bad parameter count


def test_without_parameters_question_marks_are_left_alone(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(1))
    gateway.connect().cursor().execute("SELECT ? FROM t")
    assert gateway.bodies()[0]["sql"] == "SELECT ? FROM t"


# -- authentication -------------------------------------------------------------------------------


def test_basic_auth(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(1))
    gateway.connect(user="alice", password="s3cret!").cursor().execute("SELECT 1")
    headers = gateway.requests[0].headers
    assert headers["Authorization"] == httpx.BasicAuth("alice", "s3cret!")._auth_header
    assert "X-Lakegate-User" not in headers


def test_bearer_token(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(1))
    gateway.connect(token="tok-123").cursor().execute("SELECT 1")
    headers = gateway.requests[0].headers
    assert headers["Authorization"] == "Bearer tok-123"
    assert "X-Lakegate-User" not in headers


def test_development_mode_user_header(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(1))
    gateway.connect(user="bob").cursor().execute("SELECT 1")
    headers = gateway.requests[0].headers
    assert headers["X-Lakegate-User"] == "bob"
    assert "Authorization" not in headers


def test_no_credentials(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(1))
    gateway.connect().cursor().execute("SELECT 1")
    headers = gateway.requests[0].headers
    assert "Authorization" not in headers
    assert "X-Lakegate-User" not in headers


def test_credentials_in_the_url_become_basic_auth(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(1))
    conn = lakegate.connect("http://carol:pw%40x@lakegate.test", http_client=gateway.client(), progress=False)
    conn.cursor().execute("SELECT 1")
    request = gateway.requests[0]
    assert request.headers["Authorization"] == httpx.BasicAuth("carol", "pw@x")._auth_header
    assert request.url == f"{BASE_URL}/v1/query"
    assert "pw" not in repr(conn)
    assert conn.url == BASE_URL


def test_conflicting_credentials_are_refused() -> None:
    with pytest.raises(lakegate.InterfaceError):
        lakegate.connect(BASE_URL, user="a", password="b", token="c")
    with pytest.raises(lakegate.InterfaceError):
        lakegate.connect(BASE_URL, password="b")
    with pytest.raises(lakegate.InterfaceError):
        lakegate.connect("ftp://example.com")


# -- description and types ------------------------------------------------------------------------


def test_description_is_known_before_any_row_is_fetched(gateway: FakeGateway) -> None:
    tbl = _all_types()
    parts = ipc_parts(tbl.to_batches(), tbl.schema)
    source = ChunkSource(parts)
    gateway.on_query(lambda _r: arrow_response(source))
    cur = gateway.connect().cursor()
    cur.execute("SELECT *")
    assert source.pulled == 1  # the schema only
    assert cur.rowcount == -1
    description = cur.description
    assert description is not None
    names = [column[0] for column in description]
    assert names == ["i", "f", "d", "s", "dt", "ts", "tz", "b", "bin", "l"]
    assert all(len(column) == 7 for column in description)
    by_name = {column.name: column for column in description}
    assert by_name["i"].type_code == pa.int32()
    assert by_name["i"].type_code == lakegate.NUMBER
    assert by_name["f"].type_code == lakegate.NUMBER
    assert by_name["d"].type_code == lakegate.NUMBER
    assert (by_name["d"].precision, by_name["d"].scale) == (10, 2)
    assert by_name["d"][4:6] == (10, 2)
    assert by_name["s"].type_code == lakegate.STRING
    assert by_name["s"].type_code != lakegate.NUMBER
    assert by_name["dt"].type_code == lakegate.DATETIME
    assert by_name["ts"].type_code == lakegate.DATETIME
    assert by_name["tz"].type_code == pa.timestamp("us", "UTC")
    assert by_name["b"].type_code == pa.bool_()
    assert by_name["b"].type_code != lakegate.NUMBER
    assert by_name["bin"].type_code == lakegate.BINARY
    assert by_name["l"].type_code == pa.list_(pa.int64())
    assert by_name["l"].type_code not in (
        lakegate.STRING,
        lakegate.NUMBER,
        lakegate.BINARY,
        lakegate.DATETIME,
    )
    assert all(column.type_code != lakegate.ROWID for column in description)
    assert all(column.display_size is None for column in description)
    assert by_name["i"].null_ok is True
    assert lakegate.STRING == "string"
    assert lakegate.NUMBER != "no such type"


def test_values_are_converted_to_python(gateway: FakeGateway) -> None:
    gateway.serve_table(_all_types())
    rows = gateway.connect().cursor().execute("SELECT *").fetchall()
    assert rows[0] == (
        1,
        1.5,
        decimal.Decimal("1.25"),
        "a",
        datetime.date(2024, 1, 31),
        datetime.datetime(2024, 1, 31, 12, 30),
        datetime.datetime(2024, 1, 31, 12, 30, tzinfo=datetime.UTC),
        True,
        b"\x00\xff",
        [1, 2],
    )
    assert rows[1] == (None, 2.5, None, "b", None, None, None, False, None, [])
    assert all(isinstance(row, tuple) for row in rows)


# -- fetching -------------------------------------------------------------------------------------


def test_fetchone_fetchmany_fetchall_across_batches(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(25), max_chunksize=4, chunk_size=5)
    cur = gateway.connect().cursor()
    cur.execute("SELECT n, s FROM t")
    assert cur.query_id == "q-1"
    assert cur.fetchone() == (0, "v0")
    assert cur.arraysize == 1
    assert cur.fetchmany() == [(1, "v1")]
    assert cur.fetchmany(6) == [(i, f"v{i}") for i in range(2, 8)]
    cur.arraysize = 3
    assert cur.fetchmany() == [(8, "v8"), (9, "v9"), (10, "v10")]
    assert cur.rowcount == -1
    assert cur.fetchall() == [(i, f"v{i}") for i in range(11, 25)]
    assert cur.rowcount == 25
    assert cur.fetchone() is None
    assert cur.fetchmany(5) == []
    assert cur.fetchall() == []


def test_fetchone_reads_one_batch_at_a_time(gateway: FakeGateway) -> None:
    tbl = _numbers(100)
    source = ChunkSource(ipc_parts(tbl.to_batches(max_chunksize=10), tbl.schema))
    gateway.on_query(lambda _r: arrow_response(source))
    cur = gateway.connect().cursor()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (0, "v0")
    assert source.pulled == 2  # schema + first batch, nothing more
    for _ in range(9):
        cur.fetchone()
    assert source.pulled == 2
    assert cur.fetchone() == (10, "v10")
    assert source.pulled == 3
    cur.close()


def test_cursor_iteration(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(5), max_chunksize=2)
    cur = gateway.connect().cursor()
    assert [row[0] for row in cur.execute("SELECT 1")] == [0, 1, 2, 3, 4]


def test_empty_result(gateway: FakeGateway) -> None:
    schema = pa.schema([("x", pa.int64())])
    data = ipc_bytes([], schema)
    gateway.on_query(lambda _r: arrow_response(data))
    cur = gateway.connect().cursor().execute("SELECT 1 WHERE false")
    assert cur.description is not None
    assert cur.description[0].name == "x"
    assert cur.fetchall() == []
    assert cur.rowcount == 0
    assert cur.fetch_arrow_table().num_rows == 0


def test_iter_batches_yields_batches_as_they_arrive(gateway: FakeGateway) -> None:
    tbl = _numbers(30)
    source = ChunkSource(ipc_parts(tbl.to_batches(max_chunksize=10), tbl.schema))
    gateway.on_query(lambda _r: arrow_response(source))
    cur = gateway.connect().cursor().execute("SELECT 1")
    seen = []
    for batch in cur.iter_batches():
        assert isinstance(batch, pa.RecordBatch)
        seen.append((batch.num_rows, source.pulled))
    assert seen == [(10, 2), (10, 3), (10, 4)]
    assert cur.rowcount == 30


def test_fetch_arrow_table_after_some_rows(gateway: FakeGateway) -> None:
    tbl = _numbers(25)
    gateway.serve_table(tbl, max_chunksize=10)
    cur = gateway.connect().cursor().execute("SELECT 1")
    assert cur.fetchmany(3) == [(0, "v0"), (1, "v1"), (2, "v2")]
    rest = cur.fetch_arrow_table()
    assert rest.schema == tbl.schema
    assert rest.equals(tbl.slice(3))
    assert cur.fetchone() is None


def test_fetch_arrow_table_whole(gateway: FakeGateway) -> None:
    tbl = _all_types()
    gateway.serve_table(tbl)
    assert gateway.connect().cursor().execute("SELECT 1").fetch_arrow_table().equals(tbl)


def test_fetch_record_batch_reader(gateway: FakeGateway) -> None:
    tbl = _numbers(25)
    gateway.serve_table(tbl, max_chunksize=10)
    reader = gateway.connect().cursor().execute("SELECT 1").fetch_record_batch_reader()
    assert isinstance(reader, pa.RecordBatchReader)
    assert reader.schema == tbl.schema
    assert reader.read_all().equals(tbl)


def test_to_pandas(gateway: FakeGateway) -> None:
    pandas = pytest.importorskip("pandas")
    gateway.serve_table(_numbers(12), max_chunksize=5)
    frame = gateway.connect().cursor().execute("SELECT 1").to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["n", "s"]
    assert frame["n"].tolist() == list(range(12))


def test_to_pandas_without_pandas(gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    gateway.serve_table(_numbers(2))
    cur = gateway.connect().cursor().execute("SELECT 1")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(lakegate.InterfaceError, match="pip install pandas"):
        cur.to_pandas()


def test_fetch_without_execute(gateway: FakeGateway) -> None:
    cur = gateway.connect().cursor()
    assert cur.description is None
    assert cur.rowcount == -1
    assert cur.query_id is None
    for call in (cur.fetchone, cur.fetchall, cur.fetch_arrow_table, cur.iter_batches):
        with pytest.raises(lakegate.ProgrammingError, match="execute"):
            call()


def test_re_execute_replaces_the_result(gateway: FakeGateway) -> None:
    tbl = _numbers(30)
    counter = iter(range(100))

    def respond(_request: httpx.Request) -> httpx.Response:
        qid = f"q-{next(counter)}"
        return arrow_response(
            ChunkSource(ipc_parts(tbl.to_batches(max_chunksize=10), tbl.schema)), query_id=qid
        )

    gateway.on_query(respond)
    cur = gateway.connect().cursor()
    cur.execute("SELECT 1")
    batches = cur.iter_batches()
    next(batches)
    cur.execute("SELECT 2")
    assert gateway.calls("DELETE") == ["/v1/queries/q-0"]  # the first query was still streaming
    with pytest.raises(lakegate.InterfaceError, match="re-executed"):
        next(batches)
    assert cur.query_id == "q-1"
    assert len(cur.fetchall()) == 30


def test_executemany(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(3))
    cur = gateway.connect().cursor()
    cur.executemany("SELECT * FROM t WHERE n = ?", [[1], [2]])
    assert [body["sql"] for body in gateway.bodies()] == [
        "SELECT * FROM t WHERE n = 1",
        "SELECT * FROM t WHERE n = 2",
    ]
    assert cur.rowcount == 6
    assert cur.description is None
    assert gateway.calls("DELETE") == []


# -- truncated streams ----------------------------------------------------------------------------


def _truncated(gateway: FakeGateway, rows: int = 30) -> None:
    tbl = _numbers(rows)
    parts = ipc_parts(tbl.to_batches(max_chunksize=10), tbl.schema)
    gateway.on_query(lambda _r: arrow_response(ChunkSource(parts[:-2]), query_id="q-42"))


def test_truncated_stream_raises_the_error_recorded_by_the_server(gateway: FakeGateway) -> None:
    _truncated(gateway)
    gateway.route_json(
        "GET",
        "/v1/queries/q-42",
        {
            "id": "q-42",
            "state": "FAILED",
            "error": problem(413, "RESULT_TOO_LARGE", "the result exceeds 20 rows"),
            "rows": 20,
            "bytes": 1234,
        },
    )
    cur = gateway.connect().cursor().execute("SELECT 1")
    assert len(cur.fetchmany(20)) == 20
    with pytest.raises(lakegate.ResultTooLargeError) as info:
        cur.fetchone()
    error = info.value
    assert isinstance(error, lakegate.OperationalError)
    assert error.code == "RESULT_TOO_LARGE"
    assert error.status == 413
    assert error.query_id == "q-42"
    assert "20 rows" in error.detail
    assert gateway.calls("GET") == ["/v1/queries/q-42"]
    # The failure sticks to the result.
    with pytest.raises(lakegate.ResultTooLargeError):
        cur.fetchall()
    cur.close()
    assert gateway.calls("DELETE") == []  # the server already ended the query


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("QUERY_TIMEOUT", lakegate.QueryTimeoutError),
        ("QUERY_CANCELED", lakegate.QueryCanceledError),
        ("ENGINE_DATA_ERROR", lakegate.DataError),
    ],
)
def test_truncated_stream_typed_errors(gateway: FakeGateway, code: str, cls: type[Exception]) -> None:
    _truncated(gateway)
    gateway.route_json(
        "GET", "/v1/queries/q-42", {"id": "q-42", "state": "FAILED", "error": problem(400, code, "x")}
    )
    cur = gateway.connect().cursor().execute("SELECT 1")
    with pytest.raises(cls):
        cur.fetch_arrow_table()


def test_truncated_stream_without_a_recorded_error(gateway: FakeGateway) -> None:
    _truncated(gateway)
    gateway.route_json("GET", "/v1/queries/q-42", {"id": "q-42", "state": "FINISHED", "error": None})
    cur = gateway.connect().cursor().execute("SELECT 1")
    with pytest.raises(lakegate.OperationalError, match="result stream was interrupted") as info:
        list(cur.iter_batches())
    assert info.value.query_id == "q-42"
    assert info.value.code is None


def test_truncated_stream_polls_a_query_still_marked_running(gateway: FakeGateway) -> None:
    _truncated(gateway)
    states = iter(["RUNNING", "RUNNING", "FAILED"])

    def status(_request: httpx.Request) -> httpx.Response:
        state = next(states)
        error = problem(504, "QUERY_TIMEOUT", "too slow") if state == "FAILED" else None
        return httpx.Response(200, json={"id": "q-42", "state": state, "error": error})

    gateway.route("GET", "/v1/queries/q-42", status)
    cur = gateway.connect().cursor().execute("SELECT 1")
    with pytest.raises(lakegate.QueryTimeoutError):
        cur.fetchall()
    assert len(gateway.calls("GET")) == 3


def test_truncated_stream_cancels_a_query_left_running(gateway: FakeGateway) -> None:
    _truncated(gateway)
    gateway.route_json("GET", "/v1/queries/q-42", {"id": "q-42", "state": "RUNNING", "error": None})
    cur = gateway.connect().cursor().execute("SELECT 1")
    with pytest.raises(lakegate.OperationalError, match="interrupted"):
        cur.fetchall()
    assert len(gateway.calls("GET")) == 4
    assert gateway.calls("DELETE") == ["/v1/queries/q-42"]


def test_truncated_stream_with_unknown_status(gateway: FakeGateway) -> None:
    _truncated(gateway)  # GET /v1/queries/q-42 answers 404 QUERY_NOT_FOUND
    cur = gateway.connect().cursor().execute("SELECT 1")
    with pytest.raises(lakegate.OperationalError, match="interrupted") as info:
        cur.fetchall()
    assert info.value.code is None


def test_connection_lost_mid_stream(gateway: FakeGateway) -> None:
    tbl = _numbers(30)
    parts = ipc_parts(tbl.to_batches(max_chunksize=10), tbl.schema)
    source = ChunkSource(parts[:2], error=httpx.RemoteProtocolError("incomplete chunked read"))
    gateway.on_query(lambda _r: arrow_response(source, query_id="q-7"))
    gateway.route_json(
        "GET",
        "/v1/queries/q-7",
        {"id": "q-7", "state": "CANCELED", "error": problem(499, "QUERY_CANCELED", "c")},
    )
    cur = gateway.connect().cursor().execute("SELECT 1")
    with pytest.raises(lakegate.QueryCanceledError):
        cur.fetchall()


def test_truncated_before_the_schema(gateway: FakeGateway) -> None:
    gateway.on_query(lambda _r: arrow_response(b"", query_id="q-9"))
    gateway.route_json(
        "GET",
        "/v1/queries/q-9",
        {"id": "q-9", "state": "FAILED", "error": problem(503, "ENGINE_UNAVAILABLE", "down")},
    )
    cur = gateway.connect().cursor()
    with pytest.raises(lakegate.OperationalError) as info:
        cur.execute("SELECT 1")
    assert info.value.code == "ENGINE_UNAVAILABLE"
    assert cur.description is None


def test_truncated_stream_without_query_id(gateway: FakeGateway) -> None:
    tbl = _numbers(30)
    parts = ipc_parts(tbl.to_batches(max_chunksize=10), tbl.schema)
    gateway.on_query(lambda _r: arrow_response(ChunkSource(parts[:-1]), query_id=None))
    cur = gateway.connect().cursor().execute("SELECT 1")
    with pytest.raises(lakegate.OperationalError, match="interrupted"):
        cur.fetchall()
    assert gateway.calls("GET") == []


def test_http_compression_is_decoded(gateway: FakeGateway) -> None:
    tbl = _numbers(40)
    data = gzip.compress(ipc_bytes(tbl.to_batches(max_chunksize=10), tbl.schema))

    def respond(_request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/vnd.apache.arrow.stream", "Content-Encoding": "gzip"}
        return httpx.Response(200, headers=headers, content=iter([data[:100], data[100:]]))

    gateway.on_query(respond)
    assert gateway.connect().cursor().execute("SELECT 1").fetch_arrow_table().equals(tbl)


def test_interrupt_while_reading_cancels_the_query(gateway: FakeGateway) -> None:
    tbl = _numbers(30)
    parts = ipc_parts(tbl.to_batches(max_chunksize=10), tbl.schema)
    source = ChunkSource(parts[:2], error=KeyboardInterrupt())
    gateway.on_query(lambda _r: arrow_response(source, query_id="q-int"))
    cur = gateway.connect().cursor().execute("SELECT 1")
    with pytest.raises(KeyboardInterrupt):
        cur.fetchall()
    assert gateway.calls("DELETE") == ["/v1/queries/q-int"]
    with pytest.raises(lakegate.OperationalError, match="abandoned"):
        cur.fetchone()
    cur.close()
    assert gateway.calls("DELETE") == ["/v1/queries/q-int"]


def test_corrupt_stream_is_an_error_and_cancels(gateway: FakeGateway) -> None:
    tbl = _numbers(30)
    parts = ipc_parts(tbl.to_batches(max_chunksize=10), tbl.schema)
    corrupt = parts[2][:8] + b"\x00" * (len(parts[2]) - 8)
    gateway.on_query(lambda _r: arrow_response(b"".join([parts[0], parts[1], corrupt, *parts[3:]])))
    cur = gateway.connect().cursor().execute("SELECT 1")
    with pytest.raises(lakegate.OperationalError, match="invalid Arrow stream"):
        cur.fetchall()
    assert gateway.calls("DELETE") == ["/v1/queries/q-1"]


def test_a_200_that_is_not_arrow(gateway: FakeGateway) -> None:
    gateway.on_query(
        lambda _r: httpx.Response(200, headers={"Content-Type": "text/html"}, text="<title>Sign in</title>")
    )
    with pytest.raises(lakegate.OperationalError, match="Sign in"):
        gateway.connect().cursor().execute("SELECT 1")


# -- cancel and close -----------------------------------------------------------------------------


def test_close_cancels_a_running_query(gateway: FakeGateway) -> None:
    tbl = _numbers(30)
    source = ChunkSource(ipc_parts(tbl.to_batches(max_chunksize=10), tbl.schema))
    gateway.on_query(lambda _r: arrow_response(source, query_id="q/1 x"))
    cur = gateway.connect().cursor().execute("SELECT 1")
    cur.fetchone()
    cur.close()
    assert gateway.calls("DELETE") == ["/v1/queries/q%2F1%20x"]
    assert not source.exhausted
    assert cur.closed
    with pytest.raises(lakegate.InterfaceError, match="closed"):
        cur.fetchone()
    with pytest.raises(lakegate.InterfaceError, match="closed"):
        cur.execute("SELECT 1")
    cur.close()  # idempotent


def test_close_after_the_end_does_not_cancel(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(3))
    cur = gateway.connect().cursor().execute("SELECT 1")
    cur.fetchall()
    cur.close()
    assert gateway.calls("DELETE") == []


def test_close_ignores_cancel_failures(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(30), max_chunksize=10)
    gateway.route("DELETE", "/v1/queries/q-1", httpx.Response(502, text="bad gateway"))
    cur = gateway.connect().cursor().execute("SELECT 1")
    cur.close()
    assert gateway.calls("DELETE") == ["/v1/queries/q-1"]


def test_cursor_cancel_keeps_the_stream(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(30), max_chunksize=10)
    cur = gateway.connect().cursor().execute("SELECT 1")
    cur.cancel()
    assert gateway.calls("DELETE") == ["/v1/queries/q-1"]
    assert len(cur.fetchall()) == 30  # the fake server ignored the cancel
    cur.cancel()  # nothing running any more
    assert gateway.calls("DELETE") == ["/v1/queries/q-1"]


def test_cancel_from_another_thread_while_waiting_for_the_schema(gateway: FakeGateway) -> None:
    # A long aggregate: the server sends the headers at once, the schema only when computed.
    canceled = threading.Event()

    def body() -> Iterator[bytes]:
        assert canceled.wait(10)
        yield b""  # the server drops the connection without sending anything

    def cancel(_request: httpx.Request) -> httpx.Response:
        canceled.set()
        return httpx.Response(204)

    gateway.on_query(
        lambda _r: httpx.Response(
            200,
            headers={"Content-Type": "application/vnd.apache.arrow.stream", "X-Lakegate-Query-Id": "q-agg"},
            content=body(),
        )
    )
    gateway.route("DELETE", "/v1/queries/q-agg", cancel)
    gateway.route_json(
        "GET",
        "/v1/queries/q-agg",
        {"id": "q-agg", "state": "CANCELED", "error": problem(409, "QUERY_CANCELED", "canceled by the user")},
    )
    cur = gateway.connect().cursor()

    def cancel_soon() -> None:
        while cur.query_id is None:
            time.sleep(0.01)
        cur.cancel()

    thread = threading.Thread(target=cancel_soon)
    thread.start()
    with pytest.raises(lakegate.QueryCanceledError):
        cur.execute("SELECT count(*) FROM huge")
    thread.join()
    assert gateway.calls("DELETE") == ["/v1/queries/q-agg"]
    assert cur.description is None


def test_timeouts_of_an_owned_client(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeGateway()
    fake.serve_table(_numbers(1))
    fake.route_json("GET", "/v1/catalogs", {"catalogs": []})
    # The query body normally bypasses httpx (lakegate.socket_stream); keep it on the fake here.
    monkeypatch.setattr(lakegate.socket_stream, "usable", lambda url: False)
    monkeypatch.setattr(
        httpx, "Client", functools.partial(httpx.Client, transport=httpx.MockTransport(fake.handle))
    )
    with lakegate.connect(BASE_URL, progress=False) as conn:
        conn.cursor().execute("SELECT 1").fetchall()
        conn.catalogs()
    with lakegate.connect(BASE_URL, timeout=7, progress=False) as conn:
        conn.cursor().execute("SELECT 1").fetchall()
    query, call, limited = (request.extensions["timeout"] for request in fake.requests)
    assert query == {"connect": 30.0, "read": None, "write": 60.0, "pool": 60.0}
    assert call == {"connect": 30.0, "read": 60.0, "write": 60.0, "pool": 60.0}
    assert limited["read"] == 7


def test_injected_client_timeouts_apply(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(1))
    client = httpx.Client(transport=httpx.MockTransport(gateway.handle), timeout=3)
    with lakegate.connect(BASE_URL, http_client=client, timeout=99) as conn:
        conn.cursor().execute("SELECT 1").fetchall()
    client.close()
    assert gateway.requests[0].extensions["timeout"]["read"] == 3


def test_connection_cancel(gateway: FakeGateway) -> None:
    conn = gateway.connect()
    conn.cancel("abc")
    assert gateway.calls("DELETE") == ["/v1/queries/abc"]
    gateway.route(
        "DELETE",
        "/v1/queries/gone",
        lambda _r: httpx.Response(404, json=problem(404, "QUERY_NOT_FOUND", "no")),
    )
    with pytest.raises(lakegate.OperationalError) as info:
        conn.cancel("gone")
    assert info.value.code == "QUERY_NOT_FOUND"


def test_connection_close_closes_cursors(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(30), max_chunksize=10)
    with gateway.connect() as conn:
        cur = conn.cursor().execute("SELECT 1")
        assert repr(conn).endswith("open>")
    assert conn.closed
    assert cur.closed
    assert gateway.calls("DELETE") == ["/v1/queries/q-1"]
    with pytest.raises(lakegate.InterfaceError):
        conn.cursor()
    with pytest.raises(lakegate.InterfaceError):
        conn.catalogs()
    conn.close()  # idempotent


def test_owned_http_client_is_closed() -> None:
    conn = lakegate.connect(BASE_URL)
    conn.close()
    assert conn._session._client.is_closed


def test_injected_http_client_is_not_closed(gateway: FakeGateway) -> None:
    client = gateway.client()
    lakegate.connect(BASE_URL, http_client=client).close()
    assert not client.is_closed


def test_transactions(gateway: FakeGateway) -> None:
    conn = gateway.connect()
    conn.commit()
    with pytest.raises(lakegate.NotSupportedError):
        conn.rollback()


def test_cursor_context_manager(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(3))
    conn = gateway.connect()
    with conn.cursor() as cur:
        assert cur.connection is conn
        assert cur.execute("SELECT 1").fetchone() == (0, "v0")
    assert cur.closed


def test_connection_execute_shortcut(gateway: FakeGateway) -> None:
    gateway.serve_table(_numbers(3))
    assert len(gateway.connect().execute("SELECT 1").fetchall()) == 3


# -- browsing -------------------------------------------------------------------------------------


def test_catalogs(gateway: FakeGateway) -> None:
    gateway.route_json(
        "GET",
        "/v1/catalogs",
        {
            "catalogs": [
                {"name": "lake", "connector": "duckdb", "comment": "files"},
                {"name": "pg", "connector": "postgres"},
            ]
        },
    )
    catalogs = gateway.connect(token="t").catalogs()
    assert catalogs == [
        lakegate.CatalogInfo("lake", "duckdb", "files"),
        lakegate.CatalogInfo("pg", "postgres", None),
    ]
    assert catalogs[0].connector == "duckdb"
    request = gateway.requests[0]
    assert request.headers["Authorization"] == "Bearer t"
    assert "application/json" in request.headers["Accept"]


def test_schemas_tables_columns(gateway: FakeGateway) -> None:
    gateway.route_json("GET", "/v1/catalogs/lake/schemas", {"schemas": [{"name": "sales"}, {"name": "hr"}]})
    gateway.route_json(
        "GET",
        "/v1/catalogs/lake/schemas/sales/tables",
        {"tables": [{"name": "orders", "type": "TABLE", "comment": None}]},
    )
    gateway.route_json(
        "GET",
        "/v1/catalogs/lake/schemas/sales/tables/my%20table",
        {
            "catalog": "lake",
            "schema": "sales",
            "name": "my table",
            "comment": None,
            "columns": [
                {"name": "id", "type": "bigint", "nullable": False, "comment": "key"},
                {"name": "note", "type": "varchar", "nullable": True, "comment": None},
            ],
        },
    )
    conn = gateway.connect()
    assert conn.schemas("lake") == [lakegate.SchemaInfo("lake", "sales"), lakegate.SchemaInfo("lake", "hr")]
    assert conn.tables("lake", "sales") == [lakegate.TableInfo("lake", "sales", "orders", "TABLE", None)]
    assert conn.columns("lake", "sales", "my table") == [
        lakegate.ColumnInfo("id", "bigint", False, "key"),
        lakegate.ColumnInfo("note", "varchar", True, None),
    ]


def test_browse_errors_are_typed(gateway: FakeGateway) -> None:
    gateway.route(
        "GET",
        "/v1/catalogs/nope/schemas",
        lambda _r: httpx.Response(
            404,
            headers={"Content-Type": "application/problem+json"},
            content=json.dumps(problem(404, "CATALOG_NOT_FOUND", "no catalog nope")).encode(),
        ),
    )
    with pytest.raises(lakegate.ProgrammingError) as info:
        gateway.connect().schemas("nope")
    assert info.value.code == "CATALOG_NOT_FOUND"


def test_browse_unexpected_payload(gateway: FakeGateway) -> None:
    gateway.route_json("GET", "/v1/catalogs", {"items": []})
    with pytest.raises(lakegate.InterfaceError):
        gateway.connect().catalogs()
