"""Authentication: who is asking, from a request's Authorization header.

Methods: OAuth2/OIDC bearer JWTs (:mod:`~auth.authn.jwt_bearer`), HTTP Basic against a users
file (:mod:`~auth.authn.basic`), static API tokens (:mod:`~auth.authn.api_tokens`); one
:class:`Authenticator` routes a header to the right one. No FastAPI here: the gateway's front
doors call :meth:`Authenticator.authenticate_headers`.
"""

from auth.authn.api_tokens import ApiToken, ApiTokens, load_tokens, new_token, token_sha256
from auth.authn.authenticator import Authenticator
from auth.authn.basic import BasicAuthenticator, UserRecord, load_users
from auth.authn.hashing import hash_password, verify_password
from auth.authn.jwks import JwksFile, KeyStore, KeysUnavailable, OidcDiscovery
from auth.authn.jwt_bearer import JwtSettings, JwtValidator

__all__ = [
    "ApiToken",
    "ApiTokens",
    "Authenticator",
    "BasicAuthenticator",
    "JwksFile",
    "JwtSettings",
    "JwtValidator",
    "KeyStore",
    "KeysUnavailable",
    "OidcDiscovery",
    "UserRecord",
    "hash_password",
    "load_tokens",
    "load_users",
    "new_token",
    "token_sha256",
    "verify_password",
]
