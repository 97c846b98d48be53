"""POST /v1/access/explain: why a query is refused, masked or row-filtered.

A user asks about their own SQL or their own past query; a policy administrator about anyone's
(``user``, with ``groups`` or the groups the users file gives them). Another user's query id is
as unknown as one that never existed. See gateway/planner/access_explain.py for what is told.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from auth.audit.store import AuditError, AuditFilter
from auth.identity import Identity
from gateway.api.identity import identify
from gateway.errors import ErrorCode, LakegateError
from gateway.planner.access_explain import explain_access
from gateway.planner.context import QueryRequest
from gateway.service import Gateway

router = APIRouter(tags=["access"])
_NAME = r"^[A-Za-z_][A-Za-z0-9_$\-]*$"
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in {
        400: "Neither or both of sql and query_id",
        401: "Not authenticated",
        403: "Asking about another user without being an admin",
        404: "Unknown query id",
    }.items()
}


class ExplainBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sql: str | None = Field(None, min_length=1, description="The SQL to explain")
    query_id: str | None = Field(None, max_length=128, description="A past query of the caller's to explain")
    catalog: str | None = Field(None, max_length=128, pattern=_NAME, description="Default catalog")
    schema_: str | None = Field(
        None, alias="schema", max_length=128, pattern=_NAME, description="Default schema"
    )
    dialect: str | None = Field("trino", max_length=32, description="sqlglot dialect of the SQL text")
    user: str | None = Field(None, max_length=256, description="Admins only: explain for this user")
    groups: list[str] | None = Field(None, max_length=256, description="Admins only: that user's groups")


@router.post(
    "/v1/access/explain",
    summary="Explain the access decisions for a query: denied, masked or row-filtered, and by which policy",
    responses=_PROBLEMS,
)
async def explain(
    body: ExplainBody, request: Request, identity: Annotated[Identity, Depends(identify)]
) -> dict[str, Any]:
    gateway: Gateway = request.app.state.gateway
    authorizer = gateway.authorizer
    admin = authorizer is not None and authorizer.is_admin(identity)
    if (body.sql is None) == (body.query_id is None):
        raise LakegateError(ErrorCode.INVALID_REQUEST, "give either sql or query_id")
    asks_for_another = body.groups is not None or body.user not in (None, identity.user)
    if asks_for_another and not admin:
        raise LakegateError(ErrorCode.ACCESS_DENIED, "only admins may ask about another user's access")
    user, groups = identity.user, identity.groups
    sql = body.sql
    if body.query_id is not None:
        user, groups, sql = await _past_query(gateway, body.query_id, identity, admin)
    if body.user is not None and admin:
        user = body.user
        groups = tuple(body.groups) if body.groups is not None else _groups_of(request, user)
    assert sql is not None
    query = QueryRequest(sql, body.catalog, body.schema_, body.dialect or "trino", user, groups)
    document = await asyncio.to_thread(explain_access, gateway.planner, query, show_filters=admin)
    if user != identity.user:
        # An administrator looked into another user's access: that is audited.
        await gateway.audit.alog_event(
            action="admin",
            front_door="native",
            status=200,
            identity=identity,
            client_address=request.client.host if request.client else None,
            decision="allowed",
            resources=[t["table"] for t in document["tables"]],
            sql=sql,
        )
    return document


async def _past_query(
    gateway: Gateway, query_id: str, identity: Identity, admin: bool
) -> tuple[str, tuple[str, ...], str]:
    """(user, groups, sql) of a query the caller may see; QUERY_NOT_FOUND otherwise."""
    record = gateway.queries.get(query_id)
    if record is not None:
        found: tuple[str, tuple[str, ...], str] | None = (record.user, tuple(record.groups), record.sql)
    else:
        found = await asyncio.to_thread(_audited_query, gateway, query_id)
    if found is None or not (admin or found[0] == identity.user):
        raise LakegateError(ErrorCode.QUERY_NOT_FOUND, f"query {query_id} does not exist")
    return found


def _audited_query(gateway: Gateway, query_id: str) -> tuple[str, tuple[str, ...], str] | None:
    """A finished query's user, groups and SQL from the audit log (after a restart)."""
    try:
        records = gateway.audit.store.query(AuditFilter(query_id=query_id, action="query", limit=1))
    except (AuditError, ValueError):
        return None
    if not records or not records[0].sql:
        return None
    return records[0].user, tuple(records[0].groups), records[0].sql


def _groups_of(request: Request, user: str) -> tuple[str, ...]:
    authenticator = getattr(request.app.state, "authenticator", None)
    basic = getattr(authenticator, "basic", None)
    groups = basic.groups_of(user) if basic is not None else None
    return tuple(groups or ())
