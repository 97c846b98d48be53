"""Catalog stores to test against: a SQLite file per test, and a PostgreSQL schema per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from catalog.store import CatalogStore
from tests.postgres_databases import scratch_database

ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"

StoreFactory = Callable[[], CatalogStore]


@pytest.fixture(scope="session")
def catalog_pg_dsn() -> Iterator[str]:
    """A database of its own for this test run, dropped at the end."""
    with scratch_database("lakegate_catalog_test") as dsn:
        yield dsn


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens (and reopens: another gateway instance) the same store; all are closed after."""
    opened: list[CatalogStore] = []
    if request.param == "sqlite":
        path = tmp_path / "catalog.sqlite"

        def factory() -> CatalogStore:
            opened.append(CatalogStore.sqlite(path))
            return opened[-1]

    else:
        dsn = request.getfixturevalue("catalog_pg_dsn")
        schema = f"catalog_{uuid.uuid4().hex[:12]}"

        def factory() -> CatalogStore:
            opened.append(CatalogStore.postgres(dsn, schema=schema))
            return opened[-1]

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: StoreFactory) -> CatalogStore:
    return open_store()
