"""A lake file rewritten in place (same name) is read fresh by the next query, whatever its
modification time says: the engine keeps no file data or Parquet footer between queries.

DuckDB 1.5's external file cache (on by default) and its Parquet metadata cache trust a file
whose modification time is unchanged; local modification times have a resolution of one second,
so a file rewritten in the second it was read kept its old footer: the old row-group statistics
pruned the new rows (a silent wrong answer). Both caches are off (connectors/duckdb/engine.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors.base import Cancellation
from connectors.duckdb.attach import ident, physical_name
from connectors.duckdb.engine import DuckDBConnector
from connectors.duckdb.sources import FilesSource, FileTable

TABLE = f"{ident(physical_name('lake'))}.s.t"


@pytest.fixture
def parquet(tmp_path: Path) -> Path:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"k": [10, 11, 12, 13, 14]}), path)
    return path


@pytest.fixture
def engine(parquet: Path) -> Iterator[DuckDBConnector]:
    connector = DuckDBConnector([FilesSource("lake", (FileTable("s", "t", parquet, "parquet"),))])
    try:
        yield connector
    finally:
        connector.close()


def rows(engine: DuckDBConnector, sql: str) -> list[dict[str, object]]:
    result = engine.execute(sql, Cancellation(), 1024)
    return [row for batch in result.batches for row in batch.to_pylist()]


def rewrite_keeping_mtime(path: Path, table: pa.Table) -> None:
    """Rewrite the file in place with the modification time it had (as a rewrite within the
    same second looks to a file system clock of one-second resolution)."""
    before = path.stat()
    pq.write_table(table, path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_the_engine_caches_no_file_data_or_parquet_metadata(engine: DuckDBConnector) -> None:
    settings = dict(
        engine._db.execute(
            "SELECT name, value FROM duckdb_settings() "
            "WHERE name IN ('enable_external_file_cache', 'parquet_metadata_cache')"
        ).fetchall()
    )
    assert settings == {"enable_external_file_cache": "false", "parquet_metadata_cache": "false"}


def test_new_rows_of_a_file_rewritten_in_place_are_found(engine: DuckDBConnector, parquet: Path) -> None:
    assert rows(engine, f"SELECT k FROM {TABLE} WHERE k = 12") == [{"k": 12}]
    # same size, same modification time, other values: the old footer's statistics (10..14)
    # would prune the row of 22
    rewrite_keeping_mtime(parquet, pa.table({"k": [20, 21, 22, 23, 24]}))
    assert rows(engine, f"SELECT k FROM {TABLE} WHERE k = 22") == [{"k": 22}]
    assert rows(engine, f"SELECT k FROM {TABLE} WHERE k = 12") == []


def test_more_rows_of_a_file_rewritten_in_place_are_all_read(engine: DuckDBConnector, parquet: Path) -> None:
    assert rows(engine, f"SELECT count(*) AS n, max(k) AS top FROM {TABLE}") == [{"n": 5, "top": 14}]
    rewrite_keeping_mtime(parquet, pa.table({"k": list(range(100, 150)), "v": ["x"] * 50}))
    assert rows(engine, f"SELECT count(*) AS n, max(k) AS top FROM {TABLE}") == [{"n": 50, "top": 149}]
    assert rows(engine, f"SELECT k FROM {TABLE} WHERE k = 137") == [{"k": 137}]


@pytest.mark.parametrize(
    "config",
    [{}, {"enable_external_file_cache": False}],
    ids=["external file cache (DuckDB's default)", "parquet metadata cache"],
)
def test_why_the_caches_are_off(tmp_path: Path, config: dict[str, bool]) -> None:
    """DuckDB 1.5 itself, with either cache on, answers a rewrite with the old modification time
    from the old footer. If this starts to fail after an upgrade, the caches may be reconsidered."""
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"k": [10, 11, 12, 13, 14]}), path)
    db = duckdb.connect(config=config)
    try:
        if "enable_external_file_cache" in config:
            db.execute("SET parquet_metadata_cache = true")
        db.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{path}')")
        assert db.execute("SELECT k FROM t WHERE k = 12").fetchall() == [(12,)]
        rewrite_keeping_mtime(path, pa.table({"k": [20, 21, 22, 23, 24]}))
        assert db.execute("SELECT k FROM t WHERE k = 22").fetchall() == []  # stale
    finally:
        db.close()
