"""The FastAPI dependency that tells who is asking."""

from __future__ import annotations

from fastapi import Request

from auth.identity import DEV_USER_HEADER, AuthenticationFailed, Identity, development_identity
from gateway.errors import ErrorCode, LakegateError


def identify(request: Request) -> Identity:
    gateway = request.app.state.gateway
    if gateway.config.server.dev_mode:
        try:
            return development_identity(request.headers.get(DEV_USER_HEADER))
        except AuthenticationFailed as exc:
            raise LakegateError(ErrorCode.UNAUTHENTICATED, str(exc)) from None
    raise LakegateError(
        ErrorCode.UNAUTHENTICATED,
        "authentication is required and no method is configured on this server",
    )
