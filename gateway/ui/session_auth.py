"""A request's sign-in session: the cookie, and the CSRF and origin checks its requests pass.

A request that carries an ``Authorization`` header never uses the cookie (scripts keep using
Basic, bearer JWTs and API tokens). A request that uses the cookie and may change state (any
method but GET, HEAD and OPTIONS) must carry the session's CSRF token in ``X-CSRF-Token`` and,
when the browser sends ``Origin``, come from the gateway's own origin.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection, Request

from auth.identity import Identity
from gateway.errors import ErrorCode, LakegateError
from gateway.ui.sessions import Session, SessionStore

COOKIE = "lakegate_session"
#: over TLS: the __Host- prefix makes browsers insist on Secure, Path=/ and no Domain
SECURE_COOKIE = "__Host-lakegate_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_tls(request: HTTPConnection) -> bool:
    # the scope's scheme is what request.url would show, without building the URL per request
    return request.scope.get("scheme", "http") in ("https", "wss")


def cookie_name(request: HTTPConnection) -> str:
    return SECURE_COOKIE if is_tls(request) else COOKIE


def session_store(request: HTTPConnection) -> SessionStore | None:
    store: SessionStore | None = getattr(request.app.state, "ui_sessions", None)
    return store


def session_id_of(request: HTTPConnection) -> str | None:
    return request.cookies.get(cookie_name(request))


def session_of(request: HTTPConnection) -> Session | None:
    store = session_store(request)
    return None if store is None else store.get(session_id_of(request))


def check_origin(request: HTTPConnection) -> None:
    """A browser's cross-site request names another origin: refuse it."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin != own:
        raise LakegateError(ErrorCode.CSRF_CHECK_FAILED, "the request comes from another site")


def check_csrf(request: Request, session: Session) -> None:
    if request.method in SAFE_METHODS:
        return
    check_origin(request)
    if not session.csrf_matches(request.headers.get(CSRF_HEADER)):
        raise LakegateError(
            ErrorCode.CSRF_CHECK_FAILED, f"a signed-in page's request must carry the {CSRF_HEADER} header"
        )


def session_identity(request: Request) -> Identity | None:
    """The identity of the request's live session, CSRF-checked; None without one (or with an
    Authorization header, which always wins)."""
    if "authorization" in request.headers:
        return None
    session = session_of(request)
    if session is None:
        return None
    check_csrf(request, session)
    return session.identity
