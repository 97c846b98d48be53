"""OAuth2 / OIDC bearer JWTs: signature against the issuer's keys, then the claims.

Checks, in order: the algorithm is in the configured allow-list (asymmetric only, so ``none``
and HMAC, including the "HS256 keyed with the public key" confusion, never pass); the key named
by ``kid`` is in the issuer's key set (after at most one rate-limited refresh) and fits the
algorithm; the signature; ``iss`` exactly; ``aud`` contains the configured audience; ``exp``,
``nbf`` and ``iat`` against the clock with a small skew. Keys are never taken from the token
(``jwk``, ``jku`` and ``x5u`` headers are ignored).
"""

from __future__ import annotations

import base64
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from auth.authn import messages
from auth.authn.jwks import KEY_FOR_ALGORITHM, KeyStore, KeysUnavailable
from auth.identity import AuthenticationFailed, Identity

log = logging.getLogger(__name__)
METHOD = "jwt"
DEFAULT_ALGORITHMS = ("RS256", "ES256")
SUPPORTED_ALGORITHMS = frozenset(KEY_FOR_ALGORITHM)
MAX_TOKEN_BYTES = 16 * 1024
_MAX_USER_CHARS = 256


@dataclass(frozen=True)
class JwtSettings:
    issuer: str
    audience: str
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    user_claim: str = "preferred_username"
    groups_claim: str = "groups"
    clock_skew_seconds: float = 60.0

    def __post_init__(self) -> None:
        refused = [alg for alg in self.algorithms if alg not in SUPPORTED_ALGORITHMS]
        if refused or not self.algorithms:
            raise ValueError(
                f"algorithms must be a non-empty list of {', '.join(sorted(SUPPORTED_ALGORITHMS))}: "
                "symmetric (HS*) and 'none' are refused"
            )


class JwtValidator:
    def __init__(self, settings: JwtSettings, keys: KeyStore, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.keys = keys
        self._clock = clock

    def authenticate(self, token: str) -> Identity:
        return self.authenticate_with_claims(token)[0]

    def authenticate_with_claims(self, token: str) -> tuple[Identity, dict[str, Any]]:
        """The identity and the verified claims (an OIDC sign-in checks its nonce among them)."""
        claims = self._verified_claims(token)
        self._check_claims(claims)
        return Identity(self._user(claims), self._groups(claims), METHOD), claims

    def _verified_claims(self, token: str) -> dict[str, Any]:
        """The claims of a token whose signature and issuer are good; otherwise one uniform answer."""
        header = _header(token)
        alg, kid = header.get("alg"), header.get("kid")
        if not isinstance(alg, str) or alg not in self.settings.algorithms:
            raise _invalid("algorithm not allowed")
        if kid is not None and not isinstance(kid, str):
            raise _invalid("kid is not a string")
        try:
            key = self.keys.find(kid, alg)
        except KeysUnavailable as exc:
            log.error("cannot verify bearer tokens: %s", exc)
            raise AuthenticationFailed(messages.KEYS_UNAVAILABLE) from None
        if key is None:
            raise _invalid("no key for this kid and algorithm")
        try:
            claims = jwt.decode(token, key, algorithms=[alg]).claims
        except (JoseError, ValueError):
            raise _invalid("bad signature or payload") from None
        if claims.get("iss") != self.settings.issuer:
            raise _invalid("wrong issuer")
        return claims

    def _check_claims(self, claims: dict[str, Any]) -> None:
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or self.settings.audience not in audiences:
            raise AuthenticationFailed(messages.WRONG_AUDIENCE)
        now, skew = self._clock(), self.settings.clock_skew_seconds
        exp = _time_claim(claims, "exp")
        if exp is None:
            raise _invalid("no exp")
        if now > exp + skew:
            raise AuthenticationFailed(messages.TOKEN_EXPIRED)
        for claim in ("nbf", "iat"):  # not before, and not issued in the future
            moment = _time_claim(claims, claim)
            if moment is not None and now + skew < moment:
                raise AuthenticationFailed(messages.TOKEN_NOT_YET_VALID)

    def _user(self, claims: dict[str, Any]) -> str:
        for claim in (self.settings.user_claim, "sub"):
            value = claims.get(claim)
            if isinstance(value, str) and 0 < len(value) <= _MAX_USER_CHARS and value.isprintable():
                return value
        raise AuthenticationFailed(messages.UNUSABLE_CLAIMS)

    def _groups(self, claims: dict[str, Any]) -> tuple[str, ...]:
        value = claims.get(self.settings.groups_claim)
        if value is None:
            return ()
        if isinstance(value, list) and all(isinstance(g, str) and g.isprintable() for g in value):
            return tuple(value)
        raise AuthenticationFailed(messages.UNUSABLE_GROUPS)


def _header(token: str) -> dict[str, Any]:
    if len(token) > MAX_TOKEN_BYTES:
        raise _invalid("token too large")
    parts = token.split(".")
    if len(parts) != 3:
        raise _invalid("not a compact JWS")
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except ValueError:
        raise _invalid("header is not base64url JSON") from None
    if not isinstance(header, dict):
        raise _invalid("header is not an object")
    return header


def _time_claim(claims: dict[str, Any], name: str) -> float | None:
    """A NumericDate claim, None when absent; anything else is refused."""
    value = claims.get(name)
    if value is None:
        return None
    # json accepts NaN and Infinity: a token "expiring" at either would never expire.
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    raise _invalid(f"{name} is not a number")


def _invalid(reason: str) -> AuthenticationFailed:
    # The reason goes to the debug log only: the client always reads the same message.
    log.debug("bearer token refused: %s", reason)
    return AuthenticationFailed(messages.INVALID_CREDENTIALS)
