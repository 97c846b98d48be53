"""``GET /v1/me/queries``: the caller's own query history, newest first.

It is read from the audit log, so it is kept server-side, survives restarts and is shared by
every instance that shares the audit store; nobody sees another user's history here (admins
read everyone's with ``GET /v1/audit``). With ``audit.record_sql: hash`` the SQL text is not
kept, and the history says so (``sql: null``).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from auth.audit.store import AuditError, AuditFilter
from auth.audit.writer import AuditLog
from auth.identity import Identity
from gateway.api.identity import identify
from gateway.errors import ErrorCode, LakegateError

log = logging.getLogger(__name__)
router = APIRouter(tags=["query"])
MAX_HISTORY = 200
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in {401: "Not authenticated", 503: "The audit log cannot be read"}.items()
}


class HistoryEntry(BaseModel):
    query_id: str | None
    time: str
    #: null when the server keeps only the SQL's hash (audit.record_sql: hash)
    sql: str | None
    decision: Literal["allowed", "denied", "error"]
    error_code: str | None
    rows: int
    bytes: int
    duration_ms: float
    front_door: str


class History(BaseModel):
    queries: list[HistoryEntry]


@router.get(
    "/v1/me/queries",
    summary="Your own query history, newest first (from the audit log)",
    response_model=History,
    responses=_PROBLEMS,
)
async def my_queries(
    request: Request,
    identity: Annotated[Identity, Depends(identify)],
    limit: Annotated[int, Query(ge=1, le=MAX_HISTORY)] = 50,
) -> History:
    audit = getattr(request.app.state.gateway, "audit", None)
    if not isinstance(audit, AuditLog):
        raise LakegateError(ErrorCode.ENGINE_UNAVAILABLE, "the audit log is not configured on this server")
    try:
        records = await audit.aquery(AuditFilter(user=identity.user, action="query", limit=limit))
    except AuditError:
        log.exception("the audit log cannot be read")
        raise LakegateError(ErrorCode.ENGINE_UNAVAILABLE, "the history cannot be read now") from None
    return History(
        queries=[
            HistoryEntry(
                query_id=r.query_id,
                time=r.time,
                sql=r.sql,
                decision=r.decision,
                error_code=r.error_code,
                rows=r.rows,
                bytes=r.bytes,
                duration_ms=r.duration_ms,
                front_door=r.front_door,
            )
            for r in records
        ]
    )
