"""The web UI's routes: sign-in sessions (``/auth/…``), the pages (``/``, ``/ui/…``), their
assets (``/ui/assets/…``) and the API reference (``/docs``, Swagger UI from the same build)."""

from __future__ import annotations

import html
from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from auth.authn import messages
from auth.identity import AuthenticationFailed, Identity
from catalog.store.backends import Backend, StoreError
from gateway.api.identity import authenticator_of
from gateway.config import LakegateConfig
from gateway.errors import ErrorCode, LakegateError
from gateway.ui import assets, history
from gateway.ui.oidc import FLOW_SECONDS, OidcError, OidcSignIn, build_oidc
from gateway.ui.session_auth import (
    check_csrf,
    check_origin,
    cookie_name,
    is_tls,
    session_id_of,
    session_of,
    session_store,
)
from gateway.ui.sessions import Session, SessionStore

OIDC_STATE_COOKIE = "lakegate_oidc_state"
auth_router = APIRouter(tags=["sign-in"])
pages_router = APIRouter(include_in_schema=False)
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in {
        400: "Invalid request",
        401: "Not signed in, or wrong credentials",
        403: "A cross-site request or a missing CSRF token",
    }.items()
}


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


class SessionOut(BaseModel):
    signed_in: bool
    #: how one may sign in here: "password" (the form), "oidc" (the identity provider)
    methods: list[str]
    #: the rest only when signed in
    user: str | None = None
    groups: list[str] = []
    #: an administrator (policies.admins): the page offers the admin pages (the API decides)
    admin: bool = False
    #: send it back in the X-CSRF-Token header of every state-changing request
    csrf_token: str | None = None
    #: seconds of inactivity that end the session, and its whole lifetime
    idle_timeout_seconds: float
    absolute_timeout_seconds: float


def _store(request: Request) -> SessionStore:
    store = session_store(request)
    if store is None:  # an app assembled without install_ui
        raise LakegateError(ErrorCode.NOT_SUPPORTED, "this server has no web sign-in")
    return store


def unavailable(exc: StoreError) -> LakegateError:
    return LakegateError(ErrorCode.ENGINE_UNAVAILABLE, f"the web UI's session store is unavailable: {exc}")


async def new_session(
    request: Request, store: SessionStore, identity: Identity, method: str
) -> tuple[str, Session]:
    """End the request's old session (a new id at every sign-in: no session fixation) and
    create one (in a worker thread: the state store may be a database over the network)."""

    def replace() -> tuple[str, Session]:
        store.end(session_id_of(request))
        return store.create(identity, method)

    try:
        return await run_in_threadpool(replace)
    except StoreError as exc:
        raise unavailable(exc) from None


def _methods(request: Request) -> list[str]:
    methods = ["password"] if authenticator_of(request.app).basic is not None else []
    if getattr(request.app.state, "ui_oidc", None) is not None:
        methods.append("oidc")
    return methods


def _is_admin(request: Request, identity: Identity) -> bool:
    authorizer = getattr(getattr(request.app.state, "gateway", None), "authorizer", None)
    return bool(authorizer is not None and authorizer.is_admin(identity))


def _session_out(request: Request, store: SessionStore, session: Session) -> SessionOut:
    return SessionOut(
        signed_in=True,
        methods=_methods(request),
        user=session.identity.user,
        groups=list(session.identity.groups),
        admin=_is_admin(request, session.identity),
        csrf_token=session.csrf_token,
        idle_timeout_seconds=store.idle_seconds,
        absolute_timeout_seconds=store.absolute_seconds,
    )


def _set_cookie(request: Request, response: Response, session_id: str, store: SessionStore) -> None:
    response.set_cookie(
        cookie_name(request),
        session_id,
        max_age=int(store.absolute_seconds),
        path="/",
        secure=is_tls(request),
        httponly=True,
        samesite="lax",
    )


