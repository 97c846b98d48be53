"""What every audit store does: append a record durably, and find records by filters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from auth.audit.record import Action, AuditRecord, Verdict, clean_text, iso_utc

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

#: the columns every store keeps, in this order (``user`` is a reserved word in PostgreSQL)
COLUMNS = (
    "event_id",
    "event_time",
    "query_id",
    "user_name",
    "groups",
    "client_address",
    "front_door",
    "action",
    "sql_text",
    "sql_sha256",
    "resources",
    "decision",
    "policy_ids",
    "row_count",
    "byte_count",
    "duration_ms",
    "error_code",
    "status",
)
APPEND_ONLY = "the audit log is append-only"


class AuditError(Exception):
    """The audit store cannot be opened, written or read; the message holds no secret."""


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which records to return, newest first. Every given field must match.

    ``since`` is inclusive and ``until`` exclusive; ``resource`` matches any resource that
    contains it (so a catalog or ``catalog.schema`` prefix finds everything below it),
    ignoring case.
    """

    user: str | None = None
    query_id: str | None = None
    decision: Verdict | None = None
    action: Action | None = None
    since: datetime | None = None
    until: datetime | None = None
    resource: str | None = None
    error_code: str | None = None
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        for name in ("user", "query_id", "resource", "error_code"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, clean_text(value, 4096))
        for moment in (self.since, self.until):
            try:
                iso_utc(moment) if moment is not None else None
            except OverflowError:
                raise ValueError("since and until must be times between the years 1 and 9999") from None

    @property
    def since_text(self) -> str | None:
        return iso_utc(self.since) if self.since is not None else None

    @property
    def until_text(self) -> str | None:
        return iso_utc(self.until) if self.until is not None else None

    @property
    def resource_pattern(self) -> str | None:
        """The resource filter as a LIKE pattern with ``\\`` as the escape character."""
        if self.resource is None:
            return None
        escaped = self.resource.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"%{escaped}%"


class AuditStore(Protocol):
    """An append-only store: ``append`` returns only once the record is durable."""

    def append(self, record: AuditRecord) -> None: ...

    def append_many(self, records: Sequence[AuditRecord]) -> None: ...

    def query(self, filters: AuditFilter) -> list[AuditRecord]: ...

    def table_popularity(self, since: float) -> dict[str, int]:
        """Queries per table (``catalog.schema.table``, lower case) recorded since ``since``
        (epoch seconds): the catalog's popularity. A query counts once per table it read."""
        ...

    def close(self) -> None: ...


def count_tables(counts: dict[str, int], resources: Iterable[str]) -> None:
    """Add one query's tables (the first three parts of its resource names) to ``counts``."""
    tables = {".".join(r.lower().split(".")[:3]) for r in resources if r.count(".") >= 2}
    for table in tables:
        counts[table] = counts.get(table, 0) + 1
