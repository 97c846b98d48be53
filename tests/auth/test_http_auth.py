"""End to end over HTTP: a server with JWT, Basic and API tokens (no development mode)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from gateway.app import create_app
from gateway.config import parse_config
from tests.auth.conftest import (
    AUDIENCE,
    ISSUER,
    PASSWORDS,
    RSA_KID,
    IssuedTokens,
    Keys,
    basic_header,
    claims,
    hs256_token,
    jwks_document,
    unsigned_token,
)
from tests.server import LiveServer

JSON = {"Accept": "application/json"}


@dataclass(frozen=True)
class Site:
    url: str
    keys: Keys
    tokens: IssuedTokens

    def jwt(self, **overrides: object) -> str:
        from joserfc import jwt

        token_claims = claims(preferred_username="jo", groups=["analysts"], **overrides)
        return jwt.encode({"alg": "RS256", "kid": RSA_KID}, token_claims, self.keys.rsa, algorithms=["RS256"])


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, keys: Keys, users_file: Path, api_tokens: IssuedTokens
) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("auth-site")
    (root / "jwks.json").write_text(json.dumps(jwks_document(keys)))
    (root / "users.yaml").write_text(users_file.read_text())
    token_entries = [
        {"name": "etl", "user": "svc_etl", "groups": ["etl"], "sha256": api_tokens.good_sha256},
        {"name": "old", "user": "svc_old", "sha256": api_tokens.revoked_sha256, "revoked": True},
    ]
    raw = {
        "server": {"dev_mode": False},
        "auth": {
            "jwt": {"issuer": ISSUER, "audience": AUDIENCE, "jwks_file": "jwks.json"},
            "basic": {"users_file": "users.yaml"},
            "tokens": {"entries": token_entries},
        },
    }
    (root / "lakegate.yaml").write_text(yaml.safe_dump(raw))
    config = parse_config(raw, root / "lakegate.yaml")
    with LiveServer(create_app(config)) as live:
        yield Site(live.url, keys, api_tokens)


@pytest.fixture
def http(site: Site) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, timeout=30) as client:
        yield client


def credentials(site: Site, kind: str) -> tuple[str, str]:
    """(Authorization header, the user it authenticates)."""
    if kind == "basic":
        return basic_header("sam", PASSWORDS["sam"]), "sam"
    if kind == "api-token":
        return f"Bearer {site.tokens.good}", "svc_etl"
    return f"Bearer {site.jwt()}", "jo"


@pytest.mark.parametrize("kind", ["basic", "api-token", "jwt"])
def test_each_credential_kind_runs_a_query_as_its_user(http: httpx.Client, site: Site, kind: str) -> None:
    authorization, user = credentials(site, kind)
    headers = {**JSON, "Authorization": authorization}
    response = http.post("/v1/query", json={"sql": "SELECT 42 AS answer"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == [[42]]
    query_id = response.headers["x-lakegate-query-id"]
    status = http.get(f"/v1/queries/{query_id}", headers=headers)
    assert status.status_code == 200
    assert status.json()["user"] == user
    # someone else cannot see it
    other = credentials(site, "basic" if kind != "basic" else "api-token")[0]
    assert http.get(f"/v1/queries/{query_id}", headers={"Authorization": other}).status_code == 404


def unauthenticated(response: httpx.Response, *secrets: str) -> str:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "Bearer" in response.headers["www-authenticate"]
    body = response.json()
    assert body["code"] == "UNAUTHENTICATED"
    exposed = response.text + json.dumps(dict(response.headers))
    for secret in secrets:
        assert secret not in exposed
    return str(body["detail"])


def test_no_credentials_is_401(http: httpx.Client) -> None:
    detail = unauthenticated(http.post("/v1/query", json={"sql": "SELECT 1"}))
    assert "Authorization" in detail
    # the development header means nothing outside development mode
    response = http.post("/v1/query", json={"sql": "SELECT 1"}, headers={"X-Lakegate-User": "root"})
    unauthenticated(response)
    unauthenticated(http.get("/v1/catalogs"))


def test_bad_credentials_are_401_without_leaking_them(http: httpx.Client, site: Site) -> None:
    now = int(time.time())
    cases = {
        "wrong password": (
            basic_header("sam", "not-sams-password"),
            "not-sams-password",
            "invalid credentials",
        ),
        "unknown user": (basic_header("mallory", PASSWORDS["sam"]), PASSWORDS["sam"], "invalid credentials"),
        "wrong token": (f"Bearer {site.tokens.good}x", site.tokens.good, "invalid credentials"),
        "revoked token": (f"Bearer {site.tokens.revoked}", site.tokens.revoked, "invalid credentials"),
        "expired jwt": (f"Bearer {site.jwt(exp=now - 3600)}", None, "token expired"),
        "future jwt": (f"Bearer {site.jwt(nbf=now + 3600)}", None, "token not yet valid"),
        "other audience": (f"Bearer {site.jwt(aud='grafana')}", None, "token not valid for this service"),
        "wrong issuer": (f"Bearer {site.jwt(iss='https://evil.example')}", None, "invalid credentials"),
        "alg none": (
            f"Bearer {unsigned_token({'alg': 'none', 'kid': RSA_KID}, claims())}",
            None,
            "invalid credentials",
        ),
        "hs256 confusion": (
            f"Bearer {hs256_token(site.keys.public_pem(), claims())}",
            None,
            "invalid credentials",
        ),
    }
    for name, (authorization, secret, expected) in cases.items():
        token = authorization.split(" ", 1)[1]
        response = http.post("/v1/query", json={"sql": "SELECT 1"}, headers={"Authorization": authorization})
        detail = unauthenticated(response, token, *([secret] if secret else []))
        assert detail == expected, name


def test_forged_jwts_look_alike(http: httpx.Client, site: Site) -> None:
    from joserfc import jwt

    def forged(kid: str) -> str:
        return jwt.encode({"alg": "RS256", "kid": kid}, claims(), site.keys.attacker, algorithms=["RS256"])

    answers = []
    for token in (forged(RSA_KID), forged("unknown-kid"), site.jwt(iss="https://evil.example")):
        response = http.get("/v1/catalogs", headers={"Authorization": f"Bearer {token}"})
        answers.append(unauthenticated(response, token))
    assert len(set(answers)) == 1
