"""The embedded DuckDB engine: one in-process database federating every embedded catalog.

All lake, SQLite and PostgreSQL catalogs live in the same DuckDB instance, so one query can join
a Parquet table with a PostgreSQL table. Each query runs on its own cursor (off the event loop)
and yields Arrow batches as DuckDB produces them. After start-up the instance is locked down:
no file access outside the configured data folders, and no configuration changes.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
from cachetools import LRUCache

from connectors.base import (
    Cancellation,
    CatalogInfo,
    ColumnInfo,
    ConnectorError,
    ExecutionResult,
    QueryCanceled,
    RoutingHints,
    TableInfo,
)
from connectors.duckdb import extensions, trino_functions
from connectors.duckdb.attach import PHYSICAL_PREFIX, attach, ident, physical_name
from connectors.duckdb.bound_plan import Scan, ScanKey, bound_scans, unauthorized
from connectors.duckdb.sources import FilesSource, PostgresSource, Source, SqliteSource
from connectors.duckdb.types import trino_type

log = logging.getLogger(__name__)

_HIDDEN_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast"}
_PHYSICAL = re.compile(r"\b" + PHYSICAL_PREFIX + r"([a-z][a-z0-9_]*)")
_DATA_ERRORS: tuple[type[Exception], ...] = (
    duckdb.ConversionException,
    duckdb.OutOfRangeException,
    duckdb.InvalidInputException,
    duckdb.DataError,
)


class DuckDBConnector:
    """Serves lake files, SQLite and PostgreSQL catalogs from one embedded DuckDB."""

    dialect = "duckdb"

    def __init__(
        self,
        sources: Sequence[Source],
        *,
        name: str = "duckdb",
        threads: int | None = None,
        memory_limit: str | None = None,
    ) -> None:
        self.name = name
        self._sources = {s.catalog: s for s in sources}
        self._secrets = [s.password for s in sources if isinstance(s, PostgresSource) and s.password]
        #: the files and folders of the tables: all the engine may read
        self._readable: list[Path] = []
        self._failed: dict[str, str] = {}
        self._lock = threading.Lock()
        #: (engine SQL, its tables) whose bound plan was checked, and each table's own scans
        self._verified: LRUCache[tuple[str, tuple[tuple[str, str, str], ...]], bool] = LRUCache(4096)
        self._scans_of: dict[tuple[str, str, str], tuple[frozenset[str], list[Scan]]] = {}
        config: dict[str, str | bool | int | float | list[str]] = {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        self._db = duckdb.connect(":memory:", config=config)
        extensions.configure(self._db)
        for ext in ("parquet", "icu"):
            extensions.load(self._db, ext)
        trino_functions.define(self._db)
        for source in sources:
            try:
                self._readable.extend(attach(self._db, source, self._failed))
            except (duckdb.Error, ValueError, extensions.ExtensionUnavailable) as exc:
                self._failed[source.catalog] = str(exc)
        for name, problem in self._failed.items():
            self._failed[name] = self._clean(problem)
            log.error("%s is unavailable: %s", name, self._failed[name])
        self._lock_down()
        self._metadata = self._read_metadata()

    # -- set-up ----------------------------------------------------------------------------
    def _lock_down(self) -> None:
        """No file access but to the tables' own files and folders, no Python objects, no changes."""
        resolved = [p.resolve() for p in self._readable]
        folders = sorted({str(p).rstrip("/") + "/" for p in resolved if p.is_dir()})
        files = sorted({str(p) for p in resolved if not p.is_dir()})
        self._db.execute(f"SET allowed_directories = [{_sql_list(folders)}]")
        self._db.execute(f"SET allowed_paths = [{_sql_list(files)}]")
        self._db.execute("SET python_enable_replacements = false")
        self._db.execute("SET enable_external_access = false")
        self._db.execute("SET lock_configuration = true")

    def _read_metadata(self) -> list[CatalogInfo]:
        cursor = self._db.cursor()
        try:
            return [self._catalog_metadata(cursor, name) for name in self._sources]
        finally:
            cursor.close()

    def _catalog_metadata(self, cursor: duckdb.DuckDBPyConnection, logical: str) -> CatalogInfo:
        source = self._sources[logical]
        info = CatalogInfo(name=logical, connector=self.name, comment=source.comment)
        if logical in self._failed:
            return info
        physical = physical_name(logical)
        comments = self._table_comments(cursor, physical)
        column_comments = self._column_comments(cursor, physical)
        rows = cursor.execute(
            "SELECT table_schema, table_name, column_name, data_type, is_nullable "
            "FROM information_schema.columns WHERE table_catalog = ? "
            "ORDER BY table_schema, table_name, ordinal_position",
            [physical],
        ).fetchall()
        allowed = set(source.schemas) if isinstance(source, PostgresSource) and source.schemas else None
        columns: dict[tuple[str, str], list[ColumnInfo]] = {}
        for schema, table, column, dtype, nullable in rows:
            if schema in _HIDDEN_SCHEMAS or (allowed is not None and schema not in allowed):
                continue
            comment = column_comments.get((schema, table, column))
            columns.setdefault((schema, table), []).append(
                ColumnInfo(column, trino_type(dtype), nullable == "YES", comment)
            )
        file_comments = {}
        if isinstance(source, FilesSource):
            file_comments = {(t.schema, t.name): t for t in source.tables}
        for (schema, table), cols in columns.items():
            spec = file_comments.get((schema, table))
            comment = comments.get((schema, table))
            kind = "BASE TABLE"
            if spec is not None:
                comment = spec.comment
                cols = [
                    ColumnInfo(c.name, c.type, c.nullable, spec.column_comments.get(c.name, c.comment))
                    for c in cols
                ]
            info.schemas.setdefault(schema, {})[table] = TableInfo(
                logical, schema, table, tuple(cols), kind, comment
            )
        return info

    @staticmethod
    def _table_comments(cursor: duckdb.DuckDBPyConnection, physical: str) -> dict[tuple[str, str], str]:
        rows = cursor.execute(
            "SELECT schema_name, table_name, comment FROM duckdb_tables() "
            "WHERE database_name = ? AND comment IS NOT NULL",
            [physical],
        ).fetchall()
        return {(s, t): c for s, t, c in rows}

    @staticmethod
    def _column_comments(cursor: duckdb.DuckDBPyConnection, physical: str) -> dict[tuple[str, str, str], str]:
        rows = cursor.execute(
            "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() "
            "WHERE database_name = ? AND comment IS NOT NULL",
            [physical],
        ).fetchall()
        return {(s, t, c): m for s, t, c, m in rows}

    # -- Connector protocol --------------------------------------------------------------
    def catalogs(self) -> list[CatalogInfo]:
        return self._metadata

    def physical_catalog(self, logical: str) -> str:
        return physical_name(logical)

    def unreadable(self, tables: Sequence[tuple[str, str, str]]) -> list[str]:
        """Tables whose file, folder or database file is gone (checked only after a failure)."""
        missing = []
        for catalog, schema, table in tables:
            source = self._sources.get(catalog)
            if isinstance(source, SqliteSource):
                gone = not source.path.is_file()
            elif isinstance(source, FilesSource):
                paths = [t.path for t in source.tables if (t.schema, t.name) == (schema, table)]
                gone = any(not p.exists() or (p.is_dir() and not any(p.rglob("*"))) for p in paths)
            else:
                gone = False
            if gone:
                missing.append(f"{catalog}.{schema}.{table}")
        return missing

    def unavailable(self) -> dict[str, str]:
        return dict(self._failed)

    def execute(
        self, sql: str, cancellation: Cancellation, batch_rows: int, hints: RoutingHints | None = None
    ) -> ExecutionResult:
        """Run on a cursor of the shared instance; ``hints`` are not needed (one engine, no users)."""
        cursor = self._db.cursor()
        cancellation.on_cancel(cursor.interrupt)
        try:
            if cancellation.canceled:
                raise QueryCanceled(cancellation.reason)
            if hints is not None and hints.tables is not None:
                self._verify_bound_plan(cursor, sql, hints.tables)
            relation = cursor.sql(sql)
            if relation is None:
                cursor.close()
                empty = pa.schema([])
                return ExecutionResult(empty, iter(()))
            reader = relation.to_arrow_reader(batch_rows)
        except duckdb.InterruptException:
            cursor.close()
            raise QueryCanceled(cancellation.reason) from None
        except duckdb.Error as exc:
            cursor.close()
            raise self._error(exc) from None
        except ConnectorError:
            cursor.close()
            raise
        return ExecutionResult(reader.schema, self._batches(reader, cursor, cancellation))

    # -- defence in depth: what DuckDB bound --------------------------------------------
    def _verify_bound_plan(
        self, cursor: duckdb.DuckDBPyConnection, sql: str, tables: tuple[tuple[str, str, str], ...]
    ) -> None:
        """Refuse unless every scan DuckDB bound is one the authorized tables make (once per query)."""
        key = (sql, tables)
        with self._lock:
            if key in self._verified:
                return
        allowed: dict[ScanKey, set[str]] = {}
        for table in tables:
            columns, scans = self._table_scans(cursor, table)
            for scan in scans:
                allowed.setdefault(scan.key, set()).update(columns | scan.columns)
        bad = unauthorized(bound_scans(cursor, sql), allowed)
        if bad:
            log.error("refused a query whose bound plan reads %s, beyond its tables %s", bad, tables)
            raise ConnectorError(
                "refused",
                "the engine would read a relation Lakegate did not authorize, so it was not run",
            )
        with self._lock:
            self._verified[key] = True

    def _table_scans(
        self, cursor: duckdb.DuckDBPyConnection, table: tuple[str, str, str]
    ) -> tuple[frozenset[str], list[Scan]]:
        with self._lock:
            known = self._scans_of.get(table)
        if known is not None:
            return known
        catalog, schema, name = table
        info = next(
            (
                t
                for c in self._metadata
                if c.name == catalog
                for t in c.schemas.get(schema, {}).values()
                if t.name == name
            ),
            None,
        )
        columns = frozenset(c.name.casefold() for c in info.columns) if info is not None else frozenset()
        physical = f"{ident(physical_name(catalog))}.{ident(schema)}.{ident(name)}"
        found = (columns, bound_scans(cursor, f"SELECT * FROM {physical}"))
        with self._lock:
            self._scans_of[table] = found
        return found

    def _batches(
        self,
        reader: pa.RecordBatchReader,
        cursor: duckdb.DuckDBPyConnection,
        cancellation: Cancellation,
    ) -> Iterator[pa.RecordBatch]:
        try:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return
                yield batch
        except (duckdb.InterruptException, pa.ArrowCancelled):
            raise QueryCanceled(cancellation.reason) from None
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            if cancellation.canceled:
                raise QueryCanceled(cancellation.reason) from None
            raise self._error(exc) from None
        finally:
            reader.close()
            cursor.close()

    def health(self) -> tuple[bool, str]:
        try:
            cursor = self._db.cursor()
            try:
                cursor.execute("SELECT 1").fetchall()
            finally:
                cursor.close()
        except duckdb.Error as exc:
            return False, self._clean(str(exc))
        if self._failed:
            return False, "unavailable catalogs: " + ", ".join(sorted(self._failed))
        return True, "ok"

    def close(self) -> None:
        self._db.close()

    # -- errors ---------------------------------------------------------------------------
    def _error(self, exc: Exception) -> ConnectorError:
        message = self._clean(str(exc))
        if isinstance(exc, duckdb.InterruptException):
            return QueryCanceled()
        if isinstance(exc, _DATA_ERRORS):
            return ConnectorError("data", message)
        if isinstance(
            exc,
            duckdb.BinderException
            | duckdb.CatalogException
            | duckdb.ParserException
            | duckdb.NotImplementedException
            | duckdb.SyntaxException,
        ):
            return ConnectorError("user", message)
        if isinstance(exc, duckdb.OutOfMemoryException):
            return ConnectorError("resources", message)
        if isinstance(exc, duckdb.IOException | duckdb.PermissionException):
            return ConnectorError("unavailable", message)
        return ConnectorError("engine", message)

    def _clean(self, message: str) -> str:
        """Make an engine message safe to show: no SQL echo, paths, physical names or secrets."""
        text = message.split("\n\nLINE ")[0].split("\nLINE ")[0]
        text = re.split(r"\s*Did you mean", text)[0]
        for secret in self._secrets:
            text = text.replace(secret, "***")
        for path in self._readable:
            text = text.replace(str(path.resolve()), "<storage>").replace(str(path), "<storage>")
        text = re.sub(r"(?:/[\w.\-]+){2,}", "<path>", text)
        text = _PHYSICAL.sub(r"\1", text)
        text = re.sub(r"^[A-Za-z ]+ Error: ", "", text.strip()).strip()
        if len(text) > 500:
            text = text[:500].rsplit(" ", 1)[0] + " ..."
        return text or "the engine failed to run the query"


def _sql_list(items: list[str]) -> str:
    return ", ".join("'" + item.replace("'", "''") + "'" for item in items)
