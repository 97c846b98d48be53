"""Open the catalog store a server's configuration asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.store.backends import Backend, PostgresBackend, SqliteBackend
from catalog.store.store import CatalogStore, StoreError

if TYPE_CHECKING:  # catalog must not import gateway at run time (gateway -> catalog, never back)
    from gateway.config import LakegateConfig


def backend_from_config(config: LakegateConfig) -> Backend:
    """A connection to the state store: SQLite at ``catalog.path`` (relative to the config file's
    folder), or PostgreSQL at the connection string the ``catalog.dsn`` secret reference holds
    (tables in ``catalog.pg_schema``). Each call opens a connection of its own."""
    settings = config.catalog
    if settings.store == "postgres":
        if settings.dsn is None:
            raise StoreError("catalog.dsn is required with catalog.store: postgres")
        try:
            dsn = config.secret(settings.dsn).reveal()
        except ValueError as exc:
            raise StoreError(f"catalog.dsn: {exc}") from None
        return PostgresBackend(dsn, schema=settings.pg_schema)
    return SqliteBackend(config.resolve_path(settings.path))


def store_from_config(config: LakegateConfig) -> CatalogStore:
    """The catalog store on its own connection (its schema migrated to the latest version)."""
    return CatalogStore(backend_from_config(config))
