"""Lakegate's error codes as Trino errors: the code, name and type clients branch on.

Codes and names are Trino's ``StandardErrorCode``; the Python client raises ``TrinoUserError``
for USER_ERROR, ``TrinoExternalError`` for EXTERNAL and ``TrinoQueryError`` otherwise. Engine
failures use Trino's connector range (``0x0100_0000`` and up) with type EXTERNAL, as a
connector's own errors do in Trino.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gateway.errors import ErrorCode, LakegateError

USER_ERROR = "USER_ERROR"
INTERNAL_ERROR = "INTERNAL_ERROR"
INSUFFICIENT_RESOURCES = "INSUFFICIENT_RESOURCES"
EXTERNAL = "EXTERNAL"
_EXTERNAL_BASE = 0x0100_0000


@dataclass(frozen=True, slots=True)
class TrinoError:
    code: int
    name: str
    type: str


GENERIC_USER_ERROR = TrinoError(0, "GENERIC_USER_ERROR", USER_ERROR)
SYNTAX_ERROR = TrinoError(1, "SYNTAX_ERROR", USER_ERROR)
ABANDONED_QUERY = TrinoError(2, "ABANDONED_QUERY", USER_ERROR)
USER_CANCELED = TrinoError(3, "USER_CANCELED", USER_ERROR)
PERMISSION_DENIED = TrinoError(4, "PERMISSION_DENIED", USER_ERROR)
NOT_FOUND = TrinoError(5, "NOT_FOUND", USER_ERROR)
FUNCTION_NOT_FOUND = TrinoError(6, "FUNCTION_NOT_FOUND", USER_ERROR)
INVALID_FUNCTION_ARGUMENT = TrinoError(7, "INVALID_FUNCTION_ARGUMENT", USER_ERROR)
DIVISION_BY_ZERO = TrinoError(8, "DIVISION_BY_ZERO", USER_ERROR)
INVALID_CAST_ARGUMENT = TrinoError(9, "INVALID_CAST_ARGUMENT", USER_ERROR)
INVALID_VIEW = TrinoError(11, "INVALID_VIEW", USER_ERROR)
ALREADY_EXISTS = TrinoError(12, "ALREADY_EXISTS", USER_ERROR)
NOT_SUPPORTED = TrinoError(13, "NOT_SUPPORTED", USER_ERROR)
INVALID_SESSION_PROPERTY = TrinoError(14, "INVALID_SESSION_PROPERTY", USER_ERROR)
NUMERIC_VALUE_OUT_OF_RANGE = TrinoError(19, "NUMERIC_VALUE_OUT_OF_RANGE", USER_ERROR)
NOT_IN_TRANSACTION = TrinoError(21, "NOT_IN_TRANSACTION", USER_ERROR)
QUERY_REJECTED = TrinoError(31, "QUERY_REJECTED", USER_ERROR)
QUERY_TEXT_TOO_LARGE = TrinoError(35, "QUERY_TEXT_TOO_LARGE", USER_ERROR)
ADMINISTRATIVELY_KILLED = TrinoError(38, "ADMINISTRATIVELY_KILLED", USER_ERROR)
CATALOG_NOT_FOUND = TrinoError(44, "CATALOG_NOT_FOUND", USER_ERROR)
SCHEMA_NOT_FOUND = TrinoError(45, "SCHEMA_NOT_FOUND", USER_ERROR)
TABLE_NOT_FOUND = TrinoError(46, "TABLE_NOT_FOUND", USER_ERROR)
COLUMN_NOT_FOUND = TrinoError(47, "COLUMN_NOT_FOUND", USER_ERROR)
INVALID_PARAMETER_USAGE = TrinoError(80, "INVALID_PARAMETER_USAGE", USER_ERROR)
GENERIC_INTERNAL_ERROR = TrinoError(65536, "GENERIC_INTERNAL_ERROR", INTERNAL_ERROR)
SERVER_SHUTTING_DOWN = TrinoError(65545, "SERVER_SHUTTING_DOWN", INTERNAL_ERROR)
GENERIC_INSUFFICIENT_RESOURCES = TrinoError(131072, "GENERIC_INSUFFICIENT_RESOURCES", INSUFFICIENT_RESOURCES)
QUERY_QUEUE_FULL = TrinoError(131074, "QUERY_QUEUE_FULL", INSUFFICIENT_RESOURCES)
EXCEEDED_TIME_LIMIT = TrinoError(131075, "EXCEEDED_TIME_LIMIT", INSUFFICIENT_RESOURCES)
EXCEEDED_LOCAL_MEMORY_LIMIT = TrinoError(131079, "EXCEEDED_LOCAL_MEMORY_LIMIT", INSUFFICIENT_RESOURCES)
ENGINE_UNAVAILABLE = TrinoError(_EXTERNAL_BASE + 1, "ENGINE_UNAVAILABLE", EXTERNAL)
ENGINE_ERROR = TrinoError(_EXTERNAL_BASE + 2, "ENGINE_ERROR", EXTERNAL)

BY_CODE: dict[ErrorCode, TrinoError] = {
    ErrorCode.INVALID_REQUEST: GENERIC_USER_ERROR,
    ErrorCode.SQL_SYNTAX_ERROR: SYNTAX_ERROR,
    ErrorCode.MULTIPLE_STATEMENTS: SYNTAX_ERROR,
    ErrorCode.STATEMENT_NOT_ALLOWED: NOT_SUPPORTED,
    ErrorCode.FUNCTION_NOT_ALLOWED: PERMISSION_DENIED,
    ErrorCode.NOT_SUPPORTED: NOT_SUPPORTED,
    ErrorCode.UNSUPPORTED_DIALECT: NOT_SUPPORTED,
    ErrorCode.CATALOG_NOT_FOUND: CATALOG_NOT_FOUND,
    ErrorCode.SCHEMA_NOT_FOUND: SCHEMA_NOT_FOUND,
    ErrorCode.TABLE_NOT_FOUND: TABLE_NOT_FOUND,
    ErrorCode.COLUMN_NOT_FOUND: COLUMN_NOT_FOUND,
    ErrorCode.QUERY_TOO_LARGE: QUERY_TEXT_TOO_LARGE,
    ErrorCode.QUERY_TOO_COMPLEX: QUERY_REJECTED,
    ErrorCode.CROSS_ENGINE_QUERY: NOT_SUPPORTED,
    ErrorCode.ENGINE_USER_ERROR: GENERIC_USER_ERROR,
    ErrorCode.ENGINE_DATA_ERROR: INVALID_FUNCTION_ARGUMENT,
    ErrorCode.DIVISION_BY_ZERO: DIVISION_BY_ZERO,
    ErrorCode.NOT_ACCEPTABLE: GENERIC_USER_ERROR,
    ErrorCode.INVALID_VIEW: INVALID_VIEW,
    ErrorCode.ALREADY_EXISTS: ALREADY_EXISTS,
    ErrorCode.UNAUTHENTICATED: PERMISSION_DENIED,
    ErrorCode.ACCESS_DENIED: PERMISSION_DENIED,
    ErrorCode.QUERY_NOT_FOUND: NOT_FOUND,
    ErrorCode.ENTITY_NOT_FOUND: NOT_FOUND,
    ErrorCode.QUERY_TIMEOUT: EXCEEDED_TIME_LIMIT,
    ErrorCode.QUERY_CANCELED: USER_CANCELED,
    ErrorCode.RESULT_TOO_LARGE: GENERIC_INSUFFICIENT_RESOURCES,
    ErrorCode.EXCEEDED_MEMORY_LIMIT: EXCEEDED_LOCAL_MEMORY_LIMIT,
    ErrorCode.TOO_MANY_QUERIES: QUERY_QUEUE_FULL,
    ErrorCode.QUEUE_TIMEOUT: EXCEEDED_TIME_LIMIT,
    ErrorCode.QUERY_REJECTED: QUERY_REJECTED,
    ErrorCode.ENGINE_UNAVAILABLE: ENGINE_UNAVAILABLE,
    ErrorCode.SERVER_SHUTTING_DOWN: SERVER_SHUTTING_DOWN,
    ErrorCode.AUDIT_UNAVAILABLE: GENERIC_INTERNAL_ERROR,
    ErrorCode.ENGINE_ERROR: ENGINE_ERROR,
    ErrorCode.INTERNAL_ERROR: GENERIC_INTERNAL_ERROR,
}

_BY_NAME: dict[str, TrinoError] = {v.name: v for v in list(globals().values()) if isinstance(v, TrinoError)}

# Data errors carry the engine's words; the common ones have Trino names of their own.
_DATA_ERRORS = (
    (re.compile(r"divi(de|sion) by zero", re.I), DIVISION_BY_ZERO),
    (re.compile(r"function (with name )?\S+ does not exist|unknown function", re.I), FUNCTION_NOT_FOUND),
    (
        re.compile(r"conversion error|could not convert|cannot cast|invalid input syntax", re.I),
        INVALID_CAST_ARGUMENT,
    ),
    (re.compile(r"out of range|overflow", re.I), NUMERIC_VALUE_OUT_OF_RANGE),
)


def trino_error_of(error: LakegateError) -> TrinoError:
    named = _BY_NAME.get(str(error.extra.get("trino_error")))
    if named is not None:
        return named
    mapped = BY_CODE.get(error.code, GENERIC_INTERNAL_ERROR)
    if error.code in (ErrorCode.ENGINE_DATA_ERROR, ErrorCode.ENGINE_USER_ERROR):
        for pattern, named in _DATA_ERRORS:
            if pattern.search(error.detail):
                return named
    if error.code is ErrorCode.QUERY_CANCELED and error.detail.startswith("the server is shutting down"):
        return SERVER_SHUTTING_DOWN
    return mapped


def door_error(error: TrinoError, message: str, code: ErrorCode | None = None) -> LakegateError:
    """A LakegateError that the Trino door reports under a specific Trino error."""
    code = code or {
        USER_ERROR: ErrorCode.INVALID_REQUEST,
        INSUFFICIENT_RESOURCES: ErrorCode.RESULT_TOO_LARGE,
        EXTERNAL: ErrorCode.ENGINE_ERROR,
    }.get(error.type, ErrorCode.INTERNAL_ERROR)
    return LakegateError(code, message, trino_error=error.name)


def error_document(error: LakegateError) -> dict[str, Any]:
    """QueryResults.error: message, code, name, type, location and a failure without a stack."""
    trino = trino_error_of(error)
    failure: dict[str, Any] = {
        "type": "io.trino.sql.parser.ParsingException"
        if trino is SYNTAX_ERROR
        else "io.trino.spi.TrinoException",
        "message": error.detail,
        "suppressed": [],
        "stack": [],
    }
    body: dict[str, Any] = {
        "message": error.detail,
        "errorCode": trino.code,
        "errorName": trino.name,
        "errorType": trino.type,
        "failureInfo": failure,
    }
    line, column = error.extra.get("line"), error.extra.get("column")
    if isinstance(line, int) and isinstance(column, int):
        location = {"lineNumber": line, "columnNumber": column}
        body["errorLocation"] = location
        failure["errorLocation"] = location
    return body
