"""What the embedded DuckDB engine can serve: lake files, SQLite files, PostgreSQL databases.

These are plain descriptions, built by the gateway from its config; the engine turns each into
a DuckDB catalog (:mod:`connectors.duckdb.attach`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from connectors.base import ColumnInfo

FORMAT_BY_SUFFIX = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".avro": "avro",
}


@dataclass(frozen=True, slots=True)
class FileTable:
    schema: str
    name: str
    path: Path  # a file, or a folder of files of one format
    format: str
    comment: str | None = None
    column_comments: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ListedView:
    """A view the engine never sees: listed in the catalog's metadata (kind VIEW, with its SQL)
    for the gateway's planner to expand; the engine only ever runs what it expanded to."""

    schema: str
    name: str
    sql: str
    columns: tuple[ColumnInfo, ...]
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class FilesSource:
    catalog: str
    tables: tuple[FileTable, ...]
    comment: str | None = None
    #: the folder its tables were discovered in (``root/<schema>/<table>``), if any
    root: Path | None = None
    #: views listed beside the tables (a workspace catalog's), never created in the engine
    views: tuple[ListedView, ...] = ()


@dataclass(frozen=True, slots=True)
class SqliteSource:
    catalog: str
    path: Path
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class PostgresSource:
    catalog: str
    host: str
    port: int
    database: str
    user: str
    password: str | None = field(default=None, repr=False)
    schemas: tuple[str, ...] | None = None
    comment: str | None = None


Source = FilesSource | SqliteSource | PostgresSource


def format_of(path: Path) -> str | None:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            fmt = FORMAT_BY_SUFFIX.get(child.suffix.lower())
            if fmt:
                return fmt
        return None
    return FORMAT_BY_SUFFIX.get(path.suffix.lower())


def discover_tables(root: Path) -> list[FileTable]:
    """``root/<schema>/<table>.<ext>`` or ``root/<schema>/<table>/`` (a folder of one format)."""
    tables: list[FileTable] = []
    if not root.is_dir():
        return tables
    for schema_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for entry in sorted(schema_dir.iterdir()):
            if entry.name.startswith((".", "_")):
                continue
            fmt = format_of(entry)
            if fmt is None:
                continue
            name = entry.name if entry.is_dir() else entry.name[: -len(entry.suffix)]
            tables.append(FileTable(schema=schema_dir.name, name=name, path=entry, format=fmt))
    return tables
