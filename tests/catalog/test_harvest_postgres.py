"""Harvesting a PostgreSQL catalog (the real server on 127.0.0.1:5432): COMMENT ON becomes the
description, views are views, new and dropped tables follow a refresh, and a configured schema
that does not exist is reported."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from catalog.model import EntityType, entity_guid, qualified_name
from catalog.service import CatalogService
from catalog.store import CatalogStore
from connectors.duckdb.engine import DuckDBConnector
from connectors.duckdb.sources import PostgresSource
from tests.catalog.conftest import ADMIN_DSN
from tests.conftest import server_missing

pytestmark = pytest.mark.postgres


@pytest.fixture
def billing() -> Iterator[str]:
    database = f"lakegate_harvest_test_{os.getpid()}"
    try:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {database}")
    except psycopg.OperationalError as exc:
        server_missing(f"PostgreSQL is not reachable on 127.0.0.1:5432 with trust auth: {exc}")
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={database}", autocommit=True) as conn:
        conn.execute("CREATE SCHEMA billing")
        conn.execute("CREATE TABLE billing.port_fees (port_id text PRIMARY KEY, fee_eur numeric(10,2))")
        conn.execute("COMMENT ON TABLE billing.port_fees IS 'Harbour dues per port call'")
        conn.execute("COMMENT ON COLUMN billing.port_fees.fee_eur IS 'Fee in euros'")
        conn.execute("INSERT INTO billing.port_fees SELECT 'P' || g, g FROM generate_series(1, 500) g")
        conn.execute("ANALYZE billing.port_fees")
        conn.execute(
            "CREATE VIEW billing.expensive AS SELECT port_id FROM billing.port_fees WHERE fee_eur > 100"
        )
        conn.execute("CREATE TABLE public.hidden (x int)")
    yield database
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def pg_guid(kind: EntityType, *parts: str) -> str:
    return entity_guid(kind, qualified_name("lg", "pg", *parts))


def test_postgres_metadata_is_harvested_and_follows_changes(billing: str, tmp_path: Path) -> None:
    source = PostgresSource("pg", "127.0.0.1", 5432, billing, "postgres", None, ("billing", "archive"))
    engine = DuckDBConnector([source])
    service = CatalogService(CatalogStore.sqlite(tmp_path / "catalog.sqlite"), instance="lg")
    try:
        (result,) = service.refresh([engine]).sources
        assert result.status == "partial"
        assert result.message == "pg.archive: the configured schema archive does not exist"
        fees = service.entity(pg_guid(EntityType.TABLE, "billing", "port_fees"))
        assert fees is not None
        assert fees.description == "Harbour dues per port call"
        assert fees.row_count == 500
        assert fees.size_bytes is not None
        assert fees.size_bytes > 0
        assert (fees.storage_format, fees.location) == ("postgresql", f"{billing}.billing.port_fees")
        fee = service.entity(pg_guid(EntityType.COLUMN, "billing", "port_fees", "fee_eur"))
        assert fee is not None
        assert (fee.description, fee.data_type) == ("Fee in euros", "decimal(10,2)")
        view = service.entity(pg_guid(EntityType.VIEW, "billing", "expensive"))
        assert view is not None
        assert view.view_sql is not None
        assert "fee_eur > " in view.view_sql
        assert service.snapshot().table("pg", "billing", "expensive").kind == "VIEW"  # type: ignore[union-attr]
        assert not any(e.path.schema == "public" for e in service.entities())  # not a configured schema

        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={billing}", autocommit=True) as conn:
            conn.execute("CREATE TABLE billing.invoices (invoice_id bigint)")
            conn.execute("DROP VIEW billing.expensive")
            conn.execute("CREATE SCHEMA archive")
        (result,) = service.refresh([engine]).sources
        # the schema now exists (empty: no entity), the new table and its column, the view and its column
        assert (result.status, result.added, result.removed) == ("ok", 2, 2)
        assert service.entity(pg_guid(EntityType.TABLE, "billing", "invoices")) is not None
        assert service.entity(pg_guid(EntityType.VIEW, "billing", "expensive")) is None
    finally:
        engine.close()
        service.close()
