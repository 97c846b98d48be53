"""PostgreSQL types the engine cannot hold faithfully are left out, as Trino's connector does.

The engine reads PostgreSQL's unconstrained ``numeric`` (and ``numeric[]``) as double, so
1e20 + 0.123456789 would come back as 9.999999999999998e+19. Trino's PostgreSQL connector leaves
such columns out by default (decimal-mapping STRICT); Lakegate does the same on every door,
with and without policies, and names the column when a query asks for it. Constrained
``numeric(p, s)`` stays an exact decimal.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import trino
import yaml

from gateway.app import create_app
from gateway.config import parse_config
from tests.postgres_databases import scratch_database
from tests.server import LiveServer

pytestmark = pytest.mark.postgres
BIG = "100000000000000000000.123456789"


@pytest.fixture(scope="module")
def ledger_database() -> Iterator[str]:
    with scratch_database("lakegate_types") as dsn:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA billing")
            conn.execute(
                "CREATE TABLE billing.ledger (id int, amount numeric, exact numeric(30, 9), "
                "amounts numeric[], note text)"
            )
            conn.execute(
                f"INSERT INTO billing.ledger VALUES (1, {BIG}, {BIG}, ARRAY[{BIG}], 'big'), "
                "(2, 0.1, 0.1, ARRAY[0.1], 'small')"
            )
            conn.execute("CREATE VIEW billing.ledger_view AS SELECT id, amount FROM billing.ledger")
        yield dsn.rsplit("dbname=", 1)[1]


def _pg_catalog(database: str) -> dict[str, Any]:
    return {
        "connector": "postgres",
        "host": "127.0.0.1",
        "port": 5432,
        "database": database,
        "user": "postgres",
        "schemas": ["billing"],
    }


@pytest.fixture(scope="module", params=["open", "with-policies"])
def server(
    request: pytest.FixtureRequest,
    ledger_database: str,
    demo_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    work = tmp_path_factory.mktemp("pg-types")
    if request.param == "open":  # no policies: the planner would not otherwise qualify columns
        raw: dict[str, Any] = {
            "server": {"dev_mode": True},
            "catalogs": {"pg": _pg_catalog(ledger_database)},
            "audit": {"path": str(work / "audit.sqlite")},
        }
        path = work / "lakegate.yaml"
    else:
        raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
        raw["server"]["dev_mode"] = True
        raw["catalogs"]["pg"] = _pg_catalog(ledger_database)
        path = demo_dir / "lakegate.yaml"
    with LiveServer(create_app(parse_config(raw, path))) as live:
        yield live


def _client(server: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=60, headers={"X-Lakegate-User": "root"})


def _query(server: LiveServer, sql: str) -> httpx.Response:
    with _client(server) as http:
        return http.post("/v1/query", json={"sql": sql}, headers={"Accept": "application/json"})


def test_unconstrained_numeric_columns_are_left_out_of_metadata(server: LiveServer) -> None:
    with _client(server) as http:
        table = http.get("/v1/catalogs/pg/schemas/billing/tables/ledger").json()
        view = http.get("/v1/catalogs/pg/schemas/billing/tables/ledger_view").json()
    assert [(c["name"], c["type"]) for c in table["columns"]] == [
        ("id", "integer"),
        ("exact", "decimal(30,9)"),
        ("note", "varchar"),
    ]
    assert [c["name"] for c in view["columns"]] == ["id"]


def test_star_reads_only_the_columns_held_exactly(server: LiveServer) -> None:
    response = _query(server, "SELECT * FROM pg.billing.ledger ORDER BY id")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [c["name"] for c in body["columns"]] == ["id", "exact", "note"]
    assert body["data"][0] == [1, BIG, "big"]
    assert Decimal(body["data"][1][1]) == Decimal("0.1")


@pytest.mark.parametrize(
    ("sql", "column"),
    [
        ("SELECT amount FROM pg.billing.ledger", "pg.billing.ledger.amount"),
        ("SELECT sum(l.amount) FROM pg.billing.ledger AS l", "pg.billing.ledger.amount"),
        ("SELECT id FROM pg.billing.ledger WHERE amount > 1", "pg.billing.ledger.amount"),
        ("SELECT amounts[1] FROM pg.billing.ledger", "pg.billing.ledger.amounts"),
        ("SELECT amount FROM pg.billing.ledger_view", "pg.billing.ledger_view.amount"),
    ],
)
def test_naming_a_left_out_column_is_refused_by_name(server: LiveServer, sql: str, column: str) -> None:
    response = _query(server, sql)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["code"] == "NOT_SUPPORTED"
    assert f"column {column} is not supported" in problem["detail"]
    assert "numeric" in problem["detail"]
    assert "double" in problem["detail"]


def test_the_trino_door_sees_the_same_columns(server: LiveServer) -> None:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    with trino.dbapi.connect(host=host, port=int(port), user="root", http_scheme="http") as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT * FROM pg.billing.ledger WHERE id = 1")
        rows = cursor.fetchall()
        assert [d[0] for d in cursor.description] == ["id", "exact", "note"]
        assert rows == [[1, Decimal(BIG), "big"]]
        cursor.execute("SHOW COLUMNS FROM pg.billing.ledger")
        assert [r[0] for r in cursor.fetchall()] == ["id", "exact", "note"]
        with pytest.raises(
            trino.exceptions.TrinoUserError, match=r"pg\.billing\.ledger\.amount is not supported"
        ):
            cursor.execute("SELECT amount FROM pg.billing.ledger")
