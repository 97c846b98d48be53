"""Trino's own ``tpch.tiny`` exported into a Lakegate demo, so TPC-H compares the same data.

Trino's tpch generator and DuckDB's dbgen agree on keys and numbers but not on every text column
(comments, addresses), so Q13 and Q20 differ on the demo's own Parquet. The conformance suite
reads each table from the real Trino (decimal type mapping: ``decimal(12,2)``) and writes it over
the demo's ``tpch/tiny/*.parquet``, with the Arrow types Lakegate's Trino connector gives them.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import trino

from connectors.trino.types import arrow_type_of
from tests.trino_oracle.differential import execute_retrying

TABLES = ("customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier")


def export_tpch_tiny(connection: trino.dbapi.Connection, folder: Path) -> None:
    """Write every ``tpch.tiny`` table of the real Trino as ``folder/<table>.parquet``."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        cursor = connection.cursor()
        rows = execute_retrying(cursor, f"SELECT * FROM tpch.tiny.{table}")
        description = cursor.description or []
        columns = [
            pa.array([row[i] for row in rows], type=arrow_type_of(str(column[1])))
            for i, column in enumerate(description)
        ]
        pq.write_table(
            pa.table(columns, names=[column[0] for column in description]), folder / f"{table}.parquet"
        )
