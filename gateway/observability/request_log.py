"""One log line and one histogram observation per HTTP request, with a request id.

The request id is the client's ``X-Request-Id`` when it is a plain token, else a new one; it is
echoed in the response. The line names the door (native, trino, operations), the route template
(``/v1/queries/{query_id}``, never the raw path with its ids), method, status, duration, the user
once authenticated, and the query id when the response carries one.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from auth.random_ids import random_hex
from gateway.metrics import Metrics

log = logging.getLogger("lakegate.requests")
REQUEST_ID_HEADER = b"x-request-id"
QUERY_ID_HEADER = b"x-lakegate-query-id"
_TOKEN = re.compile(rb"^[A-Za-z0-9._\-]{1,64}$")
_OPERATIONS = frozenset({"/healthz", "/readyz", "/metrics"})


def door_of(route: str) -> str:
    if route.startswith("/v1/statement") or route.startswith("/v1/info") or route.startswith("/ui/api"):
        return "trino"
    if route in _OPERATIONS:
        return "operations"
    return "native"


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = dict(scope.get("headers") or ()).get(REQUEST_ID_HEADER, b"")
        request_id = given.decode() if _TOKEN.match(given) else random_hex()
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        query_id: str | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status, query_id
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers") or ())
                for name, value in headers:
                    if name.lower() == QUERY_ID_HEADER:
                        query_id = value.decode("latin-1")
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, query_id, request_id, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, query_id: str | None, request_id: str, took: float) -> None:
        route_obj: Any = scope.get("route")
        route = getattr(route_obj, "path", None) or "(unmatched)"
        door = door_of(route)
        method = str(scope.get("method", ""))
        self.metrics.http_latency.labels(door, route, method, str(status)).observe(took)
        state = scope.get("state") or {}
        log.info(
            "request",
            extra={
                "fields": {
                    "request_id": request_id,
                    "door": door,
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(took * 1000, 3),
                    "user": state.get("user"),
                    "query_id": query_id,
                }
            },
        )
