"""Refuse request bodies over a size limit before reading them whole (ASGI middleware)."""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import ErrorCode, LakegateError

#: Endpoints whose body is JSON whatever Content-Type says (``curl -d`` sends a form type).
JSON_BODY_PATHS = {"/v1/query"}
_FORM_TYPES = (b"", b"application/x-www-form-urlencoded", b"text/plain")


def _json_content_type(scope: Scope) -> Scope:
    headers = [(k, v) for k, v in scope.get("headers", ()) if k != b"content-type"]
    declared = next((v for k, v in scope.get("headers", ()) if k == b"content-type"), b"")
    if declared.split(b";")[0].strip().lower() not in _FORM_TYPES:
        return scope
    return {**scope, "headers": [*headers, (b"content-type", b"application/json")]}


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("method") == "POST" and scope.get("path") in JSON_BODY_PATHS:
            scope = _json_content_type(scope)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.max_bytes:
                    await self._refuse(send)
                    return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        error = LakegateError(
            ErrorCode.QUERY_TOO_LARGE, f"the request body is larger than the limit of {self.max_bytes} bytes"
        )
        body = orjson.dumps(error.problem())
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
