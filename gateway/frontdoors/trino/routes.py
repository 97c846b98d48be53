"""The Trino client protocol's HTTP endpoints (``/v1/statement``, ``/v1/info``).

Protocol errors are answered as Trino answers them: plain text with 400 (bad headers), 401
(no user), 404 ("Query not found"), 410 (a page already gone) or 431 (headers too large).
Errors of a query are a QueryResults document with ``error``, status 200. Nothing else reaches
the client: no stack trace, no 500 with details.
"""

from __future__ import annotations

import logging
import re
import time

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.applications import Starlette

from auth.identity import Identity
from gateway.frontdoors.trino import protocol
from gateway.frontdoors.trino.door import Request as Statement
from gateway.frontdoors.trino.door import TrinoDoor
from gateway.frontdoors.trino.headers import (
    HeaderError,
    Protocol,
    detect_protocol,
    header_bytes,
    parse_session,
)
from gateway.frontdoors.trino.identity import Forbidden, Unauthenticated, identify
from gateway.frontdoors.trino.paging import Gone, NotFound
from gateway.frontdoors.trino.settings import settings_of

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
JSON = "application/json"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ns|us|ms|s|m|h|d)?\s*$")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|kB|KB|MB|GB|TB)?\s*$")
_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_BYTES = {"B": 1, "kB": 1 << 10, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}
_STARTED = time.time()


class _Refusal(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def door_of(app: Starlette) -> TrinoDoor:
    door = getattr(app.state, "trino_door", None)
    if not isinstance(door, TrinoDoor):
        door = app.state.trino_door = TrinoDoor(app.state.gateway, settings_of(app))
    return door


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message, status_code=status, headers=headers)


async def _caller(request: Request) -> tuple[Protocol, Identity]:
    """The request's protocol prefix and identity, or a _Refusal with Trino's answer."""
    try:
        prefix = detect_protocol(request.headers.keys())
    except HeaderError as exc:
        raise _Refusal(_text(400, str(exc))) from None
    if header_bytes(request.scope.get("headers", ())) > settings_of(request.app).max_header_bytes:
        raise _Refusal(_text(431, "Request Header Fields Too Large"))
    try:
        identity = await identify(request, prefix)
    except Unauthenticated as exc:
        raise _Refusal(_text(401, str(exc), {"WWW-Authenticate": 'Basic realm="Lakegate"'})) from None
    except Forbidden as exc:
        raise _Refusal(_text(403, str(exc))) from None
    return prefix, identity


def _json(body: bytes, headers: list[tuple[str, str]]) -> Response:
    response = Response(body, media_type=JSON)
    for name, value in headers:
        response.headers.append(name, value)
    return response


def _base_url(request: Request) -> str:
    return str(request.base_url)


@router.post("/v1/statement")
async def post_statement(request: Request) -> Response:
    try:
        prefix, identity = await _caller(request)
        session = parse_session(request.headers, prefix)
    except _Refusal as refusal:
        return refusal.response
    except HeaderError as exc:
        return _text(400, str(exc))
    raw = await request.body()
    try:
        sql = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _text(400, "SQL statement is not valid UTF-8")
    if not sql.strip():
        return _text(400, "SQL statement is empty")
    door = door_of(request.app)
    client = request.client.host if request.client else None
    statement = Statement(sql, identity, session, prefix, _base_url(request), client)
    reply = await door.submit(statement)
    return _json(reply.body, reply.headers)


@router.head("/v1/statement")
async def head_statement(request: Request) -> Response:
    try:
        await _caller(request)
    except _Refusal as refusal:
        return refusal.response
    return Response(status_code=200)


def _seconds(text: str | None, default: float) -> float:
    match = _DURATION.match(text) if text else None
    if not match:
        return default
    return min(float(match.group(1)) * _SECONDS[match.group(2) or "ms"], default)


def _bytes(text: str | None, default: int, maximum: int) -> int:
    match = _SIZE.match(text) if text else None
    if not match:
        return default
    return max(1024, min(int(float(match.group(1)) * _BYTES[match.group(2) or "B"]), maximum))


def _token(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 19 else None


_NOT_FOUND = "Query not found"


@router.get("/v1/statement/{phase}/{query_id}/{slug}/{token}")
async def get_results(phase: str, query_id: str, slug: str, token: str, request: Request) -> Response:
    try:
        _, identity = await _caller(request)
    except _Refusal as refusal:
        return refusal.response
    door = door_of(request.app)
    number = _token(token)
    query = door.find(identity, query_id, slug) if phase in ("queued", "executing") else None
    if query is None or number is None:
        return _text(404, _NOT_FOUND)
    settings = door.settings
    max_wait = _seconds(request.query_params.get("maxWait"), settings.max_wait_seconds)
    target = _bytes(
        request.query_params.get("targetResultSize"),
        settings.target_result_bytes,
        settings.max_target_result_bytes,
    )
    try:
        body = await query.page(number, _base_url(request), max_wait, target)
    except Gone:
        return _text(410, "Gone")
    except NotFound:
        return _text(404, _NOT_FOUND)
    return _json(body, query.headers)


@router.head("/v1/statement/{phase}/{query_id}/{slug}/{token}")
async def head_results(phase: str, query_id: str, slug: str, token: str, request: Request) -> Response:
    try:
        _, identity = await _caller(request)
    except _Refusal as refusal:
        return refusal.response
    query = door_of(request.app).find(identity, query_id, slug)
    if query is None or _token(token) is None:
        return Response(status_code=404)
    query.last_access = time.monotonic()
    return Response(status_code=200)


@router.delete("/v1/statement/{phase}/{query_id}/{slug}/{token}")
async def cancel_query(phase: str, query_id: str, slug: str, token: str, request: Request) -> Response:
    try:
        _, identity = await _caller(request)
    except _Refusal as refusal:
        return refusal.response
    query = door_of(request.app).find(identity, query_id, slug)
    if query is None or _token(token) is None:
        return _text(404, _NOT_FOUND)
    query.cancel("Query was canceled by the user")
    return Response(status_code=204)


@router.get("/v1/info")
async def info(request: Request) -> Response:
    settings = settings_of(request.app)
    body = {
        "nodeVersion": {"version": settings.version},
        "environment": "lakegate",
        "coordinator": True,
        "starting": False,
        "uptime": f"{(time.time() - _STARTED) / 60:.2f}m",
    }
    return _json(protocol.serialize(body), [])


@router.get("/v1/info/state")
async def info_state() -> Response:
    return _json(b'"ACTIVE"', [])
