"""A PostgreSQL catalog (the real server on 127.0.0.1:5432) joined with lake files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pyarrow as pa
import pytest
import yaml

from gateway.app import create_app
from gateway.config import parse_config
from tests.conftest import server_missing
from tests.server import LiveServer

pytestmark = pytest.mark.postgres
DATABASE = "lakegate_test"
PASSWORD = "not-a-real-password-7f3a"


@pytest.fixture(scope="module")
def postgres_database() -> str:
    try:
        admin = psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5", autocommit=True
        )
    except psycopg.OperationalError as exc:
        server_missing(f"PostgreSQL is not reachable on 127.0.0.1:5432 with trust auth: {exc}")
    with admin as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    with psycopg.connect(
        f"host=127.0.0.1 port=5432 user=postgres dbname={DATABASE}", autocommit=True
    ) as conn:
        conn.execute("CREATE SCHEMA billing")
        conn.execute(
            "CREATE TABLE billing.port_fees (port_id text PRIMARY KEY, fee_eur numeric(10,2), note text)"
        )
        conn.execute("COMMENT ON TABLE billing.port_fees IS 'Harbour dues per port call'")
        conn.execute(
            "INSERT INTO billing.port_fees VALUES "
            "('NLRTM', 1250.00, 'Rotterdam'), ('SGSIN', 980.50, 'Singapore'), ('ZZZZZ', 1.00, 'no such port')"
        )
        conn.execute("CREATE TABLE public.hidden (x int)")
    return DATABASE


@pytest.fixture(scope="module")
def pg_http(
    demo_dir: Path, postgres_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
    raw["server"]["dev_mode"] = True  # act as the demo's admin through X-Lakegate-User
    secret = tmp_path_factory.mktemp("secrets") / "pg-password"
    secret.write_text(PASSWORD)
    raw["catalogs"]["pg"] = {
        "connector": "postgres",
        "host": "127.0.0.1",
        "port": 5432,
        "database": postgres_database,
        "user": "postgres",
        "password": f"file:{secret}",
        "schemas": ["billing"],
    }
    config = parse_config(raw, demo_dir / "lakegate.yaml")
    with (
        LiveServer(create_app(config)) as live,
        httpx.Client(base_url=live.url, timeout=60, headers={"X-Lakegate-User": "root"}) as client,
    ):
        yield client


def test_postgres_tables_appear_in_metadata(pg_http: httpx.Client) -> None:
    schemas = [s["name"] for s in pg_http.get("/v1/catalogs/pg/schemas").json()["schemas"]]
    assert schemas == ["billing"]  # only the configured schemas; public stays hidden
    table = pg_http.get("/v1/catalogs/pg/schemas/billing/tables/port_fees").json()
    assert [c["name"] for c in table["columns"]] == ["port_id", "fee_eur", "note"]
    assert table["columns"][1]["type"] == "decimal(10,2)"


def test_join_postgres_with_lake_csv(pg_http: httpx.Client) -> None:
    sql = """
        SELECT p.port_id, p.name, f.fee_eur
        FROM lake.shipping.ports p JOIN pg.billing.port_fees f ON f.port_id = p.port_id
        ORDER BY p.port_id
    """
    response = pg_http.post("/v1/query", json={"sql": sql})
    assert response.status_code == 200, response.text
    table = pa.ipc.open_stream(response.content).read_all()
    assert table.column("port_id").to_pylist() == ["NLRTM", "SGSIN"]
    assert [str(v) for v in table.column("fee_eur").to_pylist()] == ["1250.00", "980.50"]


def test_postgres_catalog_is_read_only_and_password_never_leaks(pg_http: httpx.Client) -> None:
    responses = [
        pg_http.post("/v1/query", json={"sql": "DELETE FROM pg.billing.port_fees"}),
        pg_http.post("/v1/query", json={"sql": "SELECT * FROM pg.public.hidden"}),
        pg_http.post("/v1/query", json={"sql": "SELECT * FROM postgres_query('pg', 'SELECT 1')"}),
        pg_http.get("/v1/catalogs/pg/schemas"),
        pg_http.get("/readyz"),
        pg_http.get("/metrics"),
    ]
    assert [r.status_code for r in responses[:3]] == [403, 404, 403]
    for response in responses:
        assert PASSWORD not in response.text
