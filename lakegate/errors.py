"""PEP 249 exception hierarchy and the mapping from the server's stable error codes.

Every error the server reports is an RFC 9457 problem object with a stable ``code``;
:func:`error_from_problem` turns it into the matching exception class, keeping the
server's ``code``, ``status``, ``detail`` and ``query_id`` as attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "AuthenticationError",
    "DataError",
    "DatabaseError",
    "Error",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "PermissionDeniedError",
    "ProgrammingError",
    "QueryCanceledError",
    "QueryTimeoutError",
    "ResultTooLargeError",
    "TooManyQueriesError",
    "Warning",
    "error_for_code",
    "error_from_problem",
]


class Warning(Exception):  # the name is mandated by PEP 249
    """Important warnings (PEP 249). The client does not currently raise it."""


class Error(Exception):
    """Base class of every error raised by the client (PEP 249).

    Attributes:
        code: the server's stable error code (e.g. ``"TABLE_NOT_FOUND"``), or ``None``
            for errors detected by the client itself.
        status: the HTTP status of the response that carried the error, if any.
        detail: a human-readable explanation.
        title: the problem's short title, if the server sent one.
        query_id: the server-side id of the query the error belongs to, if known.
        extra: any further members of the problem object (e.g. ``line`` and ``column`` of a
            syntax error).
    """

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status: int | None = None,
        query_id: str | None = None,
        title: str | None = None,
        type: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.status = status
        self.query_id = query_id
        self.title = title
        self.type = type
        self.extra: dict[str, Any] = dict(extra or {})

    def __str__(self) -> str:
        text = self.detail
        if self.code:
            text = f"[{self.code}] {text}"
        if self.query_id:
            text = f"{text} (query {self.query_id})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.detail!r}, code={self.code!r}, "
            f"status={self.status!r}, query_id={self.query_id!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor arguments are not restored by the default pickling.
        return (
            _rebuild_error,
            (
                type(self),
                self.detail,
                self.code,
                self.status,
                self.query_id,
                self.title,
                self.type,
                self.extra,
            ),
        )


def _rebuild_error(
    cls: type[Error],
    detail: str,
    code: str | None,
    status: int | None,
    query_id: str | None,
    title: str | None,
    type_: str | None,
    extra: dict[str, Any],
) -> Error:
    return cls(detail, code=code, status=status, query_id=query_id, title=title, type=type_, extra=extra)


class InterfaceError(Error):
    """Misuse of the client itself (closed cursor, bad argument, unexpected response)."""


class DatabaseError(Error):
    """Errors related to the database (the gateway or the engines behind it)."""


class DataError(DatabaseError):
    """Problems with the processed data: division by zero, bad cast, value out of range."""


class OperationalError(DatabaseError):
    """Errors outside the caller's control: timeouts, cancellation, limits, unavailability."""


class IntegrityError(DatabaseError):
    """Relational integrity violations (never raised by a read-only gateway, PEP 249 only)."""


class InternalError(DatabaseError):
    """The server hit an internal error."""


class ProgrammingError(DatabaseError):
    """Errors in the SQL or in the request: syntax, unknown objects, disallowed statements."""


class NotSupportedError(DatabaseError):
    """A method or feature the gateway does not support (e.g. transactions)."""


class AuthenticationError(OperationalError):
    """The server did not accept the credentials (HTTP 401, ``UNAUTHENTICATED``)."""


class PermissionDeniedError(ProgrammingError):
    """The authenticated user may not do this (HTTP 403, ``ACCESS_DENIED``)."""


class QueryTimeoutError(OperationalError):
    """The query ran longer than the server allows (``QUERY_TIMEOUT``), or longer than the
    connection's own ``timeout`` waits for data (then the client cancels it)."""


class QueryCanceledError(OperationalError):
    """The query was canceled (``QUERY_CANCELED``)."""


class ResultTooLargeError(OperationalError):
    """The result exceeded the server's row or byte limit (``RESULT_TOO_LARGE``)."""


class TooManyQueriesError(OperationalError):
    """The server's concurrency limit for the user was reached (``TOO_MANY_QUERIES``)."""


