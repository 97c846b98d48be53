"""GET /v1/audit: the audit log, newest first, for admins only.

Reading the log is itself audited (action ``admin``), refusals included, so that who looked at
whom stays on record.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from auth.audit.store import DEFAULT_LIMIT, MAX_LIMIT, AuditError, AuditFilter
from auth.audit.writer import AuditLog
from auth.identity import Identity
from gateway.api.identity import identify
from gateway.errors import STATUS, ErrorCode, LakegateError

log = logging.getLogger(__name__)
router = APIRouter(tags=["admin"])
FRONT_DOOR = "native"

_PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad filters", "content": _PROBLEM},
    401: {"description": "Not authenticated", "content": _PROBLEM},
    403: {"description": "Not an admin", "content": _PROBLEM},
    503: {"description": "The audit store cannot be read", "content": _PROBLEM},
}


class AuditEntry(BaseModel):
    event_id: str
    time: str
    query_id: str | None
    user: str
    groups: list[str]
    client_address: str | None
    front_door: str
    action: Literal["query", "browse", "admin", "auth", "metadata"]
    sql: str | None
    sql_sha256: str | None
    resources: list[str]
    decision: Literal["allowed", "denied", "error"]
    policy_ids: list[int]
    rows: int
    bytes: int
    duration_ms: float
    error_code: str | None
    status: int


class AuditPage(BaseModel):
    records: list[AuditEntry]


def _audit_log(gateway: Any) -> AuditLog:
    audit = getattr(gateway, "audit", None)
    if not isinstance(audit, AuditLog):
        raise LakegateError(ErrorCode.ENGINE_UNAVAILABLE, "the audit log is not configured on this server")
    return audit


@router.get(
    "/v1/audit",
    summary="Read the audit log, newest first (admins only)",
    response_model=AuditPage,
    responses=_ERRORS,
)
async def read_audit(
    request: Request,
    identity: Annotated[Identity, Depends(identify)],
    user: Annotated[str | None, Query(max_length=256, description="Exactly this user")] = None,
    query_id: Annotated[str | None, Query(max_length=256, description="Exactly this query")] = None,
    decision: Annotated[Literal["allowed", "denied", "error"] | None, Query()] = None,
    action: Annotated[Literal["query", "browse", "admin", "auth", "metadata"] | None, Query()] = None,
    since: Annotated[
        datetime | None, Query(description="ISO time, inclusive (UTC when no zone is given)")
    ] = None,
    until: Annotated[
        datetime | None, Query(description="ISO time, exclusive (UTC when no zone is given)")
    ] = None,
    resource: Annotated[
        str | None,
        Query(
            max_length=1024,
            description="Records touching a resource that contains this text, ignoring case "
            "(a catalog or catalog.schema prefix finds everything below it)",
        ),
    ] = None,
    error_code: Annotated[str | None, Query(max_length=64, description="e.g. ACCESS_DENIED")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> dict[str, Any]:
    started = time.monotonic()
    gateway = request.app.state.gateway
    audit = _audit_log(gateway)
    client = request.client.host if request.client else None
    authorizer = gateway.authorizer
    refusal: str | None = None
    if authorizer is None:
        refusal = "the audit log needs policies with admins configured"
    elif not authorizer.is_admin(identity):
        refusal = "only admins may read the audit log"
    if refusal is not None:
        denied = LakegateError(ErrorCode.ACCESS_DENIED, refusal)
        await _record_failure(audit, identity, client, started, "denied", denied.code)
        raise denied
    try:
        filters = AuditFilter(
            user=user,
            query_id=query_id,
            decision=decision,
            action=action,
            since=since,
            until=until,
            resource=resource,
            error_code=error_code,
            limit=limit,
        )
    except ValueError as exc:
        raise LakegateError(ErrorCode.INVALID_REQUEST, str(exc)) from None
    try:
        records = await audit.aquery(filters)
    except AuditError:
        log.exception("the audit log cannot be read")
        await _record_failure(audit, identity, client, started, "error", ErrorCode.ENGINE_UNAVAILABLE)
        raise LakegateError(ErrorCode.ENGINE_UNAVAILABLE, "the audit log cannot be read right now") from None
    # Fail closed: when this read cannot be recorded, its answer is not sent (AuditError -> 500).
    await audit.alog_event(
        action="admin",
        front_door=FRONT_DOOR,
        status=200,
        identity=identity,
        client_address=client,
        decision="allowed",
        rows=len(records),
        duration_ms=(time.monotonic() - started) * 1000,
    )
    return {"records": [record.to_dict() for record in records]}


async def _record_failure(
    audit: AuditLog,
    identity: Identity,
    client: str | None,
    started: float,
    decision: Literal["denied", "error"],
    code: ErrorCode,
) -> None:
    """Record a refused or failed read; the refusal stands even if it cannot be recorded."""
    try:
        await audit.alog_event(
            action="admin",
            front_door=FRONT_DOOR,
            status=STATUS[code],
            identity=identity,
            client_address=client,
            decision=decision,
            error_code=code.value,
            duration_ms=(time.monotonic() - started) * 1000,
        )
    except AuditError:
        log.exception("an audit log read by %s could not be recorded", identity.user)
