"""Who is asking: the FastAPI dependency, and the same check for other front doors.

The :class:`~auth.authn.Authenticator` is built once per app from the config
(:func:`build_authenticator`, called by ``create_app``) and kept on ``app.state.authenticator``.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from auth.authn import (
    ApiToken,
    ApiTokens,
    Authenticator,
    BasicAuthenticator,
    JwksFile,
    JwtSettings,
    JwtValidator,
    KeyStore,
    KeysUnavailable,
    OidcDiscovery,
    load_tokens,
    load_users,
)
from auth.authn.authenticator import AUTHORIZATION
from auth.authn.jwks import JwksSource, parse_jwks
from auth.identity import DEV_USER_HEADER, AuthenticationFailed, Identity
from gateway.config import ApiTokensAuth, ConfigError, JwtAuth, LakegateConfig
from gateway.errors import ErrorCode, LakegateError
from gateway.ui.session_auth import session_id_of, session_identity


async def identify(request: Request) -> Identity:
    """The FastAPI dependency every endpoint uses. What blocks on nothing (development mode's
    user header, Basic credentials verified moments ago) is decided on the event loop; anything
    else (a password hash, a key fetch, a session, every refusal) in a worker thread, so it never
    blocks the loop. A refused sign-in is audited (as user "unknown": what was typed as a user
    name may be a password). Without an Authorization header, the web UI's session cookie
    identifies the caller (CSRF-checked)."""
    identity = _identify_at_once(request)
    if identity is None:
        identity = await run_in_threadpool(_identify, request)
    request.state.user = identity.user  # for the request's log line
    return identity


def _identify_at_once(request: Request) -> Identity | None:
    authorization = request.headers.get(AUTHORIZATION)
    if authorization is None and session_id_of(request) is not None:
        return None  # a browser session: looked up and CSRF-checked by _identify
    return authenticator_of(request.app).authenticate_at_once(
        authorization, request.headers.get(DEV_USER_HEADER)
    )


def _identify(request: Request) -> Identity:
    """Blocking: call it from a worker thread."""
    try:
        return session_identity(request) or authenticate_headers(request.headers, request.app)
    except LakegateError as exc:
        audit_refused_sign_in(request, exc, "native")
        raise


def audit_refused_sign_in(request: HTTPConnection, error: LakegateError, front_door: str) -> None:
    """Audit a refused sign-in, as user "unknown" (a typed user name may be a password). Blocks."""
    audit = getattr(getattr(request.app.state, "gateway", None), "audit", None)
    if audit is not None:
        audit.log_event(
            action="auth",
            front_door=front_door,
            status=error.status,
            client_address=request.client.host if request.client else None,
            decision="denied",
            error_code=error.code.value,
        )


def authenticate_headers(
    headers: Mapping[str, str], app: Starlette, *, dev_user_header: str = DEV_USER_HEADER
) -> Identity:
    """Authenticate a request from its headers, or raise LakegateError(UNAUTHENTICATED) (a 401).

    ``dev_user_header`` names the header that carries the user in development mode (the Trino
    front door passes ``X-Trino-User``). This blocks (password hashing, key fetching): call it
    from a worker thread, e.g. a sync dependency or ``run_in_threadpool``.
    """
    try:
        return authenticator_of(app).authenticate_headers(headers, dev_user_header)
    except AuthenticationFailed as exc:
        raise LakegateError(ErrorCode.UNAUTHENTICATED, str(exc)) from None


def authenticator_of(app: Starlette) -> Authenticator:
    authenticator: Authenticator | None = getattr(app.state, "authenticator", None)
    if authenticator is None:  # an app assembled without create_app
        authenticator = app.state.authenticator = build_authenticator(app.state.gateway.config)
    return authenticator


def build_authenticator(config: LakegateConfig) -> Authenticator:
    """The authenticator the config describes; ConfigError when a users, tokens or JWKS file is bad."""
    auth = config.auth
    basic = None
    if auth.basic is not None:
        try:
            users = load_users(config.resolve_path(auth.basic.users_file))
        except ValueError as exc:
            raise ConfigError(f"auth.basic.users_file: {exc}") from None
        basic = BasicAuthenticator(users, cache_seconds=auth.basic.cache_seconds)
    tokens = _api_tokens(config, auth.tokens) if auth.tokens is not None else None
    jwt = _jwt_validator(config, auth.jwt) if auth.jwt is not None else None
    return Authenticator(jwt=jwt, basic=basic, tokens=tokens, dev_mode=config.server.dev_mode)


def _api_tokens(config: LakegateConfig, settings: ApiTokensAuth) -> ApiTokens:
    entries = [ApiToken(e.name, e.user, e.sha256, tuple(e.groups), e.revoked) for e in settings.entries]
    try:
        if settings.file is not None:
            entries += load_tokens(config.resolve_path(settings.file))
        return ApiTokens(entries)
    except ValueError as exc:
        raise ConfigError(f"auth.tokens: {exc}") from None


def _jwt_validator(config: LakegateConfig, settings: JwtAuth) -> JwtValidator:
    source: JwksSource
    if settings.jwks_file is not None:
        source = JwksFile(config.resolve_path(settings.jwks_file))
        try:  # a local key set is checked at start-up; an issuer's is fetched on first use
            if not parse_jwks(source.fetch()).keys:
                raise KeysUnavailable("it holds no usable public signature key")
        except KeysUnavailable as exc:
            raise ConfigError(f"auth.jwt.jwks_file: {exc}") from None
    else:
        assert settings.discovery_url is not None
        source = OidcDiscovery(settings.discovery_url, settings.issuer)
    keys = KeyStore(
        source,
        cache_seconds=settings.jwks_cache_seconds,
        refresh_interval=settings.jwks_refresh_interval_seconds,
    )
    jwt_settings = JwtSettings(
        issuer=settings.issuer,
        audience=settings.audience,
        algorithms=tuple(settings.algorithms),
        user_claim=settings.user_claim,
        groups_claim=settings.groups_claim,
        clock_skew_seconds=settings.clock_skew_seconds,
    )
    return JwtValidator(jwt_settings, keys)
