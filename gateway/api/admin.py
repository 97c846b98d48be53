"""Admin endpoints: ask the server's own policy engine about access requests; refresh the catalog;
reload users, tokens and policies."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request

from auth.identity import Identity
from auth.policy.cli import evaluate_request
from gateway.api.identity import identify
from gateway.errors import ErrorCode, LakegateError
from gateway.service import Gateway

router = APIRouter(prefix="/v1/admin", tags=["admin"])
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in {400: "Invalid request", 401: "Not authenticated", 403: "Not an admin"}.items()
}


@router.post("/policy/evaluate", summary="Evaluate Ranger access requests", responses=_PROBLEMS)
async def evaluate(
    request: Request,
    identity: Annotated[Identity, Depends(identify)],
    body: Annotated[dict[str, Any] | list[dict[str, Any]], Body(description="one request or a list")],
) -> Any:
    """Ranger's access-request shape (``resource.elements``, ``accessType``, ``user``,
    ``userGroups``, ``context``) plus ``policyType``: access, datamask or rowfilter."""
    gateway: Gateway = request.app.state.gateway
    authorizer = gateway.authorizer
    if authorizer is None or not authorizer.is_admin(identity):
        raise LakegateError(ErrorCode.ACCESS_DENIED, "only admins may evaluate policies")
    requests = body if isinstance(body, list) else [body]
    if len(requests) > 1000:
        raise LakegateError(ErrorCode.INVALID_REQUEST, "evaluate at most 1000 requests at once")
    try:
        results = [evaluate_request(authorizer.engine, item) for item in requests]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise LakegateError(ErrorCode.INVALID_REQUEST, f"invalid access request: {exc}") from None
    return results if isinstance(body, list) else results[0]


@router.post("/catalog/refresh", summary="Harvest every source again", responses=_PROBLEMS)
async def refresh_catalog(request: Request, identity: Annotated[Identity, Depends(identify)]) -> Any:
    """Re-read every source's metadata into the catalog; a new lake file is queryable from the
    next query on. Answers per source: ``ok``, ``partial`` (something configured is missing),
    ``failed`` (kept as it was) or ``removed``, with what was added, changed and removed."""
    gateway: Gateway = request.app.state.gateway
    authorizer = gateway.authorizer
    if authorizer is None or not authorizer.is_admin(identity):
        raise LakegateError(ErrorCode.ACCESS_DENIED, "only admins may refresh the catalog")
    result = await asyncio.to_thread(gateway.refresh_catalog)
    return result.to_dict()


@router.post("/reload", summary="Reload users, tokens, policies and the catalog", responses=_PROBLEMS)
async def reload_settings(request: Request, identity: Annotated[Identity, Depends(identify)]) -> Any:
    """What SIGHUP does: re-read the users and tokens files, the JWT key source and the policies,
    and harvest every source again. Running queries carry on. A file that no longer parses keeps
    the last good settings and is reported in ``errors``."""
    from gateway.reload import reload

    gateway: Gateway = request.app.state.gateway
    authorizer = gateway.authorizer
    if authorizer is None or not authorizer.is_admin(identity):
        raise LakegateError(ErrorCode.ACCESS_DENIED, "only admins may reload the server's settings")
    result = await asyncio.to_thread(reload, request.app)
    return result.to_dict()
