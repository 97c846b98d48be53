"""Session time zones at the Trino door, the client's zoned parameters, SHOW FUNCTIONS, and
the list of allowlisted functions the embedded engine cannot run as Trino (checked against it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import httpx
import pyarrow as pa
import pytest
import trino

import lakegate
from auth.enforcement.function_allowlist import ALLOWED_NAMES
from gateway.planner.context import QueryRequest
from gateway.planner.pipeline import Planner
from gateway.planner.semantics.engine_functions import DIFFERENT, LACKING
from tests.server import LiveServer
from tests.trino.conftest import real_trino_client


def _run(cursor: trino.dbapi.Cursor, sql: str) -> list[Any]:
    cursor.execute(sql)
    return cursor.fetchall()


@pytest.fixture
def door(server: LiveServer) -> Iterator[trino.dbapi.Connection]:
    connection = real_trino_client(server.url, "root")
    yield connection
    connection.close()


def test_set_time_zone_applies_to_the_session(door: trino.dbapi.Connection) -> None:
    cursor = door.cursor()
    cursor.execute("SET TIME ZONE 'America/New_York'")
    cursor.fetchall()
    cursor.execute("SELECT current_timezone(), TIMESTAMP '2020-01-01 00:00' AT TIME ZONE 'UTC'")
    zone, instant = cursor.fetchone()
    assert zone == "America/New_York"
    # the timestamp is read in the session zone: midnight in New York is 05:00 UTC
    assert instant == dt.datetime(2020, 1, 1, 5, tzinfo=dt.UTC)
    cursor.execute("SET TIME ZONE LOCAL")
    cursor.fetchall()
    cursor.execute("SELECT current_timezone()")
    assert cursor.fetchone()[0] != "America/New_York"


def test_unknown_time_zones_are_refused(server: LiveServer, door: trino.dbapi.Connection) -> None:
    cursor = door.cursor()
    with pytest.raises(trino.exceptions.TrinoUserError, match="Time zone not supported: Mars/Olympus_Mons"):
        _run(cursor, "SET TIME ZONE 'Mars/Olympus_Mons'")
    response = httpx.post(
        f"{server.url}/v1/statement",
        content="SELECT 1",
        headers={"X-Trino-User": "ada", "X-Trino-Time-Zone": "Mars/Olympus_Mons"},
    )
    assert response.status_code == 400
    assert "Time zone not supported: Mars/Olympus_Mons" in response.text
    assert "Mars" not in response.headers.get("X-Trino-Set-Session", "")


def test_python_client_sends_zoned_datetimes_the_engine_accepts(server: LiveServer) -> None:
    moment = dt.datetime(2024, 1, 31, 12, 0, 0, 123000, tzinfo=ZoneInfo("Europe/Paris"))
    with lakegate.connect(server.url, user="root", catalog="tpch", schema="tiny", progress=False) as conn:
        cur = conn.cursor()
        cur.execute("SELECT ?, ? + INTERVAL '1' HOUR", [moment, moment.astimezone(dt.UTC)])
        first, later = cur.fetchone()
    assert first == moment  # the same instant, read back zoned
    assert first.utcoffset() is not None
    assert later == moment + dt.timedelta(hours=1)


def test_show_functions_lists_the_supported_functions(http: httpx.Client) -> None:
    response = http.post("/v1/query", json={"sql": "SHOW FUNCTIONS LIKE 'slice'"})
    table = pa.ipc.open_stream(response.content).read_all()
    assert table.column_names[:4] == ["Function", "Return Type", "Argument Types", "Function Type"]
    assert table.column("Function").to_pylist() == ["slice"]
    everything = pa.ipc.open_stream(http.post("/v1/query", json={"sql": "SHOW FUNCTIONS"}).content).read_all()
    listed = set(everything.column("Function").to_pylist())
    assert listed == ALLOWED_NAMES - LACKING - DIFFERENT
    assert {"map_agg", "format_datetime", "with_timezone", "width_bucket"} <= listed


def test_lacking_functions_are_exactly_those_the_engine_lacks() -> None:
    with duckdb.connect() as engine:
        have = {r[0].lower() for r in engine.sql("SELECT function_name FROM duckdb_functions()").fetchall()}
    assert LACKING <= ALLOWED_NAMES
    assert DIFFERENT <= ALLOWED_NAMES
    assert not LACKING & have, "the engine has these now: review them for a faithful translation"
    assert have >= DIFFERENT


def test_names_without_policies_are_trinos(server: LiveServer) -> None:
    gateway = server.app.state.gateway  # the served planner's engines and metadata
    planner = Planner(gateway.planner.connectors, gateway.planner.snapshot, max_sql_bytes=1_000_000)
    plan = planner.plan_uncached(
        QueryRequest("SELECT count(*), 1 + 1 AS two, n_name FROM nation GROUP BY 3", "tpch", "tiny")
    )
    assert plan.engine_sql is not None
    assert "AS _col0" in plan.engine_sql
    assert "AS two" in plan.engine_sql
