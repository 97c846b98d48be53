"""Turn each source into a DuckDB catalog named ``lg_<logical>``.

Lake files become views in an in-memory catalog (one schema per folder), SQLite files and
PostgreSQL databases are attached read-only through DuckDB's own scanners. PostgreSQL
credentials go into a DuckDB secret, so they never appear in an ATTACH string or an error.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from connectors.duckdb import extensions
from connectors.duckdb.sources import FilesSource, FileTable, PostgresSource, Source, SqliteSource

PHYSICAL_PREFIX = "lg_"


def physical_name(logical: str) -> str:
    return PHYSICAL_PREFIX + logical


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _scan(table: FileTable) -> str:
    path = table.path
    target = str(path / "**" / f"*{_suffix_glob(table.format)}") if path.is_dir() else str(path)
    if table.format == "parquet":
        return f"read_parquet({literal(target)}, union_by_name = true)"
    if table.format == "csv":
        return f"read_csv({literal(target)}, auto_detect = true, header = true, union_by_name = true)"
    if table.format == "json":
        return f"read_json({literal(target)}, auto_detect = true, union_by_name = true)"
    if table.format == "avro":
        return f"read_avro({literal(target)})"
    raise ValueError(f"unsupported file format {table.format!r}")


def _suffix_glob(fmt: str) -> str:
    return {"parquet": ".parquet", "csv": ".csv", "json": ".json*", "avro": ".avro"}[fmt]


def attach(con: duckdb.DuckDBPyConnection, source: Source, failed: dict[str, str]) -> list[Path]:
    """Create the catalog for ``source``; return the files and folders the engine must read.

    Only what the tables are: a table's own file, or the folder of a folder table; never the
    folder a file sits in (the configuration or the policies may sit beside the data).

    A lake table that cannot be read is left out and reported in ``failed`` (by its name);
    the rest of its catalog is served.
    """
    physical = ident(physical_name(source.catalog))
    if isinstance(source, FilesSource):
        con.execute(f"ATTACH ':memory:' AS {physical}")
        folders: list[Path] = []
        for table in source.tables:
            try:
                if table.format in ("avro", "json"):
                    extensions.load(con, table.format)
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {physical}.{ident(table.schema)}")
                con.execute(
                    f"CREATE OR REPLACE VIEW {physical}.{ident(table.schema)}.{ident(table.name)} "
                    f"AS SELECT * FROM {_scan(table)}"
                )
            except (duckdb.Error, extensions.ExtensionUnavailable) as exc:
                failed[f"{source.catalog}.{table.schema}.{table.name}"] = str(exc)
                continue
            folders.append(table.path)
        return folders
    if isinstance(source, SqliteSource):
        extensions.load(con, "sqlite_scanner")
        con.execute(f"ATTACH {literal(str(source.path))} AS {physical} (TYPE sqlite, READ_ONLY)")
        return [source.path]
    if isinstance(source, PostgresSource):
        extensions.load(con, "postgres_scanner")
        secret = ident(physical_name(source.catalog) + "_secret")
        parts = [
            "TYPE postgres",
            f"HOST {literal(source.host)}",
            f"PORT {int(source.port)}",
            f"DATABASE {literal(source.database)}",
            f"USER {literal(source.user)}",
        ]
        if source.password is not None:
            parts.append(f"PASSWORD {literal(source.password)}")
        con.execute(f"CREATE OR REPLACE SECRET {secret} ({', '.join(parts)})")
        con.execute(f"ATTACH '' AS {physical} (TYPE postgres, SECRET {secret}, READ_ONLY)")
        return []
    raise TypeError(f"unknown source {type(source).__name__}")
