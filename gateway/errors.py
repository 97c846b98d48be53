"""Lakegate's errors: a stable code, an HTTP status, and a message a person can act on.

Every error a client sees is one of these, rendered as ``application/problem+json`` by the
native API and as Trino's error shape by the Trino front door. Messages never carry secrets,
storage paths, stack traces or the engine's physical names.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    # the request or the SQL is wrong (4xx)
    INVALID_REQUEST = "INVALID_REQUEST"
    SQL_SYNTAX_ERROR = "SQL_SYNTAX_ERROR"
    MULTIPLE_STATEMENTS = "MULTIPLE_STATEMENTS"
    STATEMENT_NOT_ALLOWED = "STATEMENT_NOT_ALLOWED"
    FUNCTION_NOT_ALLOWED = "FUNCTION_NOT_ALLOWED"
    #: Lakegate cannot run this faithfully (or cannot prove it safe), so it refuses it
    NOT_SUPPORTED = "NOT_SUPPORTED"
    UNSUPPORTED_DIALECT = "UNSUPPORTED_DIALECT"
    CATALOG_NOT_FOUND = "CATALOG_NOT_FOUND"
    SCHEMA_NOT_FOUND = "SCHEMA_NOT_FOUND"
    TABLE_NOT_FOUND = "TABLE_NOT_FOUND"
    COLUMN_NOT_FOUND = "COLUMN_NOT_FOUND"
    QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    CROSS_ENGINE_QUERY = "CROSS_ENGINE_QUERY"
    ENGINE_USER_ERROR = "ENGINE_USER_ERROR"
    ENGINE_DATA_ERROR = "ENGINE_DATA_ERROR"
    #: an integer or decimal divided by zero (Trino's DIVISION_BY_ZERO)
    DIVISION_BY_ZERO = "DIVISION_BY_ZERO"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    #: a view that cannot be expanded: it refers to itself, or its query no longer fits it
    INVALID_VIEW = "INVALID_VIEW"
    #: a dataset of that name exists (CREATE without OR REPLACE, RENAME onto it)
    ALREADY_EXISTS = "ALREADY_EXISTS"
    # who is asking
    UNAUTHENTICATED = "UNAUTHENTICATED"
    ACCESS_DENIED = "ACCESS_DENIED"
    #: a signed-in page's state-changing request without its session's CSRF token
    CSRF_CHECK_FAILED = "CSRF_CHECK_FAILED"
    # limits and lifecycle
    QUERY_NOT_FOUND = "QUERY_NOT_FOUND"
    #: a catalog entity that does not exist, or that the caller may not see (the same answer)
    ENTITY_NOT_FOUND = "ENTITY_NOT_FOUND"
    QUERY_TIMEOUT = "QUERY_TIMEOUT"
    QUERY_CANCELED = "QUERY_CANCELED"
    RESULT_TOO_LARGE = "RESULT_TOO_LARGE"
    #: the query needs more memory than the engine may use (engine.memory_limit)
    EXCEEDED_MEMORY_LIMIT = "EXCEEDED_MEMORY_LIMIT"
    TOO_MANY_QUERIES = "TOO_MANY_QUERIES"
    #: the query waited in its resource group's queue for longer than the queue allows
    QUEUE_TIMEOUT = "QUEUE_TIMEOUT"
    #: no resource group accepts queries from this user, group or source
    QUERY_REJECTED = "QUERY_REJECTED"
    ENGINE_UNAVAILABLE = "ENGINE_UNAVAILABLE"
    #: the server is draining before it stops: retry, the balancer sends it elsewhere
    SERVER_SHUTTING_DOWN = "SERVER_SHUTTING_DOWN"
    #: the audit log cannot record the query, so its answer is withheld (fail closed)
    AUDIT_UNAVAILABLE = "AUDIT_UNAVAILABLE"
    ENGINE_ERROR = "ENGINE_ERROR"
    INTERNAL_ERROR = "INTERNAL_ERROR"


STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_REQUEST: 400,
    ErrorCode.SQL_SYNTAX_ERROR: 400,
    ErrorCode.MULTIPLE_STATEMENTS: 400,
    ErrorCode.STATEMENT_NOT_ALLOWED: 403,
    ErrorCode.FUNCTION_NOT_ALLOWED: 403,
    ErrorCode.NOT_SUPPORTED: 400,
    ErrorCode.UNSUPPORTED_DIALECT: 400,
    ErrorCode.CATALOG_NOT_FOUND: 404,
    ErrorCode.SCHEMA_NOT_FOUND: 404,
    ErrorCode.TABLE_NOT_FOUND: 404,
    ErrorCode.COLUMN_NOT_FOUND: 400,
    ErrorCode.QUERY_TOO_LARGE: 413,
    ErrorCode.QUERY_TOO_COMPLEX: 400,
    ErrorCode.CROSS_ENGINE_QUERY: 400,
    ErrorCode.ENGINE_USER_ERROR: 400,
    ErrorCode.ENGINE_DATA_ERROR: 422,
    ErrorCode.DIVISION_BY_ZERO: 400,
    ErrorCode.NOT_ACCEPTABLE: 406,
    ErrorCode.INVALID_VIEW: 400,
    ErrorCode.ALREADY_EXISTS: 409,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.ACCESS_DENIED: 403,
    ErrorCode.CSRF_CHECK_FAILED: 403,
    ErrorCode.QUERY_NOT_FOUND: 404,
    ErrorCode.ENTITY_NOT_FOUND: 404,
    ErrorCode.QUERY_TIMEOUT: 408,
    ErrorCode.QUERY_CANCELED: 409,
    ErrorCode.RESULT_TOO_LARGE: 413,
    ErrorCode.EXCEEDED_MEMORY_LIMIT: 413,
    ErrorCode.TOO_MANY_QUERIES: 429,
    ErrorCode.QUEUE_TIMEOUT: 503,
    ErrorCode.QUERY_REJECTED: 403,
    ErrorCode.ENGINE_UNAVAILABLE: 503,
    ErrorCode.SERVER_SHUTTING_DOWN: 503,
    ErrorCode.AUDIT_UNAVAILABLE: 503,
    ErrorCode.ENGINE_ERROR: 502,
    ErrorCode.INTERNAL_ERROR: 500,
}

TITLES: dict[ErrorCode, str] = {
    code: code.value.replace("_", " ").capitalize().replace("Sql ", "SQL ") for code in ErrorCode
}


class LakegateError(Exception):
    """An error to show to the client, as is."""

    def __init__(self, code: ErrorCode, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extra = extra
        #: the query this error ended, when there was one
        self.query_id: str | None = None
        #: the authorization decisions taken before the error (for the audit log)
        self.decisions: tuple[Any, ...] = ()

    @property
    def status(self) -> int:
        return STATUS[self.code]

    def problem(self, query_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"urn:lakegate:error:{self.code.value.lower().replace('_', '-')}",
            "title": TITLES[self.code],
            "status": self.status,
            "detail": self.detail,
            "code": self.code.value,
        }
        query_id = query_id or self.query_id
        if query_id is not None:
            body["query_id"] = query_id
        body.update(self.extra)
        return body


def syntax_error(detail: str, line: int | None = None, column: int | None = None) -> LakegateError:
    extra: dict[str, Any] = {}
    if line is not None:
        extra["line"] = line
    if column is not None:
        extra["column"] = column
    return LakegateError(ErrorCode.SQL_SYNTAX_ERROR, detail, **extra)
