"""A small OpenID Connect provider the UI tests start on loopback: discovery, JWKS, an
authorization endpoint that signs in whoever ``next_user`` names (no login page: the tests are
about the gateway's side) and a token endpoint that checks the code, the redirect URI and the PKCE
verifier (S256), then issues an RS256 ID token with the request's nonce."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import RSAKey

KID = "test-provider-1"


def _rsa_key() -> RSAKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return RSAKey.import_key(pem)


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    user: str
    groups: list[str]


@dataclass
class Provider:
    """Holds the provider's state; ``app(issuer)`` serves it once the URL is known."""

    client_id: str = "lakegate-ui"
    next_user: tuple[str, list[str]] = ("ada", ["analysts"])
    key: RSAKey = field(default_factory=_rsa_key)
    grants: dict[str, Grant] = field(default_factory=dict)
    #: what the endpoints saw, for the tests' assertions
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issuer: str = ""

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            return {"keys": [{**self.key.as_dict(private=False), "kid": KID, "use": "sig", "alg": "RS256"}]}

        @app.get("/authorize")
        def authorize(request: Request) -> Any:
            q = dict(request.query_params)
            self.authorize_requests.append(q)
            if q.get("client_id") != self.client_id or q.get("response_type") != "code":
                return JSONResponse({"error": "unauthorized_client"}, status_code=400)
            if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
                return JSONResponse(
                    {"error": "invalid_request", "error_description": "PKCE S256 required"}, 400
                )
            code = secrets.token_urlsafe(24)
            user, groups = self.next_user
            self.grants[code] = Grant(
                q["client_id"], q["redirect_uri"], q["code_challenge"], q.get("nonce"), user, groups
            )
            return RedirectResponse(
                f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", 302
            )

        @app.post("/token")
        async def token(request: Request) -> Any:
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            grant_type, code = form.get("grant_type", ""), form.get("code", "")
            redirect_uri, client_id = form.get("redirect_uri", ""), form.get("client_id", "")
            code_verifier = form.get("code_verifier", "")
            self.token_requests.append(form)
            grant = self.grants.pop(code, None)  # a code is good once
            if grant is None or grant_type != "authorization_code":
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            if grant.redirect_uri != redirect_uri or grant.client_id != client_id:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.challenge:
                return JSONResponse({"error": "invalid_grant", "error_description": "PKCE verifier"}, 400)
            now = int(time.time())
            claims = {
                "iss": self.issuer,
                "aud": client_id,
                "sub": f"sub-{grant.user}",
                "preferred_username": grant.user,
                "groups": grant.groups,
                "iat": now,
                "exp": now + 300,
            }
            if grant.nonce is not None:
                claims["nonce"] = grant.nonce
            id_token = jwt.encode({"alg": "RS256", "kid": KID}, claims, self.key)
            return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "id_token": id_token}

        return app
