"""GET /auth/token-sign-in?token=…: trade an API token for a web UI session, then open the UI.

What ``lakegate serve PATH…`` prints (gateway/instant.py), as Jupyter prints its token URL: the
local user opens it once and the browser holds a session cookie from then on; the token itself
is not kept in the page. A wrong token is refused like any failed sign-in (audited, 401).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from auth.identity import AuthenticationFailed
from gateway.api.identity import audit_refused_sign_in, authenticator_of
from gateway.errors import ErrorCode, LakegateError
from gateway.ui.routes import _set_cookie, _store, new_session

router = APIRouter(tags=["ui"])


@router.get(
    "/auth/token-sign-in",
    summary="Sign in to the web UI with an API token (the address `lakegate serve PATH…` prints)",
    status_code=303,
    response_class=RedirectResponse,
)
async def token_sign_in(
    request: Request, token: Annotated[str, Query(min_length=1, max_length=256)]
) -> RedirectResponse:
    tokens = authenticator_of(request.app).tokens
    try:
        if tokens is None:
            raise AuthenticationFailed("API tokens are not enabled on this server")
        identity = await run_in_threadpool(tokens.authenticate, token)
    except AuthenticationFailed as exc:
        error = LakegateError(ErrorCode.UNAUTHENTICATED, str(exc))
        await run_in_threadpool(audit_refused_sign_in, request, error, "ui")
        raise error from None
    store = _store(request)
    session_id, _ = await new_session(request, store, identity, "token")
    response = RedirectResponse("/ui/sql", status_code=303)
    _set_cookie(request, response, session_id, store)
    return response
