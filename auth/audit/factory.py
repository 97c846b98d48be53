"""Build the audit log a server's configuration asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auth.audit.postgres_store import PostgresAuditStore
from auth.audit.sqlite_store import SqliteAuditStore
from auth.audit.store import AuditError, AuditStore
from auth.audit.writer import AuditLog

if TYPE_CHECKING:  # auth must not import gateway at run time (gateway -> auth, never back)
    from gateway.config import LakegateConfig


def audit_log_from_config(config: LakegateConfig) -> AuditLog:
    """SQLite at ``audit.path`` (relative to the config file's folder), or PostgreSQL at the
    connection string that the ``audit.dsn`` secret reference holds."""
    settings = config.audit
    store: AuditStore
    if settings.store == "postgres":
        if settings.dsn is None:
            raise AuditError("audit.dsn is required with audit.store: postgres (a ${ENV} or file: reference)")
        try:
            dsn = config.secret(settings.dsn).reveal()
        except ValueError as exc:
            raise AuditError(f"audit.dsn: {exc}") from None
        store = PostgresAuditStore(dsn)
    else:
        store = SqliteAuditStore(config.resolve_path(settings.path))
    return AuditLog(store, record_sql=settings.record_sql)
