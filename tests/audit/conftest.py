"""Audit stores to test against: a SQLite file per test, and a PostgreSQL table per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from auth.audit.postgres_store import PostgresAuditStore
from auth.audit.sqlite_store import SqliteAuditStore
from auth.audit.store import AuditStore
from tests.postgres_databases import scratch_database

ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """A database of its own for this test run, dropped at the end."""
    with scratch_database("lakegate_audit_test") as dsn:
        yield dsn


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
