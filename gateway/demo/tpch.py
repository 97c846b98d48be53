"""TPC-H benchmark tables, made by DuckDB's dbgen and written as Parquet."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import duckdb

from connectors.duckdb import extensions

TINY_SCALE = 0.01
TABLES = ("customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier")
ROW_GROUP_SIZE = 122_880
# dbgen holds the whole data set in DuckDB; above this it spills to a temporary folder.
MEMORY_LIMIT = "1GB"


def schema_name(scale: float) -> str:
    """Trino's names: 0.01 is ``tiny``, 1 is ``sf1``, 100 is ``sf100``, 0.5 is ``sf0_5``."""
    scale = float(scale)
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"TPC-H scale factor must be a positive number, not {scale}")
    if scale == TINY_SCALE:
        return "tiny"
    if scale.is_integer():
        return f"sf{int(scale)}"
    text = f"{scale:g}"
    if "e" in text:
        raise ValueError(f"TPC-H scale factor {scale} has no schema name; use a plain decimal")
    return "sf" + text.replace(".", "_")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_tpch(root: Path, scale: float) -> list[Path]:
    """Write the 8 tables to ``root/<schema_name(scale)>/<table>.parquet``; return their paths."""
    target = root / schema_name(scale)
    target.mkdir(parents=True, exist_ok=True)
    paths = [target / f"{table}.parquet" for table in TABLES]
    with tempfile.TemporaryDirectory(prefix="lakegate-dbgen-") as spill:
        con = duckdb.connect()
        try:
            extensions.configure(con)
            extensions.load(con, "tpch")
            extensions.load(con, "parquet")
            con.execute(f"SET temp_directory = {_quote(spill)}")
            con.execute(f"SET memory_limit = {_quote(MEMORY_LIMIT)}")
            con.execute("CALL dbgen(sf = ?)", [float(scale)])
            for table, path in zip(TABLES, paths, strict=True):
                con.execute(
                    f"COPY {table} TO {_quote(str(path))} "
                    f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
                )
        finally:
            con.close()
    return paths
