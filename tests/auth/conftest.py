"""Keys, a JWKS file, token minting, a users file and API tokens for the authentication tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwt
from joserfc.jwk import ECKey, Key, RSAKey

from auth.authn.api_tokens import new_token
from auth.authn.hashing import hash_password

ISSUER = "https://idp.example.test/realms/lakegate"
AUDIENCE = "lakegate"
RSA_KID = "rsa-1"
EC_KID = "ec-1"
PASSWORDS = {"ada": "correct horse battery staple", "sam": "s3cret-sam"}


def _pem(private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass(frozen=True)
class Keys:
    rsa: RSAKey
    ec: ECKey
    attacker: RSAKey  # not in the JWKS

    def public_pem(self) -> bytes:
        return self.rsa.as_pem(private=False)


@pytest.fixture(scope="session")
def keys() -> Keys:
    def rsa_key() -> RSAKey:
        return RSAKey.import_key(_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)))

    ec_key = ECKey.import_key(_pem(ec.generate_private_key(ec.SECP256R1())))
    return Keys(rsa_key(), ec_key, rsa_key())


def public_jwk(key: Key, kid: str, alg: str) -> dict[str, Any]:
    return {**key.as_dict(private=False), "kid": kid, "use": "sig", "alg": alg}


def jwks_document(keys: Keys) -> dict[str, Any]:
    return {"keys": [public_jwk(keys.rsa, RSA_KID, "RS256"), public_jwk(keys.ec, EC_KID, "ES256")]}


@pytest.fixture
def jwks_file(tmp_path: Path, keys: Keys) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks_document(keys)))
    return path


def claims(**overrides: Any) -> dict[str, Any]:
    """Good claims for ada, valid now for five minutes; override or drop (value None) any of them."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "3f1c9a7e-ada",
        "preferred_username": "ada",
        "groups": ["analysts", "emea"],
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


Mint = Callable[..., str]


@pytest.fixture
def mint(keys: Keys) -> Mint:
    """mint(claims=None, key=None, alg="RS256", kid=RSA_KID, **header) -> a signed JWT."""

    def _mint(
        token_claims: dict[str, Any] | None = None,
        key: Key | None = None,
        alg: str = "RS256",
        kid: str | None = RSA_KID,
        **header: Any,
    ) -> str:
        signing_key = key if key is not None else (keys.ec if alg.startswith("ES") else keys.rsa)
        full_header = {"alg": alg, **({"kid": kid} if kid is not None else {}), **header}
        return jwt.encode(full_header, token_claims or claims(), signing_key, algorithms=[alg])

    return _mint


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(header: dict[str, Any], token_claims: dict[str, Any]) -> str:
    """``alg: none``: no signature at all."""
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(token_claims).encode())}."


def hs256_token(secret: bytes, token_claims: dict[str, Any], kid: str = RSA_KID) -> str:
    """HS256 keyed with ``secret``: the classic attack keys it with the RSA public key's PEM."""
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(token_claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


@pytest.fixture(scope="session")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.yaml"
    users = {
        "ada": {"password_hash": hash_password(PASSWORDS["ada"]), "groups": ["analysts"]},
        "sam": {"password_hash": hash_password(PASSWORDS["sam"]), "groups": ["support", "emea"]},
    }
    path.write_text(yaml.safe_dump({"users": users}))
    return path


@dataclass(frozen=True)
class IssuedTokens:
    good: str
    good_sha256: str
    revoked: str
    revoked_sha256: str


@pytest.fixture(scope="session")
def api_tokens() -> IssuedTokens:
    good, good_hash = new_token()
    revoked, revoked_hash = new_token()
    return IssuedTokens(good, good_hash, revoked, revoked_hash)


def basic_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
