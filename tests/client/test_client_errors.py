"""Server errors become typed PEP 249 exceptions, without leaking credentials."""

from __future__ import annotations

import base64
import pickle
import traceback

import httpx
import pytest
from client_fakes import FakeGateway, problem_response

import lakegate
from lakegate.errors import error_for_code, error_from_problem

CODES = [
    ("SQL_SYNTAX_ERROR", 400, lakegate.ProgrammingError),
    ("MULTIPLE_STATEMENTS", 400, lakegate.ProgrammingError),
    ("STATEMENT_NOT_ALLOWED", 400, lakegate.ProgrammingError),
    ("FUNCTION_NOT_ALLOWED", 400, lakegate.ProgrammingError),
    ("NOT_SUPPORTED", 400, lakegate.NotSupportedError),
    ("CATALOG_NOT_FOUND", 404, lakegate.ProgrammingError),
    ("SCHEMA_NOT_FOUND", 404, lakegate.ProgrammingError),
    ("TABLE_NOT_FOUND", 404, lakegate.ProgrammingError),
    ("COLUMN_NOT_FOUND", 400, lakegate.ProgrammingError),
    ("QUERY_TOO_LARGE", 413, lakegate.ProgrammingError),
    ("QUERY_TOO_COMPLEX", 400, lakegate.ProgrammingError),
    ("INVALID_REQUEST", 422, lakegate.ProgrammingError),
    ("UNSUPPORTED_DIALECT", 400, lakegate.ProgrammingError),
    ("CROSS_ENGINE_QUERY", 400, lakegate.ProgrammingError),
    ("ENGINE_DATA_ERROR", 400, lakegate.DataError),
    ("QUERY_TIMEOUT", 504, lakegate.QueryTimeoutError),
    ("QUERY_CANCELED", 499, lakegate.QueryCanceledError),
    ("RESULT_TOO_LARGE", 413, lakegate.ResultTooLargeError),
    ("TOO_MANY_QUERIES", 429, lakegate.TooManyQueriesError),
    ("ENGINE_UNAVAILABLE", 503, lakegate.OperationalError),
    ("SERVER_SHUTTING_DOWN", 503, lakegate.OperationalError),
    ("AUDIT_UNAVAILABLE", 503, lakegate.OperationalError),
    ("ENTITY_NOT_FOUND", 404, lakegate.ProgrammingError),
    ("QUERY_NOT_FOUND", 404, lakegate.OperationalError),
    ("UNAUTHENTICATED", 401, lakegate.AuthenticationError),
    ("ACCESS_DENIED", 403, lakegate.PermissionDeniedError),
    ("INTERNAL_ERROR", 500, lakegate.InternalError),
    ("ENGINE_USER_ERROR", 400, lakegate.ProgrammingError),
    ("ENGINE_ERROR", 502, lakegate.OperationalError),
    ("NOT_ACCEPTABLE", 406, lakegate.InterfaceError),
]


@pytest.mark.parametrize(("code", "status", "cls"), CODES)
def test_problem_codes_map_to_exception_classes(
    gateway: FakeGateway, code: str, status: int, cls: type[lakegate.Error]
) -> None:
    gateway.on_query(lambda _r: problem_response(status, code, f"detail of {code}", query_id="q-5"))
    cur = gateway.connect().cursor()
    with pytest.raises(cls) as info:
        cur.execute("SELECT 1")
    error = info.value
    assert type(error) is cls
    assert error.code == code
    assert error.status == status
    assert error.detail == f"detail of {code}"
    assert error.query_id == "q-5"
    assert error.title == "Error"
    assert str(error) == f"[{code}] detail of {code} (query q-5)"
    assert cur.description is None


def test_families() -> None:
    assert issubclass(lakegate.QueryTimeoutError, lakegate.OperationalError)
    assert issubclass(lakegate.QueryCanceledError, lakegate.OperationalError)
    assert issubclass(lakegate.ResultTooLargeError, lakegate.OperationalError)
    assert issubclass(lakegate.TooManyQueriesError, lakegate.OperationalError)
    assert issubclass(lakegate.DataError, lakegate.DatabaseError)
    assert issubclass(lakegate.InternalError, lakegate.DatabaseError)


