"""DuckDB cursors are kept for the next query only when nothing of a query can reach the next:
read to the end, never canceled; a late cancel never interrupts another query on that cursor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.base import Cancellation, ConnectorError, QueryCanceled
from connectors.duckdb.engine import DuckDBConnector

MANY = "SELECT range AS n FROM range(1000000)"


@pytest.fixture
def connector() -> Iterator[DuckDBConnector]:
    engine = DuckDBConnector([])
    try:
        yield engine
    finally:
        engine.close()


def rows(connector: DuckDBConnector, sql: str, cancellation: Cancellation | None = None) -> int:
    result = connector.execute(sql, cancellation or Cancellation(), 1024)
    return sum(batch.num_rows for batch in result.batches)


def test_a_finished_query_gives_its_cursor_to_the_next(connector: DuckDBConnector) -> None:
    assert rows(connector, "SELECT 1 AS x") == 1
    assert connector._cursors.idle == 1
    kept = connector._cursors._idle[0]
    result = connector.execute("SELECT 2 AS x", Cancellation(), 1024)
    assert connector._cursors.idle == 0  # taken by this query
    assert [b.to_pylist() for b in result.batches] == [[{"x": 2}]]
    assert connector._cursors._idle == [kept]


def test_a_late_cancel_does_not_interrupt_the_next_query_on_the_cursor(connector: DuckDBConnector) -> None:
    first = Cancellation()
    assert rows(connector, "SELECT 1 AS x", first) == 1
    second = connector.execute(MANY, Cancellation(), 1024)
    batches = iter(second.batches)
    total = next(batches).num_rows
    first.cancel("too late: the first query is over")  # its cursor now runs the second query
    total += sum(batch.num_rows for batch in batches)
    assert total == 1_000_000


def test_a_canceled_query_is_interrupted_and_its_cursor_closed(connector: DuckDBConnector) -> None:
    cancellation = Cancellation()
    result = connector.execute(MANY, cancellation, 1024)
    batches = iter(result.batches)
    next(batches)
    cancellation.cancel("stop")
    with pytest.raises(QueryCanceled):
        for _ in batches:
            pass
    assert connector._cursors.idle == 0


def test_a_result_not_read_to_the_end_closes_its_cursor(connector: DuckDBConnector) -> None:
    result = connector.execute(MANY, Cancellation(), 1024)
    batches = iter(result.batches)
    next(batches)
    batches.close()  # type: ignore[attr-defined]
    assert connector._cursors.idle == 0
    assert rows(connector, "SELECT 3 AS x") == 1


def test_a_failed_query_closes_its_cursor(connector: DuckDBConnector) -> None:
    with pytest.raises(ConnectorError):
        rows(connector, "SELECT * FROM no_such_table")
    assert connector._cursors.idle == 0
    assert rows(connector, "SELECT 4 AS x") == 1
    assert connector._cursors.idle == 1
