"""Who is asking, for the Trino front door: the one function every Trino route calls.

Authentication is the gateway's (``gateway.api.identity.authenticate_headers``): Basic, Bearer
(JWT or API token), or in development mode the user named in ``X-Trino-User``. Trino requires
a user: without credentials and without that header the answer is Trino's 401. With
credentials, ``X-Trino-User`` may only repeat the authenticated user (no impersonation).
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from auth.identity import Identity
from gateway.api.identity import audit_refused_sign_in, authenticate_headers, authenticator_of
from gateway.errors import LakegateError
from gateway.frontdoors.trino.headers import USER, Protocol


class Unauthenticated(Exception):
    """No usable identity: answered 401 with the message as plain text."""


class Forbidden(Exception):
    """Authenticated, but asking to act as someone else: answered 403."""


async def identify(request: Request, protocol: Protocol) -> Identity:
    header = protocol.header(USER)
    user = request.headers.get(header)
    has_credentials = "authorization" in request.headers
    if not user and not has_credentials:
        raise Unauthenticated(f"Basic authentication or {header} must be sent")
    try:
        if has_credentials:  # password hashing and key fetching block: off the event loop
            at_once = authenticator_of(request.app).authenticate_at_once(request.headers["authorization"])
            if at_once is not None:  # credentials verified moments ago
                identity = at_once
            else:
                identity = await run_in_threadpool(
                    authenticate_headers, request.headers, request.app, dev_user_header=header
                )
        else:
            identity = authenticate_headers(request.headers, request.app, dev_user_header=header)
    except LakegateError as exc:
        await run_in_threadpool(audit_refused_sign_in, request, exc, "trino")
        raise Unauthenticated(exc.detail) from None
    if has_credentials and user and user != identity.user:
        raise Forbidden(f"User {identity.user} cannot impersonate user {user}")
    request.state.user = identity.user  # for the request's log line
    return identity
