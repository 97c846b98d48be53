"""Defence in depth: the embedded engine runs a query only if what DuckDB bound is what was authorized.

The planner hands the engine the logical tables it authorized (RoutingHints.tables); before a
query's first run the engine reads the leaves of DuckDB's physical plan and refuses any scan that
is not one those tables make. Here the planner is bypassed on purpose, as a planner bug would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.base import Cancellation, ConnectorError, RoutingHints
from connectors.duckdb.engine import DuckDBConnector
from gateway.connector_factory import build_connectors
from tests.conftest import demo_config

CUSTOMERS = ("crm", "main", "customers")
VESSELS = ("lake", "shipping", "vessels")


@pytest.fixture(scope="module")
def engine(demo_dir: Path) -> Iterator[DuckDBConnector]:
    connectors = build_connectors(demo_config(demo_dir))
    duckdb_engine = next(c for c in connectors if isinstance(c, DuckDBConnector))
    yield duckdb_engine
    for connector in connectors:
        connector.close()


def run(engine: DuckDBConnector, sql: str, *tables: tuple[str, str, str]) -> list[tuple[object, ...]]:
    result = engine.execute(sql, Cancellation(), 1024, RoutingHints(tables=tables))
    return [tuple(row.values()) for batch in result.batches for row in batch.to_pylist()]


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('SELECT count(*) FROM "lg_crm".main.customers', (CUSTOMERS,)),
        (
            'SELECT v.name FROM "lg_lake".shipping.vessels v JOIN "lg_crm".main.customers c ON true LIMIT 1',
            (CUSTOMERS, VESSELS),
        ),
        (
            "WITH RECURSIVE t(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM t WHERE x < 3) SELECT sum(x) FROM t",
            (),
        ),
        ("SELECT * FROM (VALUES (1), (2)) AS v(x), unnest([1, 2]) AS u(y)", ()),
        (
            'SELECT customer_id FROM "lg_crm".main.customers c WHERE EXISTS '
            '(SELECT 1 FROM "lg_crm".main.customers d WHERE d.customer_id = c.customer_id + 1) LIMIT 1',
            (CUSTOMERS,),
        ),
    ],
)
def test_what_was_authorized_runs(
    engine: DuckDBConnector, sql: str, tables: tuple[tuple[str, str, str], ...]
) -> None:
    assert run(engine, sql, *tables)


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('SELECT count(*) FROM "lg_crm".main.contracts', (CUSTOMERS,)),
        ('SELECT count(*) FROM "lg_crm".main.customers', ()),
        ("SELECT * FROM duckdb_tables()", ()),
        ("SELECT * FROM duckdb_settings()", (CUSTOMERS,)),
        ("SELECT * FROM information_schema.tables", (CUSTOMERS,)),
        ('SELECT * FROM "lg_lake".shipping.port_calls', (VESSELS,)),  # a Parquet scan of another table
        ('SELECT * FROM "lg_lake".shipping.ports', (VESSELS,)),
        (
            "WITH RECURSIVE duckdb_tables AS (SELECT * FROM duckdb_tables UNION ALL "
            "SELECT * FROM duckdb_tables WHERE false) SELECT * FROM duckdb_tables",
            (),
        ),
    ],
)
def test_anything_else_is_refused_before_it_runs(
    engine: DuckDBConnector, sql: str, tables: tuple[tuple[str, str, str], ...]
) -> None:
    with pytest.raises(ConnectorError) as raised:
        run(engine, sql, *tables)
    assert raised.value.kind == "refused"
    assert "lg_" not in raised.value.message


def test_a_refusal_is_not_remembered_as_verified(engine: DuckDBConnector) -> None:
    sql = 'SELECT count(*) FROM "lg_crm".main.contracts'
    for _ in range(2):
        with pytest.raises(ConnectorError):
            run(engine, sql, CUSTOMERS)
    assert run(engine, sql, ("crm", "main", "contracts"))
