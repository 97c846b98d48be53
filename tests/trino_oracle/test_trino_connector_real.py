"""Twins of tests/trino_connector against the real Trino: Lakegate's Trino connector serving a
catalog from Trino 476 (metadata harvest, queries as the end user, Trino types to Arrow, errors,
cancel, a stopped second cluster). What happened on Trino is read from its own
``system.runtime.queries``."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trino

from connectors.trino.types import arrow_type_of
from tests.trino_connector.conftest import ARROW, Lakegate, lakegate_config
from tests.trino_oracle.differential import arrow_values
from tests.trino_server import CATALOGS, TrinoServer, free_port, start_trino, stop_trino

SERVICE_USER = "lakegate_svc"


def spec(url: str, name: str = "real") -> dict[str, Any]:
    return {"name": name, "url": url, "user": SERVICE_USER, "group": "adhoc"}


@pytest.fixture
def lakegate(trino_server: TrinoServer, tmp_path: Path) -> Iterator[Lakegate]:
    catalogs = {"remote": {"connector": "trino", "catalog": "tpch", "comment": "Trino's tpch"}}
    gate = Lakegate(lakegate_config(tmp_path, [spec(trino_server.url)], catalogs=catalogs))
    yield gate
    gate.stop()


def trino_queries(server: TrinoServer, like: str) -> list[tuple[str, str, str | None]]:
    """(user, state, error code) of Trino's queries whose text contains ``like``."""
    connection = trino.dbapi.connect(host=server.host, port=server.port, user="observer")
    cursor = connection.cursor()
    cursor.execute(
        'SELECT "user", state, error_code FROM system.runtime.queries '
        "WHERE strpos(query, ?) > 0 AND strpos(query, 'system.runtime.queries') = 0",
        [like],
    )
    rows = [(str(r[0]), str(r[1]), r[2]) for r in cursor.fetchall()]
    connection.close()
    return rows


def wait_until(check: Callable[[], Any], timeout: float = 20, what: str = "it") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_trino_connector_against_the_real_trino_harvests_its_metadata(
    lakegate: Lakegate, trino_server: TrinoServer
) -> None:
    with lakegate.client() as http:
        schemas = [s["name"] for s in http.get("/v1/catalogs/remote/schemas").json()["schemas"]]
        assert {"tiny", "sf1"} <= set(schemas)
        tables = http.get("/v1/catalogs/remote/schemas/tiny/tables").json()["tables"]
        assert sorted(t["name"] for t in tables) == [
            "customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"
        ]  # fmt: skip
        columns = http.get("/v1/catalogs/remote/schemas/tiny/tables/orders").json()["columns"]
    types = {c["name"]: c["type"] for c in columns}
    assert types["o_orderkey"] == "bigint"
    assert types["o_totalprice"] == "decimal(12,2)"
    assert types["o_orderdate"] == "date"
    assert types["o_shippriority"] == "integer"
    # read as Lakegate's service user, from the configured catalog
    reads = trino_queries(trino_server, '"tpch".information_schema.columns')
    assert reads
    assert {user for user, _, _ in reads} == {SERVICE_USER}


def test_trino_connector_against_the_real_trino_runs_queries_as_the_end_user(
    lakegate: Lakegate, trino_server: TrinoServer
) -> None:
    mark = f"m-{uuid.uuid4().hex[:12]}"
    table = lakegate.query(f"SELECT count(*) AS n, '{mark}' AS m FROM remote.tiny.orders", user="alice")
    assert table.to_pylist() == [{"n": 15000, "m": mark}]
    assert trino_queries(trino_server, mark) == [("alice", "FINISHED", None)]


TYPED = {
    "ti": "TINYINT '-128'",
    "si": "SMALLINT '32767'",
    "i": "2147483647",
    "bi": "BIGINT '-9223372036854775808'",
    "r": "REAL '1.5'",
    "d": "2.5E0",
    "dec": "DECIMAL '123.45'",
    "dec38": "DECIMAL '12345678901234567890.123456789'",
    "vc": "'ünïcødé'",
    "b": "true",
    "dt": "DATE '2024-02-29'",
    "ts3": "TIMESTAMP '2024-02-29 12:34:56.789'",
    "ts6": "TIMESTAMP '2024-02-29 12:34:56.789123'",
    "tstz": "TIMESTAMP '2024-02-29 12:34:56.789 UTC'",
    "t": "TIME '12:34:56.789'",
    "arr": "ARRAY[1, NULL, 3]",
    "m": "MAP(ARRAY['k'], ARRAY[1])",
    "row": "CAST(ROW(1, 'a') AS ROW(x integer, y varchar))",
    "vb": "X'00ff'",
    "n": "CAST(NULL AS bigint)",
}


def test_trino_connector_against_the_real_trino_turns_trino_types_into_arrow(
    lakegate: Lakegate, trino_server: TrinoServer
) -> None:
    select = ", ".join(f"{literal} AS {name}" for name, literal in TYPED.items())
    sql = f"SELECT {select} FROM remote.tiny.region WHERE r_regionkey = 0"
    connection = trino.dbapi.connect(host=trino_server.host, port=trino_server.port, user="oracle")
    cursor = connection.cursor()
    cursor.execute(sql.replace("remote.", "tpch."))
    expected_row = cursor.fetchall()[0]
    trino_types = [str(column[1]) for column in cursor.description]
    connection.close()
    table = lakegate.query(sql)
    assert table.schema.names == list(TYPED)
    got = [
        arrow_values(table.column(i).to_pylist(), table.schema.types[i])[0] for i in range(table.num_columns)
    ]
    differences = {}
    for name, trino_type, arrow, want, value in zip(
        TYPED, trino_types, table.schema.types, expected_row, got, strict=True
    ):
        want = list(want) if name == "row" else want
        if arrow != arrow_type_of(trino_type) or value != want:
            differences[name] = f"{arrow}={value!r} (Trino {trino_type}={want!r})"
    assert not differences, differences


