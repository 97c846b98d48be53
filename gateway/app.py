"""The FastAPI application factory: the only place the pieces are wired together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from catalog.store.backends import StoreError
from connectors.base import Connector
from gateway.api import access, admin, audit, browse, datasets, entities, health, query, search
from gateway.api.body_limit import BodyLimitMiddleware
from gateway.api.identity import build_authenticator
from gateway.api.problems import install_problem_handlers, quiet_stream_aborts
from gateway.api.query_fast_path import QueryFastPath
from gateway.config import LakegateConfig
from gateway.connector_factory import build_connectors
from gateway.frontdoors.trino import trino_router
from gateway.frontdoors.trino.routes import door_of
from gateway.instances import InstanceConflict, InstanceDirectory
from gateway.kill_requests import KillRequests
from gateway.observability.request_log import RequestLogMiddleware
from gateway.observability.tracing import configure_tracing
from gateway.observability.tracing import flush as flush_traces
from gateway.owner_forwarding import Forwarder, OwnerForwarding
from gateway.service import Gateway
from gateway.ui.routes import install_ui

log = logging.getLogger("lakegate")
VERSION = "0.1.0"


async def refresh_on_schedule(gateway: Gateway, seconds: float, retry: float, retry_max: float) -> None:
    """Refresh the catalog every ``seconds`` (0: never on schedule; the start-up harvest came
    first). While a source is failing (missing, down), refresh sooner: after ``retry`` seconds,
    doubling up to ``retry_max``, so a source that comes back is served without a restart."""
    backoff = retry
    while True:
        failing = bool(gateway.last_refresh.failed)
        if failing:
            wait = min(backoff, seconds) if seconds > 0 else backoff
        else:
            backoff = retry
            wait = seconds if seconds > 0 else retry
        await asyncio.sleep(wait)
        if not failing and seconds <= 0:
            continue  # nothing on schedule; look again for a failure from an on-demand refresh
        try:
            await asyncio.to_thread(gateway.refresh_catalog)
        except Exception:
            log.exception("the scheduled catalog refresh failed")
        if failing:
            still = [s.name for s in gateway.last_refresh.failed]
            if still:
                log.warning("sources still failing: %s; next try in %.0f s", ", ".join(still), backoff * 2)
            backoff = min(backoff * 2, retry_max)


async def refresh_datasets_on_schedule(gateway: Gateway, seconds: float = 30.0) -> None:
    """Refresh the materialised tables whose schedule (``refresh_seconds``) says so."""
    datasets = gateway.datasets
    if datasets is None:
        return
    while True:
        await asyncio.sleep(seconds)
        try:
            due = await asyncio.to_thread(datasets.due)
        except Exception:
            log.exception("the dataset schedule could not be read")
            continue
        for dataset in due:
            try:
                await asyncio.to_thread(datasets.refresh_scheduled, dataset)
            except Exception as exc:  # recorded on the dataset (last_error); the old version stays
                log.warning("the scheduled refresh of %s failed: %s", dataset.qualified, exc)


async def answer_kill_requests(app: FastAPI, kills: KillRequests) -> None:
    """Kill the queries of this instance that a kill request sent to another one names."""
    while True:
        await asyncio.sleep(kills.poll_seconds)
        await asyncio.to_thread(kills.serve_safely, door_of(app).kill_here)


async def keep_heartbeat(instances: InstanceDirectory) -> None:
    """Tell the other instances this one is alive."""
    while True:
        await asyncio.sleep(instances.heartbeat_seconds)
        await asyncio.to_thread(instances.heartbeat_safely)


def create_app(config: LakegateConfig, connectors: list[Connector] | None = None) -> FastAPI:
    authenticator = build_authenticator(config)  # before the engines: a bad users file fails fast
    configure_tracing(config.server.tracing)
    gateway = Gateway(
        config,
        connectors if connectors is not None else build_connectors(config),
        rebuild_engines=connectors is None,
    )
    if config.server.dev_mode:
        log.warning(
            "DEVELOPMENT MODE: requests are NOT authenticated; the user name is taken from the "
            "X-Lakegate-User header. Never run this way with real data."
        )
    elif not authenticator.methods:
        log.warning("no authentication method is configured (auth:): every request will be refused")

    instances = gateway.instances
    forwarding: Forwarder | None = None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        catalog = config.catalog
        if instances is not None:
            # first: a node id in use by a live instance elsewhere stops the start
            try:
                await asyncio.to_thread(instances.register)
            except (InstanceConflict, StoreError) as exc:
                log.error("this instance cannot join the cluster: %s", exc)
                raise
        schedules = [
            asyncio.create_task(
                refresh_on_schedule(
                    gateway, catalog.refresh_seconds, catalog.retry_seconds, catalog.retry_max_seconds
                )
            )
        ]
        if gateway.datasets is not None:
            schedules.append(asyncio.create_task(refresh_datasets_on_schedule(gateway)))
        if gateway.kill_requests is not None:
            schedules.append(asyncio.create_task(answer_kill_requests(app, gateway.kill_requests)))
        if instances is not None:
            schedules.append(asyncio.create_task(keep_heartbeat(instances)))
        try:
            yield
        finally:
            for schedule in schedules:
                schedule.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await schedule
            if instances is not None:
                await asyncio.to_thread(instances.leave)
            if forwarding is not None:
                await forwarding.aclose()
            gateway.close()
            flush_traces()

    app = FastAPI(
        title="Lakegate",
        version=VERSION,
        summary="One SQL API over lake files and databases, with Ranger-style security.",
        lifespan=lifespan,
        docs_url=None,  # /docs is served from the UI's own build (gateway/ui), never a CDN
        redoc_url=None,
        # Lakegate traces queries itself (observability/tracing.py, never a global provider);
        # FastAPI's own telemetry would look up the global providers on every request (an
        # environment lookup each), for nothing
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.gateway = gateway
    app.state.authenticator = authenticator
    install_problem_handlers(app)
    quiet_stream_aborts()
    app.include_router(query.router)
    app.include_router(access.router)
    app.include_router(datasets.router)
    app.include_router(browse.router)
    app.include_router(health.router)
    app.include_router(audit.router)
    app.include_router(admin.router)
    app.include_router(entities.router)
    app.include_router(search.router)
    app.include_router(trino_router)
    install_ui(app, config, gateway.state)  # last: its /ui/{path} answers every other /ui address
    # innermost: POST /v1/query's common case answered without FastAPI's per-request machinery
    app.add_middleware(QueryFastPath)
    # SQL larger than the limit is refused by the planner; a body this big is refused unread.
    app.add_middleware(BodyLimitMiddleware, max_bytes=config.server.limits.max_sql_bytes + 64 * 1024)
    if instances is not None and config.server.cluster is not None:
        # a request for another instance's query goes to that instance (gateway/owner_forwarding.py)
        forwarded = gateway.metrics.forwarded
        cluster = config.server.cluster
        forwarding = Forwarder(
            instances,
            connect_timeout=cluster.connect_timeout_seconds,
            count=lambda outcome: forwarded.labels(outcome).inc(),
            ca_file=str(config.resolve_path(cluster.ca_file)) if cluster.ca_file else None,
        )
        app.add_middleware(OwnerForwarding, forwarder=forwarding)
        app.state.forwarder = forwarding  # lists that span the cluster ask the others with it
    # outermost: every request gets its id, its log line and its latency, refusals included
    app.add_middleware(RequestLogMiddleware, metrics=gateway.metrics)
    return app
