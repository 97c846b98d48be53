"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from gateway.service import Gateway

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Every engine answers",
    responses={503: {"description": "An engine is not ready", "content": {"application/json": {}}}},
)
async def readyz(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    if gateway.drain.draining:
        return JSONResponse({"status": "draining", "engines": {}}, status_code=503)
    checks = {}
    ready = True
    for connector in gateway.connectors.connectors():
        healthy, detail = await asyncio.to_thread(connector.health)
        checks[connector.name] = {"healthy": healthy, "detail": detail}
        ready = ready and healthy
    refresh = gateway.last_refresh
    catalog = {
        "refreshed_at": refresh.started_at,
        # names and outcomes only: the messages are for admins (POST /v1/admin/catalog/refresh)
        "sources": {s.name: s.status for s in refresh.sources},
        "failed": [s.name for s in refresh.failed],
    }
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "engines": checks, "catalog": catalog},
        status_code=200 if ready else 503,
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    return Response(gateway.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
