"""TPC-DS ``tiny`` (scale 0.01) for the conformance suite: one set of Parquet files both sides read.

The ``trino-tpcds`` plugin is not served for Trino 476, so DuckDB's dsdgen writes the 24 tables as
``<root>/tiny/<table>/data.parquet`` once (``.cache/tpcds``, reused while its stamp is there). The
real Trino reads them through its Hive connector (catalog ``tpcds`` in tests/trino_server.py) as
external tables declared here with DuckDB's own column types; Lakegate serves the same folder as a
files catalog, so both answer over the same rows and types.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import trino

from connectors.duckdb import extensions
from tests.trino_server import REPO

SCALE = 0.01
SCHEMA = "tiny"
CACHE = REPO / ".cache" / "tpcds"
STAMP = ".complete"

# DuckDB's column types as Trino spells them; dsdgen uses no others.
TRINO_TYPE_OF = {"INTEGER": "integer", "BIGINT": "bigint", "DATE": "date", "VARCHAR": "varchar"}

Columns = list[tuple[str, str]]


def trino_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.lower()
    try:
        return TRINO_TYPE_OF[duckdb_type]
    except KeyError:
        raise ValueError(f"dsdgen column type {duckdb_type} has no Trino mapping here") from None


def write_tpcds(root: Path = CACHE) -> dict[str, Columns]:
    """Generate (unless already there) and describe ``root/tiny``: table -> [(column, Trino type)]."""
    target = root / SCHEMA
    con = duckdb.connect()
    try:
        extensions.configure(con)
        extensions.load(con, "parquet")
        if not (target / STAMP).is_file():
            _generate(con, target)
        return {
            folder.name: [
                (str(name), trino_type(str(kind)))
                for name, kind, *_ in con.execute(
                    "DESCRIBE SELECT * FROM read_parquet(?)", [str(folder / "data.parquet")]
                ).fetchall()
            ]
            for folder in sorted(p for p in target.iterdir() if p.is_dir())
        }
    finally:
        con.close()


def _generate(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """Write the tables beside ``target`` and move them there at once, so a concurrent session
    (the cache is shared by worktrees) sees all of them or none."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{SCHEMA}-", dir=target.parent))
    try:
        extensions.load(con, "tpcds")
        con.execute("CALL dsdgen(sf = ?)", [SCALE])
        for (table,) in con.execute("SHOW TABLES").fetchall():
            (staging / table).mkdir()
            con.execute(f"COPY {table} TO '{staging / table / 'data.parquet'}' (FORMAT parquet)")
        (staging / STAMP).touch()
        if (target / STAMP).is_file():
            return  # another session finished first
        shutil.rmtree(target, ignore_errors=True)  # an interrupted old layout
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def register_in_trino(
    connection: trino.dbapi.Connection, catalog: str, root: Path, tables: dict[str, Columns]
) -> None:
    """Declare every table as a Hive external table over its folder (the Hive catalog's file system
    is ``local://`` rooted at ``/``)."""
    cursor = connection.cursor()
    cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {catalog}.{SCHEMA}")
    cursor.fetchall()
    for table, columns in tables.items():
        spec = ", ".join(f'"{name}" {kind}' for name, kind in columns)
        location = f"local://{(root / SCHEMA / table).resolve()}"
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {catalog}.{SCHEMA}.{table} ({spec}) "
            f"WITH (external_location = '{location}', format = 'PARQUET')"
        )
        cursor.fetchall()
