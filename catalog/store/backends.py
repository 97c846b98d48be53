"""Where the store's SQL runs: one SQLite file, or a PostgreSQL schema shared by many gateways.

A backend hands out transactions; :meth:`Backend.transaction` with a ``lock`` key serialises
writers across processes (SQLite: ``BEGIN IMMEDIATE`` takes the file's write lock; PostgreSQL:
a transaction-scoped advisory lock on the key), so two gateway instances refreshing the same
source one after the other never interleave their writes. SQL is written with ``?``
placeholders; the PostgreSQL backend turns them into ``%s``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg import sql as pgsql

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,50}$")


class StoreError(Exception):
    """The catalog store cannot be opened, read or written; the message holds no secret."""


def _problem(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


class Tx(Protocol):
    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None: ...


class Backend(Protocol):
    dialect: str

    def transaction(self, lock: str | None = None) -> Any:
        """A context manager yielding a :class:`Tx`; commits on success, rolls back on error."""
        ...

    def close(self) -> None: ...


class _SqliteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(statement, tuple(params)).fetchall()

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(statement, [tuple(r) for r in rows])


class SqliteBackend:
    dialect = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            self._conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=OFF")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the catalog store {self.path}: {_problem(exc)}") from None

    def __repr__(self) -> str:
        return f"SqliteBackend({str(self.path)!r})"

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[Tx]:
        with self._lock:
            try:
                # IMMEDIATE: the write lock up front, so a read-then-write never deadlocks
                self._conn.execute("BEGIN IMMEDIATE" if lock is not None else "BEGIN")
            except sqlite3.Error as exc:
                raise StoreError(f"the catalog store is busy: {_problem(exc)}") from None
            try:
                yield _SqliteTx(self._conn)
            except sqlite3.Error as exc:
                self._conn.execute("ROLLBACK")
                raise StoreError(f"the catalog store failed: {_problem(exc)}") from None
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._conn.execute("ROLLBACK")
                raise StoreError(f"the catalog store failed: {_problem(exc)}") from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class _PostgresTx:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._conn.execute(statement.replace("?", "%s"), tuple(params))
        return cursor.fetchall() if cursor.description is not None else []

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self._conn.cursor() as cursor:
                cursor.executemany(statement.replace("?", "%s"), [tuple(r) for r in rows])


class PostgresBackend:
    """The store's tables in one PostgreSQL schema (``lakegate_catalog`` unless told)."""

    dialect = "postgres"

    def __init__(self, dsn: str, *, schema: str = "lakegate_catalog", connect_timeout: int = 10) -> None:
        if not _SCHEMA_NAME.match(schema):
            raise StoreError("the catalog schema must be lower case letters, digits and _")
        self.schema = schema
        self._dsn = dsn
        self._connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._conn = self._connect()

    def __repr__(self) -> str:
        return f"PostgresBackend(schema={self.schema!r})"

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            conn = psycopg.connect(self._dsn, autocommit=True, connect_timeout=self._connect_timeout)
            conn.execute("SET TimeZone TO 'UTC'")
            conn.execute("SET statement_timeout TO '60s'")
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{self.schema}:create",))
                conn.execute(
                    pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(self.schema))
                )
            conn.execute(pgsql.SQL("SET search_path TO {}").format(pgsql.Identifier(self.schema)))
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to the catalog database: {_problem(exc)}") from None
        return conn

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[Tx]:
        with self._lock:
            if self._conn.closed or self._conn.broken:
                self._conn = self._connect()
            try:
                with self._conn.transaction():
                    if lock is not None:
                        self._conn.execute(
                            "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{self.schema}:{lock}",)
                        )
                    yield _PostgresTx(self._conn)
            except psycopg.Error as exc:
                raise StoreError(f"the catalog store failed: {_problem(exc)}") from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def migrate(backend: Backend, migrations: Sequence[Sequence[str]]) -> int:
    """Apply the migrations the store has not seen yet, in order; return the schema version."""
    with backend.transaction(lock="migrate") as tx:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS catalog_schema_version "
            "(version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)"
        )
        row = tx.execute("SELECT MAX(version) FROM catalog_schema_version")
        current = int(row[0][0] or 0) if row else 0
        if current > len(migrations):
            raise StoreError(
                f"the catalog store is at schema version {current}, newer than this Lakegate "
                f"({len(migrations)}): upgrade Lakegate"
            )
        for version in range(current + 1, len(migrations) + 1):
            for statement in migrations[version - 1]:
                tx.execute(statement)
            tx.execute(
                "INSERT INTO catalog_schema_version (version, applied_at) VALUES (?, ?)",
                (version, time.time()),
            )
        return len(migrations)
