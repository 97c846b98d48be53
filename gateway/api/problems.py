"""One error shape everywhere: RFC 9457 problem details with a stable ``code``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.errors import ErrorCode, LakegateError

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


class StreamAborted(Exception):
    """Raised inside a result stream that failed after its status line was sent.

    The server then drops the connection, so HTTP clients see an incomplete body (not a result
    that merely looks short). It is expected, so it is never logged as a server error.
    """


class _DropStreamAborted(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], StreamAborted))


def quiet_stream_aborts() -> None:
    for name in ("uvicorn.error", "uvicorn", "starlette"):
        logging.getLogger(name).addFilter(_DropStreamAborted())


def problem_response(error: LakegateError, query_id: str | None = None) -> JSONResponse:
    headers = {"X-Lakegate-Query-Id": query_id} if query_id else None
    if error.code is ErrorCode.UNAUTHENTICATED:
        headers = {**(headers or {}), "WWW-Authenticate": 'Basic realm="lakegate", Bearer'}
    return JSONResponse(
        error.problem(query_id), status_code=error.status, media_type=PROBLEM_JSON, headers=headers
    )


_HTTP_CODES = {
    400: ErrorCode.INVALID_REQUEST,
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.ACCESS_DENIED,
    404: ErrorCode.INVALID_REQUEST,
    405: ErrorCode.INVALID_REQUEST,
    406: ErrorCode.NOT_ACCEPTABLE,
    413: ErrorCode.QUERY_TOO_LARGE,
}


def install_problem_handlers(app: FastAPI) -> None:
    async def lakegate_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LakegateError)
        return problem_response(exc, exc.query_id)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
        return problem_response(
            LakegateError(ErrorCode.INVALID_REQUEST, "invalid request: " + "; ".join(problems))
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = _HTTP_CODES.get(exc.status_code, ErrorCode.INVALID_REQUEST)
        detail = exc.detail if isinstance(exc.detail, str) else "invalid request"
        if exc.status_code == 404:
            detail = f"no such resource: {request.url.path}"
        elif exc.status_code == 405:
            detail = f"{request.method} is not supported on {request.url.path}"
        body = LakegateError(code, detail).problem()
        body["status"] = exc.status_code
        return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM_JSON, headers=exc.headers)

    async def unexpected(request: Request, exc: Exception) -> Response:
        if isinstance(exc, StreamAborted):
            raise exc
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            LakegateError(ErrorCode.INTERNAL_ERROR, "the server failed to handle the request")
        )

    app.add_exception_handler(LakegateError, lakegate_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