_CODE_TO_CLASS: dict[str, type[Error]] = {
    # Mistakes in the statement or the request.
    "SQL_SYNTAX_ERROR": ProgrammingError,
    "MULTIPLE_STATEMENTS": ProgrammingError,
    "STATEMENT_NOT_ALLOWED": ProgrammingError,
    "FUNCTION_NOT_ALLOWED": ProgrammingError,
    "NOT_SUPPORTED": NotSupportedError,
    "CATALOG_NOT_FOUND": ProgrammingError,
    "SCHEMA_NOT_FOUND": ProgrammingError,
    "TABLE_NOT_FOUND": ProgrammingError,
    "COLUMN_NOT_FOUND": ProgrammingError,
    "ENTITY_NOT_FOUND": ProgrammingError,
    "QUERY_TOO_LARGE": ProgrammingError,
    "QUERY_TOO_COMPLEX": ProgrammingError,
    "INVALID_REQUEST": ProgrammingError,
    "UNSUPPORTED_DIALECT": ProgrammingError,
    "CROSS_ENGINE_QUERY": ProgrammingError,
    "ENGINE_USER_ERROR": ProgrammingError,
    "INVALID_VIEW": ProgrammingError,
    "ALREADY_EXISTS": ProgrammingError,
    # Bad data met while executing.
    "ENGINE_DATA_ERROR": DataError,
    # Operational conditions.
    "QUERY_TIMEOUT": QueryTimeoutError,
    "QUERY_CANCELED": QueryCanceledError,
    "RESULT_TOO_LARGE": ResultTooLargeError,
    "TOO_MANY_QUERIES": TooManyQueriesError,
    "ENGINE_UNAVAILABLE": OperationalError,
    "SERVER_SHUTTING_DOWN": OperationalError,
    "AUDIT_UNAVAILABLE": OperationalError,
    "QUERY_NOT_FOUND": OperationalError,
    "ENGINE_ERROR": OperationalError,
    # The client asked for a result format the server does not offer.
    "NOT_ACCEPTABLE": InterfaceError,
    # Security.
    "UNAUTHENTICATED": AuthenticationError,
    "ACCESS_DENIED": PermissionDeniedError,
    # Server bugs.
    "INTERNAL_ERROR": InternalError,
}


def error_for_code(code: str | None, status: int | None = None) -> type[Error]:
    """The exception class for a server error code (and, failing that, the HTTP status)."""
    if code is not None and code in _CODE_TO_CLASS:
        return _CODE_TO_CLASS[code]
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDeniedError
    return DatabaseError


_PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "code", "query_id", "instance"})


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def error_from_problem(
    problem: Mapping[str, Any],
    *,
    status: int | None = None,
    query_id: str | None = None,
    redact: Callable[[str], str] | None = None,
) -> Error:
    """Build the typed exception for a problem object.

    ``status`` and ``query_id`` are used when the problem itself lacks them. ``redact`` is an
    optional ``str -> str`` callable applied to every text the server sent, so that a server or
    proxy that echoes credentials cannot leak them into exception messages.
    """

    def clean(text: str | None) -> str | None:
        return redact(text) if (redact is not None and text is not None) else text

    code = _str_or_none(problem.get("code"))
    raw_status = problem.get("status")
    problem_status = raw_status if isinstance(raw_status, int) and not isinstance(raw_status, bool) else None
    status = problem_status if problem_status is not None else status
    title = clean(_str_or_none(problem.get("title")))
    detail = clean(_str_or_none(problem.get("detail"))) or title or "the server reported an error"
    qid = _str_or_none(problem.get("query_id")) or query_id
    cls = error_for_code(code, status)
    extra = {
        key: clean(value) if isinstance(value, str) else value
        for key, value in problem.items()
        if key not in _PROBLEM_MEMBERS
    }
    return cls(
        detail,
        code=code,
        status=status,
        query_id=qid,
        title=title,
        type=clean(_str_or_none(problem.get("type"))),
        extra=extra,
    )