def test_trino_connector_against_the_real_trino_maps_its_errors(lakegate: Lakegate) -> None:
    status, problem = lakegate.problem("SELECT CAST(r_name AS integer) FROM remote.tiny.region")
    assert (status, problem["code"]) == (422, "ENGINE_DATA_ERROR")
    status, problem = lakegate.problem("SELECT 1 / 0 FROM remote.tiny.region")
    # the same answer as on the embedded engine (whose rewrites raise it)
    assert (status, problem["code"]) == (400, "DIVISION_BY_ZERO")
    assert "Division by zero" in problem["detail"]


def test_trino_connector_against_the_real_trino_propagates_a_cancel(
    lakegate: Lakegate, trino_server: TrinoServer
) -> None:
    mark = f"cancel-{uuid.uuid4().hex[:8]}"
    sql = f"SELECT count(*) AS n, '{mark}' AS m FROM remote.sf100.lineitem"  # hours on this machine
    with (
        lakegate.client() as http,
        http.stream("POST", "/v1/query", json={"sql": sql}, headers={"Accept": ARROW}) as response,
    ):
        assert response.status_code == 200
        query_id = response.headers["X-Lakegate-Query-Id"]
        wait_until(
            lambda: [q for q in trino_queries(trino_server, mark) if q[1] == "RUNNING"],
            what="the query to run on Trino",
        )
        canceled = time.monotonic()
        assert http.delete(f"/v1/queries/{query_id}").status_code in (200, 202, 204)
        states = wait_until(
            lambda: [q for q in trino_queries(trino_server, mark) if q[1] == "FAILED"],
            timeout=10,
            what="the cancel to reach Trino",
        )
        assert time.monotonic() - canceled < 10
        assert states[0][2] == "USER_CANCELED"
        with pytest.raises(httpx.HTTPError):
            response.read()


def test_trino_connector_against_the_real_trino_skips_a_stopped_cluster(
    trino_server: TrinoServer, tmp_path: Path
) -> None:
    stopped = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    catalogs = {"remote": {"connector": "trino", "catalog": "tpch"}}
    gate = Lakegate(
        lakegate_config(tmp_path, [spec(trino_server.url), spec(stopped, "stopped")], catalogs=catalogs)
    )
    try:
        results = []
        threads = [
            threading.Thread(
                target=lambda: results.append(
                    gate.query("SELECT count(*) AS n FROM remote.tiny.nation").num_rows
                )
            )
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert results == [1, 1, 1, 1]
        assert "stopped UNHEALTHY" in wait_until(
            lambda: "stopped UNHEALTHY" in gate.engine_health()["detail"] and gate.engine_health()["detail"],
            what="the stopped cluster to be marked unhealthy",
        )
    finally:
        gate.stop()


def test_trino_connector_against_the_real_trino_fails_a_query_when_its_cluster_hangs(tmp_path: Path) -> None:
    """A second real Trino frozen with SIGSTOP mid-query (it still accepts connections, it answers
    nothing): the query fails within the configured request timeout, the cluster is marked
    unhealthy, and once it answers again it is healthy and serves queries."""
    process, hung = start_trino(tmp_path / "hung", catalogs={"tpch": CATALOGS["tpch"]})
    catalogs = {"remote": {"connector": "trino", "catalog": "tpch"}}
    gate = Lakegate(
        lakegate_config(tmp_path, [spec(hung.url, "hung")], catalogs=catalogs, request_timeout_seconds=1)
    )
    mark = f"hang-{uuid.uuid4().hex[:8]}"
    outcome: dict[str, Any] = {}

    def post() -> None:
        with gate.client() as http:
            sql = f"SELECT count(*) AS n, '{mark}' AS m FROM remote.sf100.lineitem"  # hours here
            response = http.post("/v1/query", json={"sql": sql}, headers={"Accept": "application/json"})
        outcome["at"], outcome["status"], outcome["body"] = (
            time.monotonic(),
            response.status_code,
            response.json(),
        )

    thread = threading.Thread(target=post, daemon=True)
    try:
        thread.start()
        wait_until(
            lambda: [q for q in trino_queries(hung, mark) if q[1] == "RUNNING"],
            what="the query to run on Trino",
        )
        process.send_signal(signal.SIGSTOP)
        frozen = time.monotonic()
        thread.join(timeout=30)
        assert not thread.is_alive(), "the query hung with its cluster"
        took = outcome["at"] - frozen
        print(f"\na frozen Trino failed the query {took:.2f} s after it stopped answering")
        assert took < 8  # the poll in flight, then two attempts of 1 s and a short back-off
        assert outcome["status"] == 503
        assert outcome["body"]["code"] == "ENGINE_UNAVAILABLE"
        assert outcome["body"]["detail"] == "Trino cluster hung stopped answering: no answer within 1 s"
        assert "hung UNHEALTHY" in gate.engine_health()["detail"]
        process.send_signal(signal.SIGCONT)
        wait_until(
            lambda: "hung UNHEALTHY" not in gate.engine_health()["detail"],
            timeout=30,
            what="the thawed cluster to be healthy again",
        )
        assert gate.query("SELECT count(*) AS n FROM remote.tiny.nation").column("n").to_pylist() == [25]
    finally:
        process.send_signal(signal.SIGCONT)
        gate.stop()
        stop_trino(process)
