"""The Python client against a real Lakegate server: DB-API, Arrow, errors, cancellation."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

import lakegate
from gateway.app import create_app
from tests.conftest import demo_config
from tests.server import LiveServer


@pytest.fixture
def conn(server: LiveServer) -> lakegate.Connection:
    connection = lakegate.connect(server.url, user="root", catalog="tpch", schema="tiny", progress=False)
    yield connection  # type: ignore[misc]
    connection.close()


def test_dbapi_fetches_and_describes(conn: lakegate.Connection) -> None:
    cur = conn.cursor()
    cur.execute("SELECT n_nationkey, n_name FROM nation WHERE n_regionkey = ? ORDER BY 1", [1])
    assert [d[0] for d in cur.description] == ["n_nationkey", "n_name"]
    assert cur.description[0][1] == lakegate.NUMBER
    assert cur.description[1][1] == lakegate.STRING
    first = cur.fetchone()
    assert first == (1, "ARGENTINA")
    rest = cur.fetchall()
    assert [r[1] for r in rest] == ["BRAZIL", "CANADA", "PERU", "UNITED STATES"]
    assert cur.fetchone() is None


def test_parameters_are_rendered_safely(conn: lakegate.Connection) -> None:
    cur = conn.cursor()
    cur.execute(
        "SELECT ? AS s, ? AS d, ? AS ts, ? AS n, 'is ? a placeholder' AS q",
        ["it's", dt.date(2024, 1, 31), dt.datetime(2024, 1, 31, 12, 30), Decimal("12.50")],
    )
    assert cur.fetchone() == (
        "it's",
        dt.date(2024, 1, 31),
        dt.datetime(2024, 1, 31, 12, 30),
        Decimal("12.50"),
        "is ? a placeholder",
    )


def test_arrow_batches_and_pandas(conn: lakegate.Connection) -> None:
    cur = conn.cursor()
    cur.execute("SELECT * FROM lineitem")
    table = cur.fetch_arrow_table()
    assert isinstance(table, pa.Table)
    assert table.num_rows == 60175
    cur.execute("SELECT * FROM lineitem")
    assert sum(b.num_rows for b in cur.iter_batches()) == 60175
    cur.execute("SELECT r_name FROM region ORDER BY 1")
    frame = cur.to_pandas()
    assert list(frame["r_name"]) == ["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"]


def test_browse(conn: lakegate.Connection) -> None:
    assert {c.name for c in conn.catalogs()} >= {"tpch", "lake", "crm"}
    assert "tiny" in {s.name for s in conn.schemas("tpch")}
    assert "vessels" in {t.name for t in conn.tables("lake", "shipping")}
    assert [c.name for c in conn.columns("tpch", "tiny", "region")] == ["r_regionkey", "r_name", "r_comment"]


@pytest.mark.parametrize(
    ("sql", "exception", "code"),
    [
        ("SELEC 1", lakegate.ProgrammingError, "SQL_SYNTAX_ERROR"),
        ("SELECT * FROM nope", lakegate.ProgrammingError, "TABLE_NOT_FOUND"),
        ("DROP TABLE nation", lakegate.ProgrammingError, "STATEMENT_NOT_ALLOWED"),
        ("SELECT CAST('x' AS integer)", lakegate.DataError, "ENGINE_DATA_ERROR"),
    ],
)
def test_server_errors_are_typed(
    conn: lakegate.Connection, sql: str, exception: type[Exception], code: str
) -> None:
    with pytest.raises(exception) as caught:
        conn.cursor().execute(sql)
    assert caught.value.code == code  # type: ignore[attr-defined]


def test_cli_query(server: LiveServer) -> None:
    command = [sys.executable, "-m", "gateway.cli", "query", "SELECT r_name FROM tpch.tiny.region ORDER BY 1"]
    result = subprocess.run(
        [*command, "--url", server.url, "--user", "root", "--format", "csv"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[:2] == ['"r_name"', '"AFRICA"']
    failed = subprocess.run(
        [*command[:-1], "SELECT * FROM nope.x.y", "--url", server.url, "--user", "root"],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1
    assert "CATALOG_NOT_FOUND" in failed.stderr


def test_a_result_cut_off_by_a_limit_raises_the_servers_error(demo_dir: Path) -> None:
    config = demo_config(demo_dir, limits={"max_rows": 20_000}, engine={"batch_rows": 5_000})
    with (
        LiveServer(create_app(config)) as live,
        lakegate.connect(live.url, user="root", progress=False) as conn,
    ):
        cur = conn.cursor()
        cur.execute("SELECT * FROM tpch.tiny.lineitem")
        with pytest.raises(lakegate.ResultTooLargeError) as caught:
            cur.fetch_arrow_table()
        assert caught.value.code == "RESULT_TOO_LARGE"
        # the connection still works
        assert conn.cursor().execute("SELECT 1 AS one").fetchall() == [(1,)]


ENDLESS = (
    "SELECT count(*) AS n FROM tpch.tiny.lineitem a, tpch.tiny.lineitem b, tpch.tiny.nation c "
    "WHERE (a.l_partkey * 7 + b.l_suppkey * 13 + c.n_nationkey) % 1000003 = 17"
)


def test_the_clients_own_timeout_is_a_timeout_and_cancels_the_query(server: LiveServer) -> None:
    with lakegate.connect(server.url, user="root", timeout=1, progress=False) as conn:
        cur = conn.cursor()
        with pytest.raises(lakegate.QueryTimeoutError, match="timeout") as caught:
            cur.execute(ENDLESS).fetchall()
        query_id = caught.value.query_id
        assert query_id is not None
        # the cancel is asynchronous (the engine is interrupted mid-join): it lands promptly
        deadline = time.monotonic() + 10
        while (status := conn._session.get_json(f"/v1/queries/{query_id}"))["state"] == "RUNNING":
            assert time.monotonic() < deadline, "the query still runs 10 s after the client's timeout"
            time.sleep(0.05)
        assert status["state"] == "CANCELED"
        assert conn.cursor().execute("SELECT 1 AS one").fetchall() == [(1,)]
