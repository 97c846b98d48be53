"""The same policies hold through the Trino front door as through the native API (real clients)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pyarrow as pa
import pytest
import trino

from tests.server import LiveServer
from tests.trino.conftest import Connect

DENIED = [
    ("sam", "SELECT national_id FROM crm.main.customers"),
    ("sam", "SELECT * FROM crm.main.customers"),
    ("sam", "SELECT count(*) FROM crm.main.contracts"),
    ("sam", "SELECT * FROM crm.main.no_such_table"),
    ("eve", "SELECT count(*) FROM tpch.tiny.nation"),
    ("ada", "SELECT * FROM crm.main.support_tickets"),
]


def native_problem(server: LiveServer, user: str, sql: str) -> dict[str, object]:
    response = httpx.post(f"{server.url}/v1/query", json={"sql": sql}, headers={"X-Lakegate-User": user})
    assert response.status_code == 403
    problem: dict[str, object] = response.json()
    return problem


@pytest.mark.parametrize(("user", "sql"), DENIED)
def test_denied_identically_through_both_doors(
    server: LiveServer, connect: Connect, user: str, sql: str
) -> None:
    native = native_problem(server, user, sql)
    assert native["code"] == "ACCESS_DENIED"
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:
        connect(user).cursor().execute(sql)
    assert raised.value.error_name == "PERMISSION_DENIED"
    assert raised.value.message == native["detail"]


def test_masks_and_row_filters_apply_through_the_trino_door(
    server: LiveServer, connect: Connect, demo_dir: Path
) -> None:
    with sqlite3.connect(demo_dir / "crm" / "crm.sqlite") as db:
        real_emails = {r[0] for r in db.execute("SELECT email FROM customers")}
        emea = db.execute("SELECT count(*) FROM customers WHERE region = 'EMEA'").fetchone()[0]
    sql = "SELECT customer_id, email, national_id, full_name FROM crm.main.customers ORDER BY customer_id LIMIT 50"
    through_trino = connect("ada").cursor().execute(sql).fetchall()
    native = httpx.post(f"{server.url}/v1/query", json={"sql": sql}, headers={"X-Lakegate-User": "ada"})
    table = pa.ipc.open_stream(native.content).read_all()
    native_rows = [tuple(r.values()) for r in table.to_pylist()]
    assert [tuple(r) for r in through_trino] == native_rows
    assert not {r[1] for r in through_trino} & real_emails
    assert all(len(r[2]) == 64 for r in through_trino)  # hashed
    counted = connect("sam").cursor().execute("SELECT count(*) FROM crm.main.customers").fetchall()
    assert counted == [[emea]]
    regions = connect("sam").cursor().execute("SELECT DISTINCT region FROM crm.main.customers").fetchall()
    assert regions == [["EMEA"]]
