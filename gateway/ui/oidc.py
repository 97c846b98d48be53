"""Sign-in with the OpenID Connect issuer of ``auth.jwt``: the authorization code flow with PKCE
(S256), built from authlib's OAuth 2 primitives, ending in a server-side session.

``GET /auth/oidc/start`` sends the browser to the issuer with a fresh ``state``, ``nonce`` and
code challenge; the verifier stays on the server, keyed by the state, and a short-lived HttpOnly
cookie binds the flow to this browser (so nobody can finish their own flow in someone else's
browser). ``GET /auth/oidc/callback`` checks the state against both, trades the code and the
verifier for tokens at the issuer's token endpoint, verifies the ID token with the issuer's keys
(signature, issuer, audience = this client, expiry, nonce) and signs the user in. The tokens are
not kept: the session holds only the identity.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from auth.authn.jwks import KeyStore, check_url
from auth.authn.jwt_bearer import JwtSettings, JwtValidator
from auth.identity import AuthenticationFailed, Identity
from gateway.config import ConfigError, LakegateConfig, UiOidc

FLOW_SECONDS = 600.0
MAX_PENDING = 10_000
MAX_DOCUMENT_BYTES = 1 << 20


class OidcError(Exception):
    """The sign-in cannot finish; the message is safe to show."""


@dataclass(frozen=True)
class Pending:
    verifier: str
    nonce: str
    next_path: str
    redirect_uri: str
    started: float


def safe_next(path: str | None) -> str:
    """Only a path on this server: never another host (no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    parts = urlsplit(path)
    return path if not parts.scheme and not parts.netloc else "/"


class OidcSignIn:
    def __init__(
        self,
        settings: UiOidc,
        *,
        issuer: str,
        discovery_url: str,
        client_secret: str | None,
        validator: JwtValidator,
        client: httpx.Client | None = None,
    ) -> None:
        check_url(discovery_url)
        self.settings = settings
        self.issuer = issuer
        self.discovery_url = discovery_url
        self.client_secret = client_secret
        self.validator = validator
        self._client = client or httpx.Client(timeout=10.0, follow_redirects=False)
        self._endpoints: tuple[str, str] | None = None
        self._pending: dict[str, Pending] = {}
        self._lock = threading.Lock()

    # -- the issuer's endpoints ---------------------------------------------------------------
    def endpoints(self) -> tuple[str, str]:
        """(authorization_endpoint, token_endpoint) from the issuer's discovery document."""
        if self._endpoints is None:
            document = self._json(
                self._client.get(self.discovery_url, headers={"Accept": "application/json"})
            )
            if document.get("issuer") != self.issuer:
                raise OidcError("the identity provider's discovery document names another issuer")
            authorize, token = document.get("authorization_endpoint"), document.get("token_endpoint")
            if not isinstance(authorize, str) or not isinstance(token, str):
                raise OidcError("the identity provider publishes no authorization or token endpoint")
            for url in (authorize, token):
                try:
                    check_url(url)
                except ValueError as exc:
                    raise OidcError(f"the identity provider's endpoint {exc}") from None
            self._endpoints = (authorize, token)
        return self._endpoints

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code != 200 or len(response.content) > MAX_DOCUMENT_BYTES:
            raise OidcError(f"the identity provider answered HTTP {response.status_code}")
        try:
            document = response.json()
        except ValueError:
            raise OidcError("the identity provider did not answer JSON") from None
        if not isinstance(document, dict):
            raise OidcError("the identity provider did not answer a JSON object")
        return document

    # -- the flow -------------------------------------------------------------------------------
    def start(self, redirect_uri: str, next_path: str) -> tuple[str, str]:
        """(the issuer's URL to send the browser to, the state that binds the flow)."""
        authorize, _ = self.endpoints()
        state = generate_token(43)
        pending = Pending(
            generate_token(64), generate_token(32), safe_next(next_path), redirect_uri, time.monotonic()
        )
        with self._lock:
            self._expire()
            if len(self._pending) >= MAX_PENDING:
                raise OidcError("too many sign-ins under way; try again shortly")
            self._pending[state] = pending
        url = prepare_grant_uri(
            authorize,
            self.settings.client_id,
            "code",
            redirect_uri=redirect_uri,
            scope=" ".join(self.settings.scopes),
            state=state,
            nonce=pending.nonce,
            code_challenge=create_s256_code_challenge(pending.verifier),
            code_challenge_method="S256",
        )
        return url, state

    def finish(self, state: str | None, bound_state: str | None, code: str | None) -> tuple[Identity, str]:
        """The signed-in identity and the page to return to. Blocks (HTTP to the issuer)."""
        if not state or not bound_state or not secrets.compare_digest(state, bound_state):
            raise OidcError("this sign-in was not started in this browser; start again")
        with self._lock:
            self._expire()
            pending = self._pending.pop(state, None)  # a state is good for one try
        if pending is None:
            raise OidcError("this sign-in has expired or was already used; start again")
        if not code:
            raise OidcError("the identity provider sent no authorization code")
        _, token_url = self.endpoints()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "client_id": self.settings.client_id,
            "code_verifier": pending.verifier,
        }
        headers = {"Accept": "application/json"}
        try:
            if self.client_secret:  # a confidential client authenticates (client_secret_basic)
                secret = (self.settings.client_id, self.client_secret)
                response = self._client.post(token_url, data=form, auth=secret, headers=headers)
            else:  # a public client: PKCE alone
                response = self._client.post(token_url, data=form, headers=headers)
        except httpx.HTTPError as exc:
            raise OidcError(f"the identity provider cannot be reached ({type(exc).__name__})") from None
        tokens = self._json(response)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("the identity provider sent no ID token")
        try:
            identity, claims = self.validator.authenticate_with_claims(id_token)
        except AuthenticationFailed as exc:
            raise OidcError(f"the ID token is not acceptable: {exc}") from None
        nonce = claims.get("nonce")
        if not isinstance(nonce, str) or not secrets.compare_digest(nonce, pending.nonce):
            raise OidcError("the ID token was not issued for this sign-in (nonce)")
        return Identity(identity.user, identity.groups, "oidc"), pending.next_path

    def _expire(self) -> None:
        now = time.monotonic()
        for state in [s for s, p in self._pending.items() if now - p.started > FLOW_SECONDS]:
            del self._pending[state]


def build_oidc(config: LakegateConfig, keys: KeyStore | None) -> OidcSignIn | None:
    """The OIDC sign-in the config asks for (``server.ui.oidc``), or None."""
    settings = config.server.ui.oidc
    if settings is None:
        return None
    jwt = config.auth.jwt
    if jwt is None or jwt.discovery_url is None or keys is None:
        raise ConfigError("server.ui.oidc: needs auth.jwt with the issuer's discovery_url")
    secret = None
    if settings.client_secret is not None:
        try:
            secret = config.secret(settings.client_secret).reveal()
        except ValueError as exc:
            raise ConfigError(f"server.ui.oidc.client_secret: {exc}") from None
    validator = JwtValidator(
        JwtSettings(
            issuer=jwt.issuer,
            audience=settings.client_id,  # an ID token is issued for this client
            algorithms=tuple(jwt.algorithms),
            user_claim=jwt.user_claim,
            groups_claim=jwt.groups_claim,
            clock_skew_seconds=jwt.clock_skew_seconds,
        ),
        keys,
    )
    return OidcSignIn(
        settings,
        issuer=jwt.issuer,
        discovery_url=jwt.discovery_url,
        client_secret=secret,
        validator=validator,
    )
