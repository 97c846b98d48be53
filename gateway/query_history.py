"""Finished queries after the memory has let them go: their status read back from the audit log.

The query registry keeps running queries and a bounded number of recent ones in memory; every
query's audit record is durable before its answer completes, so a query that finished before a
restart (or on another instance sharing a PostgreSQL audit log) is still known by its id. The
audit log keeps the outcome, counters and error code, not the error's message.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from auth.audit.record import AuditRecord
from auth.audit.store import AuditError, AuditFilter, AuditStore
from gateway.errors import STATUS, TITLES, ErrorCode

_CANCELED = {ErrorCode.QUERY_CANCELED.value}


def historical_status(store: AuditStore, query_id: str) -> dict[str, Any] | None:
    """The status of a finished query from its audit record, or None if it has none."""
    try:
        records = store.query(AuditFilter(query_id=query_id, action="query", limit=1))
    except (AuditError, ValueError):
        return None
    return status_of(records[0]) if records else None


def status_of(record: AuditRecord) -> dict[str, Any]:
    finished = datetime.fromisoformat(record.time)
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=UTC)
    created = finished - timedelta(milliseconds=record.duration_ms)
    code = record.error_code
    if code is None:
        state = "FINISHED"
    elif code in _CANCELED:
        state = "CANCELED"
    else:
        state = "FAILED"
    return {
        "id": record.query_id,
        "user": record.user,
        "state": state,
        "sql": record.sql if record.sql is not None else "",
        "source": record.front_door,
        "created": created.isoformat(),
        "started": None,
        "finished": finished.isoformat(),
        "elapsed_ms": record.duration_ms,
        "rows": record.rows,
        "bytes": record.bytes,
        "error": _problem(record) if code is not None else None,
        "resource_group": None,
        "queue_position": None,
    }


def _problem(record: AuditRecord) -> dict[str, Any]:
    code = record.error_code or ErrorCode.INTERNAL_ERROR.value
    known = ErrorCode(code) if code in ErrorCode.__members__ else None
    return {
        "type": f"urn:lakegate:error:{code.lower().replace('_', '-')}",
        "title": TITLES[known] if known is not None else code,
        "status": STATUS[known] if known is not None else record.status,
        "detail": f"the query ended with {code}; its message is not kept once the server lets it go",
        "code": code,
        "query_id": record.query_id,
    }
