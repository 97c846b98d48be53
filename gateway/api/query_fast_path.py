"""POST /v1/query without FastAPI's routing, dependency and validation machinery.

Under load, FastAPI's per-request work (matching the route, solving the ``identify`` dependency,
decoding and validating the body through its generic machinery, wrapping the endpoint) cost a
small query about as much CPU as planning it from the cache. This ASGI middleware answers the
common case itself by calling the very same pieces the route calls, in the same order:

- the body is read whole (the body limit middleware, outside this one, still bounds it), decoded
  and validated with the route's own model (:class:`~gateway.api.query.QueryBody`);
- the caller is identified by the route's own dependency (:func:`~gateway.api.identity.identify`),
  and the query run by the route's own handler (:func:`~gateway.api.query.run_query`), so
  admission, the audit record, errors and the response bytes are the route's;
- a :class:`~gateway.errors.LakegateError` becomes the problem response the app's handler makes.

Anything else (a body that is not a valid JSON object for the model, a content type other than
JSON) goes to the FastAPI route unchanged, with the body handed over as it arrived, so every
refusal keeps the route's own wording. tests/test_query_fast_path.py runs both paths side by side.
"""

from __future__ import annotations

import orjson
from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.api.identity import identify
from gateway.api.problems import problem_response
from gateway.api.query import QueryBody, router, run_query
from gateway.errors import LakegateError

PATH = "/v1/query"
_JSON = b"application/json"


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(value.split(b";", 1)[0].strip().lower() == _JSON)
    return False


def _body(raw: bytes) -> QueryBody | None:
    """The body as the route would validate it, or None for anything the route should refuse."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    try:
        return QueryBody.model_validate(data)
    except ValidationError:
        return None


class QueryFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        #: the route this stands in for (the router would set it on the scope)
        self._route = next(r for r in router.routes if getattr(r, "endpoint", None) is run_query)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != PATH
            or not _is_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left before its body arrived
                await self.app(scope, _replay([], message, receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        body = _body(raw)
        if body is None:
            await self.app(scope, _replay([raw], None, receive), send)
            return
        scope["route"] = self._route  # for the request's log line and metrics, as the router sets it
        scope["endpoint"] = run_query
        scope["path_params"] = {}
        request = Request(scope, receive)
        try:
            identity = await identify(request)
            response = await run_query(body, request, identity)
        except LakegateError as exc:
            response = problem_response(exc, exc.query_id)
        await response(scope, receive, send)


def _replay(bodies: list[bytes], first: Message | None, receive: Receive) -> Receive:
    """A receive that hands over what was already read (the whole body, or the first message
    that was not a body), then the connection's own messages (a disconnect)."""
    pending: list[Message] = [{"type": "http.request", "body": b, "more_body": False} for b in bodies]
    if first is not None:
        pending.append(first)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
