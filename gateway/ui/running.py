"""``GET /v1/queries``: the queries running now, for the admin page that kills them.

Admins see everyone's; anyone else sees only their own (another user's query is as unknown here
as it is to ``GET /v1/queries/{id}``). ``DELETE /v1/queries/{id}`` cancels one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from auth.identity import Identity
from gateway.api.identity import identify
from gateway.api.query import QueryStatus

router = APIRouter(tags=["query"])


class RunningQueries(BaseModel):
    queries: list[QueryStatus]


@router.get(
    "/v1/queries",
    summary="Queries running now: everyone's for admins, your own for anyone else",
    response_model=RunningQueries,
    responses={401: {"description": "Not authenticated", "content": {"application/problem+json": {}}}},
)
async def running_queries(
    request: Request, identity: Annotated[Identity, Depends(identify)]
) -> dict[str, Any]:
    gateway = request.app.state.gateway
    is_admin = gateway.authorizer is not None and gateway.authorizer.is_admin(identity)
    records = sorted(gateway.queries.running(), key=lambda r: r.created)
    return {"queries": [r.describe() for r in records if is_admin or r.user == identity.user]}
