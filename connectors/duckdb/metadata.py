"""What the embedded engine knows about each catalog's tables: columns, comments, views, sizes.

Read from DuckDB's own catalog functions; a PostgreSQL catalog adds what only PostgreSQL knows
(which relations are views, their definitions, row estimates and sizes) through the attached
database, and lake files add their format, location, size and (Parquet) row counts. Only what
is cheap to learn is read: no table is scanned.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from connectors.base import CatalogInfo, ColumnInfo, TableInfo
from connectors.duckdb.attach import ident, literal, physical_name
from connectors.duckdb.sources import FilesSource, FileTable, PostgresSource, Source, SqliteSource
from connectors.duckdb.types import trino_type

HIDDEN_SCHEMAS = frozenset({"information_schema", "pg_catalog", "pg_toast"})
#: a folder table with more files than this gets no row count (each file's footer is read)
MAX_FILES_COUNTED = 256

_PG_RELATIONS = (
    "SELECT n.nspname, c.relname, c.relkind, c.reltuples::bigint, "
    "CASE WHEN c.relkind IN ('r', 'm', 'p') THEN pg_total_relation_size(c.oid) END AS size, "
    "CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS definition "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
)

#: PostgreSQL numeric without precision (and arrays of it): the engine reads them as double,
#: losing digits (1e20 + 0.123456789 -> 9.999999999999998e+19). Trino's PostgreSQL connector
#: leaves such columns out by default (decimal-mapping STRICT), and so does Lakegate.
_PG_UNCONSTRAINED_NUMERIC = (
    "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE a.attnum > 0 AND NOT a.attisdropped AND a.atttypmod = -1 "
    "AND a.atttypid IN ('numeric'::regtype, 'numeric[]'::regtype) "
    "AND c.relkind IN ('r', 'v', 'm', 'p', 'f') "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
)
UNCONSTRAINED_NUMERIC = (
    "PostgreSQL {type} without precision and scale cannot be read exactly (the engine would "
    "round it to double); give the column a precision (numeric(p, s)) or cast it in a "
    "PostgreSQL view"
)


def catalog_metadata(
    cursor: duckdb.DuckDBPyConnection, source: Source, connector: str
) -> tuple[CatalogInfo, dict[str, str]]:
    """The catalog's metadata, and what is configured but missing (``catalog.schema`` -> why;
    ``catalog.root`` for a lake root folder that does not exist)."""
    logical = source.catalog
    physical = physical_name(logical)
    info = CatalogInfo(name=logical, connector=connector, comment=source.comment)
    problems: dict[str, str] = {}
    allowed = set(source.schemas) if isinstance(source, PostgresSource) and source.schemas else None
    table_comments = _table_comments(cursor, physical)
    column_comments = _column_comments(cursor, physical)
    kinds = {
        (s, t): k
        for s, t, k in cursor.execute(
            "SELECT table_schema, table_name, table_type FROM information_schema.tables "
            "WHERE table_catalog = ?",
            [physical],
        ).fetchall()
    }
    columns: dict[tuple[str, str], list[ColumnInfo]] = {}
    for schema, table, column, dtype, nullable in cursor.execute(
        "SELECT table_schema, table_name, column_name, data_type, is_nullable "
        "FROM information_schema.columns WHERE table_catalog = ? "
        "ORDER BY table_schema, table_name, ordinal_position",
        [physical],
    ).fetchall():
        comment = column_comments.get((schema, table, column))
        columns.setdefault((schema, table), []).append(
            ColumnInfo(column, trino_type(dtype), nullable == "YES", comment)
        )
    # SQLite views are not in information_schema.columns: describe them
    for (schema, table), kind in kinds.items():
        if kind == "VIEW" and (schema, table) not in columns and schema not in HIDDEN_SCHEMAS:
            described = cursor.execute(
                f"DESCRIBE {ident(physical)}.{ident(schema)}.{ident(table)}"
            ).fetchall()
            columns[(schema, table)] = [
                ColumnInfo(row[0], trino_type(row[1]), row[2] == "YES") for row in described
            ]
    extra = _extra(cursor, source, physical)
    unsupported = _unsupported_columns(cursor, source, physical)
    files = {(t.schema, t.name): t for t in source.tables} if isinstance(source, FilesSource) else {}
    for (schema, table), cols in columns.items():
        if schema in HIDDEN_SCHEMAS or (allowed is not None and schema not in allowed):
            continue
        facts = extra.get((schema, table), {})
        left_out = unsupported.get((schema, table), {})
        if left_out:
            cols = [c for c in cols if c.name not in left_out]
        if isinstance(source, SqliteSource):
            facts = {"format": "sqlite", "location": str(source.path), **facts}
        spec = files.get((schema, table))
        comment = table_comments.get((schema, table))
        # lake tables are views inside DuckDB, but tables to everyone else
        kind = (
            "BASE TABLE"
            if spec is not None
            else str(facts.get("kind") or kinds.get((schema, table), "BASE TABLE"))
        )
        if spec is not None:
            comment = spec.comment
            cols = [
                ColumnInfo(c.name, c.type, c.nullable, spec.column_comments.get(c.name, c.comment))
                for c in cols
            ]
            facts = _file_facts(cursor, spec)
        info.schemas.setdefault(schema, {})[table] = TableInfo(
            logical,
            schema,
            table,
            tuple(cols),
            kind,
            comment,
            storage_format=_str(facts.get("format")),
            location=_str(facts.get("location")),
            row_count=_int(facts.get("rows")),
            size_bytes=_int(facts.get("size")),
            view_sql=_str(facts.get("sql")),
            unsupported_columns=tuple(sorted(left_out.items())),
        )
    for view in source.views if isinstance(source, FilesSource) else ():
        info.schemas.setdefault(view.schema, {})[view.name] = TableInfo(
            logical, view.schema, view.name, view.columns, "VIEW", view.comment, view_sql=view.sql
        )
    if isinstance(source, FilesSource) and source.root is not None and not source.root.is_dir():
        problems[f"{logical}.root"] = "the configured root folder does not exist"
    if allowed is not None:
        present = {
            str(row[0])
            for row in cursor.execute(
                "SELECT schema_name FROM duckdb_schemas() WHERE database_name = ?", [physical]
            ).fetchall()
        }
        for schema in sorted(allowed - present):
            problems[f"{logical}.{schema}"] = f"the configured schema {schema} does not exist"
    return info, problems


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and value >= 0 else None


def _table_comments(cursor: duckdb.DuckDBPyConnection, physical: str) -> dict[tuple[str, str], str]:
    rows = cursor.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() "
        "WHERE database_name = ? AND comment IS NOT NULL "
        "UNION ALL SELECT schema_name, view_name, comment FROM duckdb_views() "
        "WHERE database_name = ? AND comment IS NOT NULL",
        [physical, physical],
    ).fetchall()
    return {(s, t): c for s, t, c in rows}


def _column_comments(cursor: duckdb.DuckDBPyConnection, physical: str) -> dict[tuple[str, str, str], str]:
    rows = cursor.execute(
        "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() "
        "WHERE database_name = ? AND comment IS NOT NULL",
        [physical],
    ).fetchall()
    return {(s, t, c): m for s, t, c, m in rows}


def _extra(
    cursor: duckdb.DuckDBPyConnection, source: Source, physical: str
) -> dict[tuple[str, str], dict[str, object]]:
    out: dict[tuple[str, str], dict[str, object]] = {}
    if isinstance(source, SqliteSource):
        for schema, view, sql in cursor.execute(
            "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE database_name = ?", [physical]
        ).fetchall():
            out[(schema, view)] = {"kind": "VIEW", "sql": sql}
        return out
    if isinstance(source, PostgresSource):
        rows = cursor.execute(f"SELECT * FROM postgres_query({literal(physical)}, {literal(_PG_RELATIONS)})")
        for schema, name, relkind, tuples, size, definition in rows.fetchall():
            view = relkind in ("v", "m")
            out[(schema, name)] = {
                "kind": "VIEW" if view else "BASE TABLE",
                "rows": None if view else tuples,
                "size": size,
                "sql": definition.strip() if isinstance(definition, str) else None,
                "format": "postgresql",
                "location": f"{source.database}.{schema}.{name}",
            }
    return out


def _unsupported_columns(
    cursor: duckdb.DuckDBPyConnection, source: Source, physical: str
) -> dict[tuple[str, str], dict[str, str]]:
    """(schema, table) -> {column: why} for columns no engine type holds faithfully."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    if isinstance(source, PostgresSource):
        query = f"SELECT * FROM postgres_query({literal(physical)}, {literal(_PG_UNCONSTRAINED_NUMERIC)})"
        for schema, table, column, type_name in cursor.execute(query).fetchall():
            out.setdefault((schema, table), {})[column] = UNCONSTRAINED_NUMERIC.format(type=type_name)
    return out


def _file_facts(cursor: duckdb.DuckDBPyConnection, table: FileTable) -> dict[str, object]:
    path = table.path
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    facts: dict[str, object] = {"format": table.format, "location": str(path)}
    try:
        facts["size"] = sum(p.stat().st_size for p in files)
    except OSError:
        return facts
    if table.format == "parquet" and 0 < len(files) <= MAX_FILES_COUNTED:
        facts["rows"] = _parquet_rows(cursor, path)
    return facts


def _parquet_rows(cursor: duckdb.DuckDBPyConnection, path: Path) -> int | None:
    target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
    try:
        row = cursor.execute("SELECT SUM(num_rows) FROM parquet_file_metadata(?)", [target]).fetchone()
    except duckdb.Error:
        return None
    return int(row[0]) if row is not None and row[0] is not None else None