def _clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        cookie_name(request), path="/", secure=is_tls(request), httponly=True, samesite="lax"
    )


async def _audit_sign_in(request: Request, identity: Identity | None, error: LakegateError | None) -> None:
    gateway = getattr(request.app.state, "gateway", None)
    if gateway is None:
        return
    await gateway.audit.alog_event(
        action="auth",
        front_door="ui",
        status=error.status if error is not None else 200,
        identity=identity,
        client_address=request.client.host if request.client else None,
        decision="denied" if error is not None else "allowed",
        error_code=error.code.value if error is not None else None,
    )


@auth_router.post(
    "/auth/sign-in",
    summary="Sign in to the web UI with a user name and password (sets the session cookie)",
    response_model=SessionOut,
    responses=_PROBLEMS,
)
async def sign_in(request: Request, response: Response, body: Annotated[SignIn, Body()]) -> SessionOut:
    """The users file's credentials create a server-side session; the answer's cookie is
    HttpOnly, SameSite=Lax and, over TLS, Secure. Only JSON is accepted, so a cross-site form
    cannot sign a browser in as someone else."""
    check_origin(request)
    store = _store(request)
    basic = authenticator_of(request.app).basic
    try:
        if basic is None:
            raise AuthenticationFailed(messages.BASIC_DISABLED)
        identity = await run_in_threadpool(basic.authenticate, body.user, body.password)
    except AuthenticationFailed as exc:
        error = LakegateError(ErrorCode.UNAUTHENTICATED, str(exc))
        await _audit_sign_in(request, None, error)
        raise error from None
    session_id, session = await new_session(request, store, identity, "password")
    _set_cookie(request, response, session_id, store)
    await _audit_sign_in(request, identity, None)
    return _session_out(request, store, session)


@auth_router.get(
    "/auth/session",
    summary="The web UI's current session: who is signed in, and the CSRF token",
    response_model=SessionOut,
    response_model_exclude_none=True,
    responses=_PROBLEMS,
)
async def current_session(request: Request) -> SessionOut:
    """``signed_in: false`` (not a 401) without a live session: the page asks before it knows."""
    store = _store(request)
    session = await run_in_threadpool(session_of, request)
    if session is None:
        return SessionOut(
            signed_in=False,
            methods=_methods(request),
            idle_timeout_seconds=store.idle_seconds,
            absolute_timeout_seconds=store.absolute_seconds,
        )
    return _session_out(request, store, session)


@auth_router.post(
    "/auth/sign-out",
    summary="End the web UI's session",
    status_code=204,
    response_class=Response,
    responses=_PROBLEMS,
)
async def sign_out(request: Request) -> Response:
    store = _store(request)
    session = await run_in_threadpool(session_of, request)
    if session is not None:
        check_csrf(request, session)
        try:
            await run_in_threadpool(store.end, session_id_of(request))
        except StoreError as exc:
            raise unavailable(exc) from None
    response = Response(status_code=204)
    _clear_cookie(request, response)
    return response


def _oidc(request: Request) -> OidcSignIn:
    oidc: OidcSignIn | None = getattr(request.app.state, "ui_oidc", None)
    if oidc is None:
        raise LakegateError(ErrorCode.NOT_SUPPORTED, "sign-in with an identity provider is not configured")
    return oidc


def _oidc_failed(message: str) -> HTMLResponse:
    body = (
        "<!doctype html><html lang=en><title>Sign-in failed · Lakegate</title><main>"
        f"<h1>Sign-in failed</h1><p role=alert>{html.escape(message)}</p>"
        '<p><a href="/">Try again</a></p></main></html>'
    )
    return HTMLResponse(body, status_code=400, headers=assets.PAGE_HEADERS)