def test_unknown_code_is_a_database_error(gateway: FakeGateway) -> None:
    gateway.on_query(lambda _r: problem_response(418, "BRAND_NEW_CODE", "new"))
    with pytest.raises(lakegate.DatabaseError) as info:
        gateway.connect().cursor().execute("SELECT 1")
    assert type(info.value) is lakegate.DatabaseError
    assert info.value.code == "BRAND_NEW_CODE"


def test_query_id_from_the_header(gateway: FakeGateway) -> None:
    def respond(_request: httpx.Request) -> httpx.Response:
        response = problem_response(400, "SQL_SYNTAX_ERROR", "bad")
        response.headers["X-Lakegate-Query-Id"] = "q-head"
        return response

    gateway.on_query(respond)
    with pytest.raises(lakegate.ProgrammingError) as info:
        gateway.connect().cursor().execute("SELEC 1")
    assert info.value.query_id == "q-head"


def test_non_problem_proxy_error(gateway: FakeGateway) -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>"
    gateway.on_query(lambda _r: httpx.Response(502, headers={"Content-Type": "text/html"}, text=page))
    with pytest.raises(lakegate.OperationalError) as info:
        gateway.connect().cursor().execute("SELECT 1")
    error = info.value
    assert type(error) is lakegate.OperationalError
    assert error.status == 502
    assert error.code is None
    assert "502 Bad Gateway" in str(error)
    assert "<h1>" not in str(error)


def test_non_problem_401_and_403(gateway: FakeGateway) -> None:
    gateway.on_query(lambda _r: httpx.Response(401, text="go away"))
    conn = gateway.connect()
    with pytest.raises(lakegate.AuthenticationError) as info:
        conn.cursor().execute("SELECT 1")
    assert info.value.status == 401
    gateway.on_query(lambda _r: httpx.Response(403, text="forbidden"))
    with pytest.raises(lakegate.PermissionDeniedError):
        conn.cursor().execute("SELECT 1")


def test_plain_json_error_without_code(gateway: FakeGateway) -> None:
    gateway.on_query(lambda _r: httpx.Response(500, json={"detail": "Internal Server Error"}))
    with pytest.raises(lakegate.OperationalError) as info:
        gateway.connect().cursor().execute("SELECT 1")
    assert info.value.status == 500


def test_redirect_is_an_error(gateway: FakeGateway) -> None:
    gateway.on_query(lambda _r: httpx.Response(301, headers={"Location": "https://lakegate.test/v1/query"}))
    with pytest.raises(lakegate.OperationalError, match="redirected"):
        gateway.connect().cursor().execute("SELECT 1")


