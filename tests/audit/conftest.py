"""Audit stores to test against: a SQLite file per test, and a PostgreSQL table per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from auth.audit.postgres_store import PostgresAuditStore
from auth.audit.sqlite_store import SqliteAuditStore
from auth.audit.store import AuditStore
from tests.conftest import server_missing

ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """A database of its own for this test run, dropped at the end."""
    database = f"lakegate_audit_test_{os.getpid()}"
    try:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {database}")
    except psycopg.OperationalError as exc:
        server_missing(f"PostgreSQL is not reachable on 127.0.0.1:5432 with trust auth: {exc}")
    yield f"host=127.0.0.1 port=5432 user=postgres dbname={database}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


@pytest.fixture
def pg_table() -> str:
    return f"audit_{uuid.uuid4().hex[:12]}"


StoreFactory = Callable[[], AuditStore]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens (and reopens) the same store; every store opened is closed after the test."""
    opened: list[AuditStore] = []
    if request.param == "sqlite":
        path = tmp_path / "audit.sqlite"

        def factory() -> AuditStore:
            opened.append(SqliteAuditStore(path))
            return opened[-1]

    else:
        dsn = request.getfixturevalue("pg_dsn")
        table = request.getfixturevalue("pg_table")

        def factory() -> AuditStore:
            opened.append(PostgresAuditStore(dsn, table=table))
            return opened[-1]

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: StoreFactory) -> AuditStore:
    return open_store()
