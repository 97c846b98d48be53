"""One entry point: a request's Authorization header (and, in development mode, the user header)
to an :class:`~auth.identity.Identity`, or :class:`~auth.identity.AuthenticationFailed`.

``Basic`` goes to the users file, ``Bearer lg_...`` to the API tokens, any other ``Bearer`` to
JWT validation. Without an Authorization header only development mode answers (with the user
named in a header, unauthenticated); with one, the credentials must be valid, even in
development mode. Messages come from :mod:`auth.authn.messages` and never echo a credential.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from auth.authn import messages
from auth.authn.api_tokens import TOKEN_PREFIX, ApiTokens
from auth.authn.basic import BasicAuthenticator
from auth.authn.jwt_bearer import JwtValidator
from auth.identity import DEV_USER_HEADER, AuthenticationFailed, Identity, development_identity

AUTHORIZATION = "Authorization"
MAX_HEADER_BYTES = 16 * 1024 + 16


class Authenticator:
    def __init__(
        self,
        *,
        jwt: JwtValidator | None = None,
        basic: BasicAuthenticator | None = None,
        tokens: ApiTokens | None = None,
        dev_mode: bool = False,
    ) -> None:
        self.jwt = jwt
        self.basic = basic
        self.tokens = tokens
        self.dev_mode = dev_mode

    @property
    def methods(self) -> tuple[str, ...]:
        """The enabled methods, for the start-up log."""
        enabled = {"jwt": self.jwt, "basic": self.basic, "api-token": self.tokens}
        return tuple(name for name, method in enabled.items() if method is not None)

    def authenticate_headers(
        self, headers: Mapping[str, str], dev_user_header: str = DEV_USER_HEADER
    ) -> Identity:
        """Authenticate from request headers (names compared case-insensitively)."""
        lowered = {name.lower(): value for name, value in headers.items()}
        return self.authenticate(lowered.get(AUTHORIZATION.lower()), lowered.get(dev_user_header.lower()))

    def authenticate(self, authorization: str | None, dev_user: str | None = None) -> Identity:
        if authorization is None:
            if self.dev_mode:
                return development_identity(dev_user)
            if not self.methods:
                raise AuthenticationFailed(messages.NO_METHOD)
            raise AuthenticationFailed(messages.CREDENTIALS_REQUIRED)
        if len(authorization) > MAX_HEADER_BYTES:
            raise AuthenticationFailed(messages.MALFORMED_HEADER)
        scheme, _, credentials = authorization.strip().partition(" ")
        credentials = credentials.strip()
        if not credentials:
            raise AuthenticationFailed(messages.MALFORMED_HEADER)
        match scheme.lower():
            case "basic":
                return self._basic(credentials)
            case "bearer":
                return self._bearer(credentials)
            case _:
                raise AuthenticationFailed(messages.UNSUPPORTED_SCHEME)

    def authenticate_at_once(self, authorization: str | None, dev_user: str | None = None) -> Identity | None:
        """The identity when deciding it blocks on nothing (development mode's user header, Basic
        credentials verified moments ago), for the event loop; None when :meth:`authenticate`
        must decide (off the loop), including every refusal."""
        try:
            if authorization is None:
                return development_identity(dev_user) if self.dev_mode else None
            if self.basic is None or len(authorization) > MAX_HEADER_BYTES:
                return None
            scheme, _, credentials = authorization.strip().partition(" ")
            if scheme.lower() != "basic":
                return None
            user, colon, password = (
                base64.b64decode(credentials.strip(), validate=True).decode().partition(":")
            )
        except (AuthenticationFailed, binascii.Error, UnicodeDecodeError):
            return None
        if not colon or not user:
            return None
        return self.basic.cached(user, password)

    def _basic(self, credentials: str) -> Identity:
        if self.basic is None:
            raise AuthenticationFailed(messages.BASIC_DISABLED)
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationFailed(messages.MALFORMED_HEADER) from None
        user, colon, password = decoded.partition(":")
        if not colon or not user:
            raise AuthenticationFailed(messages.MALFORMED_HEADER)
        return self.basic.authenticate(user, password)

    def _bearer(self, token: str) -> Identity:
        if token.startswith(TOKEN_PREFIX):
            if self.tokens is None:
                raise AuthenticationFailed(messages.API_TOKENS_DISABLED)
            return self.tokens.authenticate(token)
        if self.jwt is None:
            raise AuthenticationFailed(messages.BEARER_DISABLED)
        return self.jwt.authenticate(token)