def test_network_errors(gateway: FakeGateway) -> None:
    def refuse(_request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    def slow(_request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out")

    gateway.on_query(refuse)
    with pytest.raises(lakegate.OperationalError, match="Connection refused"):
        gateway.connect().cursor().execute("SELECT 1")
    gateway.on_query(slow)
    with pytest.raises(lakegate.OperationalError, match="timed out"):
        gateway.connect().cursor().execute("SELECT 1")


def test_errors_pickle() -> None:
    error = lakegate.QueryTimeoutError("slow", code="QUERY_TIMEOUT", status=504, query_id="q", extra={"a": 1})
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is lakegate.QueryTimeoutError
    assert (copy.detail, copy.code, copy.status, copy.query_id) == ("slow", "QUERY_TIMEOUT", 504, "q")
    assert copy.extra == {"a": 1}
    assert "QUERY_TIMEOUT" in repr(copy)


def test_extra_problem_members_are_kept() -> None:
    error = error_from_problem(
        {"code": "SQL_SYNTAX_ERROR", "status": 400, "detail": "bad", "line": 1, "column": 8, "title": "x"}
    )
    assert isinstance(error, lakegate.ProgrammingError)
    assert error.extra == {"line": 1, "column": 8}


def test_error_from_problem_fallbacks() -> None:
    error = error_from_problem({"title": "Nope"}, status=403)
    assert isinstance(error, lakegate.PermissionDeniedError)
    assert error.detail == "Nope"
    assert error.status == 403
    assert error_for_code(None, 401) is lakegate.AuthenticationError
    assert error_for_code(None, 500) is lakegate.DatabaseError


# -- credentials never leak -----------------------------------------------------------------------

PASSWORD = "pa55-W0rd-xyz"
TOKEN = "tok-SECRET-4711"


def _everything_printed(error: BaseException) -> str:
    return "\n".join(
        [
            str(error),
            repr(error),
            repr(error.args),
            "".join(traceback.format_exception(error)),
        ]
    )


def _echo_401(request: httpx.Request) -> httpx.Response:
    # A badly behaved server or proxy that echoes the request's credentials back.
    authorization = request.headers.get("Authorization", "")
    return problem_response(
        401,
        "UNAUTHENTICATED",
        f"invalid credentials: {authorization!r}",
        title=f"Unauthorized {authorization}",
    )


@pytest.mark.parametrize(
    ("kwargs", "secrets"),
    [
        (
            {"user": "alice", "password": PASSWORD},
            [PASSWORD, base64.b64encode(f"alice:{PASSWORD}".encode()).decode()],
        ),
        ({"token": TOKEN}, [TOKEN]),
    ],
)
def test_401_does_not_echo_credentials(
    gateway: FakeGateway, kwargs: dict[str, str], secrets: list[str]
) -> None:
    gateway.on_query(_echo_401)
    conn = gateway.connect(**kwargs)
    with pytest.raises(lakegate.AuthenticationError) as info:
        conn.cursor().execute("SELECT 1")
    error = info.value
    assert error.code == "UNAUTHENTICATED"
    assert error.status == 401
    assert isinstance(error, lakegate.OperationalError)
    printed = _everything_printed(error) + repr(conn) + repr(conn._session) + repr(conn._session.credentials)
    for secret in secrets:
        assert secret not in printed
    assert "Authorization" not in repr(conn)
    assert "***" in error.detail


def test_html_401_does_not_echo_credentials(gateway: FakeGateway) -> None:
    gateway.on_query(
        lambda r: httpx.Response(401, text=f"<p>bad header {r.headers['Authorization']}</p>", headers={})
    )
    with pytest.raises(lakegate.AuthenticationError) as info:
        gateway.connect(token=TOKEN).cursor().execute("SELECT 1")
    assert TOKEN not in _everything_printed(info.value)


def test_connection_errors_do_not_echo_credentials(gateway: FakeGateway) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused with {request.headers['Authorization']}")

    gateway.on_query(refuse)
    with pytest.raises(lakegate.OperationalError) as info:
        gateway.connect(user="u", password=PASSWORD).cursor().execute("SELECT 1")
    printed = _everything_printed(info.value)
    assert PASSWORD not in printed
    assert base64.b64encode(f"u:{PASSWORD}".encode()).decode() not in printed


def test_url_credentials_do_not_appear_in_messages(gateway: FakeGateway) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}")

    gateway.on_query(refuse)
    conn = lakegate.connect(f"http://alice:{PASSWORD}@lakegate.test:8080", http_client=gateway.client())
    with pytest.raises(lakegate.OperationalError) as info:
        conn.cursor().execute("SELECT 1")
    assert PASSWORD not in _everything_printed(info.value)
    assert PASSWORD not in repr(conn)
    assert conn.url == "http://lakegate.test:8080"


def test_invalid_url_does_not_echo_it() -> None:
    with pytest.raises(lakegate.InterfaceError) as info:
        lakegate.connect(f"gopher://alice:{PASSWORD}@host")
    assert PASSWORD not in _everything_printed(info.value)