@auth_router.get(
    "/auth/oidc/start",
    summary="Sign in with the identity provider (authorization code with PKCE): redirects there",
    status_code=303,
    response_class=RedirectResponse,
    responses=_PROBLEMS,
)
async def oidc_start(
    request: Request, next: Annotated[str, Query(max_length=2048, description="the page to return to")] = "/"
) -> RedirectResponse:
    oidc = _oidc(request)
    settings = request.app.state.gateway.config.server.ui.oidc
    redirect_uri = settings.redirect_url or str(request.url_for("oidc_callback"))
    try:
        url, state = await run_in_threadpool(oidc.start, redirect_uri, next)
    except OidcError as exc:
        raise LakegateError(
            ErrorCode.ENGINE_UNAVAILABLE, f"sign-in with the identity provider: {exc}"
        ) from None
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        OIDC_STATE_COOKIE,
        state,
        max_age=int(FLOW_SECONDS),
        path="/auth/oidc",
        secure=is_tls(request),
        httponly=True,
        samesite="lax",  # the issuer's redirect back is a top-level navigation: Lax cookies come
    )
    return response


@auth_router.get("/auth/oidc/callback", include_in_schema=False, name="oidc_callback")
async def oidc_callback(
    request: Request,
    state: Annotated[str | None, Query(max_length=512)] = None,
    code: Annotated[str | None, Query(max_length=4096)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
) -> Response:
    oidc = _oidc(request)
    if error is not None:
        return _oidc_failed(f"the identity provider refused the sign-in ({error})")
    try:
        identity, next_path = await run_in_threadpool(
            oidc.finish, state, request.cookies.get(OIDC_STATE_COOKIE), code
        )
    except OidcError as exc:
        await _audit_sign_in(request, None, LakegateError(ErrorCode.UNAUTHENTICATED, str(exc)))
        return _oidc_failed(str(exc))
    store = _store(request)
    session_id, _ = await new_session(request, store, identity, "oidc")
    response = RedirectResponse(next_path, status_code=303)
    _set_cookie(request, response, session_id, store)
    response.delete_cookie(OIDC_STATE_COOKIE, path="/auth/oidc", secure=is_tls(request), httponly=True)
    await _audit_sign_in(request, identity, None)
    return response


def _page(html: str | None) -> HTMLResponse:
    if html is None:
        return HTMLResponse(assets.NOT_BUILT, status_code=503, headers=assets.PAGE_HEADERS)
    return HTMLResponse(html, headers=assets.PAGE_HEADERS)


@pages_router.get("/")
async def home() -> HTMLResponse:
    return _page(assets.index_html())


@pages_router.get("/ui")
@pages_router.get("/ui/{path:path}")
async def ui_page(path: str = "") -> HTMLResponse:
    """Every /ui/… address is a page of the single-page app (a deep link)."""
    return _page(assets.index_html())


@pages_router.get("/docs")
async def docs() -> HTMLResponse:
    return _page(assets.DOCS_PAGE if assets.built() else None)


def install_ui(app: FastAPI, config: LakegateConfig, state: Backend) -> None:
    """Add the sign-in routes, the pages and their assets to ``app``; sessions live in the
    ``state`` store (a connection of their own to the catalog's database)."""
    ui = config.server.ui
    app.state.ui_sessions = SessionStore(
        state,
        idle_seconds=ui.session_idle_minutes * 60,
        absolute_seconds=ui.session_absolute_hours * 3600,
        max_sessions=ui.max_sessions,
        cache_seconds=ui.session_cache_seconds,
    )
    jwt = authenticator_of(app).jwt
    app.state.ui_oidc = build_oidc(config, jwt.keys if jwt is not None else None)
    from gateway.ui import token_sign_in  # it uses this module's cookie helpers

    app.include_router(auth_router)
    app.include_router(token_sign_in.router)
    app.include_router(history.router)
    # the assets first: /ui/{path} would answer every one of them with the page
    if assets.DIST.is_dir():
        app.mount("/ui/assets", StaticFiles(directory=assets.DIST), name="ui-assets")
    app.include_router(pages_router)
