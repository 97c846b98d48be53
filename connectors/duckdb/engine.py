"""The embedded DuckDB engine: one in-process database federating every embedded catalog.

All lake, SQLite and PostgreSQL catalogs live in the same DuckDB instance, so one query can join
a Parquet table with a PostgreSQL table. Each query runs on its own cursor (off the event loop)
and yields Arrow batches as DuckDB produces them. After start-up the instance is locked down:
no file access outside the configured data folders, and no configuration changes.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
from cachetools import LRUCache

from connectors.base import (
    Cancellation,
    CatalogInfo,
    ConnectorError,
    ExecutionResult,
    QueryCanceled,
    RoutingHints,
)
from connectors.duckdb import extensions, trino_functions
from connectors.duckdb.attach import PHYSICAL_PREFIX, attach, ident, literal, physical_name
from connectors.duckdb.bound_plan import Scan, ScanKey, bound_scans, unauthorized
from connectors.duckdb.cursors import CursorPool, Interrupt
from connectors.duckdb.metadata import catalog_metadata
from connectors.duckdb.sources import FilesSource, PostgresSource, Source, SqliteSource

log = logging.getLogger(__name__)

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
        self._refresh_failed: dict[str, str] = {}
        self._problems: dict[str, str] = {}
        self._lock = threading.Lock()
        #: (engine SQL, its tables) whose bound plan was checked, and each table's own scans
        self._verified: LRUCache[tuple[str, tuple[tuple[str, str, str], ...]], bool] = LRUCache(4096)
        self._scans_of: dict[tuple[str, str, str], tuple[frozenset[str], list[Scan]]] = {}
        config: dict[str, str | bool | int | float | list[str]] = {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            # No file data or Parquet footer kept between queries: this cache (like the Parquet
            # metadata cache, left off) trusts a file whose modification time (one-second
            # resolution) is unchanged, so a file rewritten in the second it was read was
            # answered from its old footer (tests/connectors/test_duckdb_fresh_files.py);
            # reading the file afresh costs a point lookup nothing measurable
            "enable_external_file_cache": False,
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
        self._cursors = CursorPool(self._db)
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
        catalogs: list[CatalogInfo] = []
        refresh_failed: dict[str, str] = {}
        problems: dict[str, str] = {}
        try:
            for logical, source in self._sources.items():
                if logical in self._failed:
                    catalogs.append(CatalogInfo(name=logical, connector=self.name, comment=source.comment))
                    continue
                try:
                    info, found = catalog_metadata(cursor, source, self.name)
                except duckdb.Error as exc:
                    refresh_failed[logical] = self._clean(str(exc))
                    log.error("the metadata of %s could not be read: %s", logical, refresh_failed[logical])
                    info, found = CatalogInfo(name=logical, connector=self.name, comment=source.comment), {}
                catalogs.append(info)
                problems.update(found)
        finally:
            cursor.close()
        self._refresh_failed = refresh_failed
        self._problems = problems
        return catalogs

    def refresh_metadata(self) -> list[CatalogInfo]:
        """Read every catalog's metadata again (new tables and columns of the attached databases;
        lake files are what they were at start-up: a new file needs a new engine).

        An attached database that cannot be reached any more (its SQLite file gone, its
        PostgreSQL server down) is detached first: DuckDB lists tables across every attached
        database at once, so one broken database would hide the others' metadata. It stays
        unavailable in this engine; a new engine attaches it again.
        """
        self.detach_unreachable()
        if any(isinstance(s, PostgresSource) for s in self._sources.values()):
            cursor = self._db.cursor()
            try:
                cursor.execute("SELECT * FROM pg_clear_cache()").fetchall()
            except duckdb.Error as exc:
                log.warning("the PostgreSQL metadata cache could not be cleared: %s", self._clean(str(exc)))
            finally:
                cursor.close()
        metadata = self._read_metadata()
        with self._lock:
            self._metadata = metadata
            self._scans_of.clear()
            self._verified.clear()
        return metadata

    def detach_unreachable(self) -> None:
        """Detach every attached database that cannot be reached now (see :meth:`refresh_metadata`)."""
        cursor = self._db.cursor()
        try:
            for logical, source in self._sources.items():
                if logical in self._failed or isinstance(source, FilesSource):
                    continue
                physical = physical_name(logical)
                try:
                    if isinstance(source, SqliteSource):
                        _check_sqlite(source.path)
                    elif isinstance(source, PostgresSource):
                        cursor.execute(
                            f"SELECT * FROM postgres_query({literal(physical)}, 'SELECT 1')"
                        ).fetchall()
                except (duckdb.Error, OSError, sqlite3.Error) as exc:
                    problem = self._clean(str(exc))
                    with self._lock:
                        self._failed = {**self._failed, logical: problem}
                    log.error("%s is unavailable, detached: %s", logical, problem)
                    try:
                        cursor.execute(f"DETACH {ident(physical)}")
                    except duckdb.Error as detach:
                        log.error("%s could not be detached: %s", logical, self._clean(str(detach)))
        finally:
            cursor.close()

    def sources(self) -> list[Source]:
        """What the engine was built from (the gateway compares it with a fresh reading of its
        config: a changed set of lake files needs a new engine)."""
        return list(self._sources.values())

    def problems(self) -> dict[str, str]:
        """Configured schemas that do not exist, as ``catalog.schema`` -> why."""
        return dict(self._problems)

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
        return {**self._failed, **self._refresh_failed}

    def execute(
        self, sql: str, cancellation: Cancellation, batch_rows: int, hints: RoutingHints | None = None
    ) -> ExecutionResult:
        """Run on a cursor of the shared instance (an idle one kept from an earlier query, see
        cursors.py); ``hints`` are not needed (one engine, no users)."""
        cursor = self._cursors.take()
        interrupt = Interrupt(cursor)
        cancellation.on_cancel(interrupt)
        try:
            if cancellation.canceled:
                raise QueryCanceled(cancellation.reason)
            if hints is not None and hints.tables is not None:
                self._verify_bound_plan(cursor, sql, hints.tables)
            # execute streams the result as the relation API does, for a third less CPU on a
            # small query (the relation binds the statement twice)
            cursor.execute(sql)
            if cursor.description is None:  # a statement without a result
                self._done(cursor, interrupt, cancellation, finished=False)
                empty = pa.schema([])
                return ExecutionResult(empty, iter(()))
            reader = cursor.to_arrow_reader(batch_rows)
        except duckdb.InterruptException:
            self._done(cursor, interrupt, cancellation, finished=False)
            raise QueryCanceled(cancellation.reason) from None
        except duckdb.Error as exc:
            self._done(cursor, interrupt, cancellation, finished=False)
            raise self._error(exc) from None
        except ConnectorError:
            self._done(cursor, interrupt, cancellation, finished=False)
            raise
        return ExecutionResult(reader.schema, self._batches(reader, cursor, cancellation, interrupt))

    def _done(
        self,
        cursor: duckdb.DuckDBPyConnection,
        interrupt: Interrupt,
        cancellation: Cancellation,
        finished: bool,
    ) -> None:
        """The query is over: its cursor is kept for another query only if it ran to its end
        and was never canceled (an interrupt may be on its way to it otherwise)."""
        interrupt.detach()
        self._cursors.give_back(cursor, reusable=finished and not cancellation.canceled)

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
        interrupt: Interrupt,
    ) -> Iterator[pa.RecordBatch]:
        finished = False
        try:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    finished = True
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
            self._done(cursor, interrupt, cancellation, finished)

    def health(self) -> tuple[bool, str]:
        try:
            cursor = self._db.cursor()
            try:
                cursor.execute("SELECT 1").fetchall()
            finally:
                cursor.close()
        except duckdb.Error as exc:
            return False, self._clean(str(exc))
        failed = self.unavailable()
        if failed:
            return False, "unavailable catalogs: " + ", ".join(sorted(failed))
        return True, "ok"

    def close(self) -> None:
        self._cursors.close()
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
            # DuckDB's advice (SET threads, SET memory_limit) is not the user's to follow
            first = message.split("\n", 1)[0].rstrip(". ")
            return ConnectorError(
                "resources",
                f"the query needs more memory than the engine may use ({first}); ask for less "
                "(filter earlier, aggregate, fewer columns) or have an administrator raise "
                "engine.memory_limit",
            )
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


def _check_sqlite(path: Path) -> None:
    """Raise unless ``path`` is a SQLite database that can be read now."""
    if not path.is_file():
        raise FileNotFoundError("the database file is missing")
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()


def _sql_list(items: list[str]) -> str:
    return ", ".join("'" + item.replace("'", "''") + "'" for item in items)
