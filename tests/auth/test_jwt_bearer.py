"""Bearer JWTs: each check, with good and forged tokens; the key set's refresh discipline."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.authn import messages
from auth.authn.jwks import JwksFile, KeyStore, OidcDiscovery, parse_jwks
from auth.authn.jwt_bearer import JwtSettings, JwtValidator
from auth.identity import AuthenticationFailed, Identity
from tests.auth.conftest import (
    AUDIENCE,
    EC_KID,
    ISSUER,
    RSA_KID,
    Keys,
    Mint,
    claims,
    hs256_token,
    jwks_document,
    public_jwk,
    unsigned_token,
)


@pytest.fixture
def validator(jwks_file: Path) -> JwtValidator:
    return JwtValidator(JwtSettings(ISSUER, AUDIENCE), KeyStore(JwksFile(jwks_file)))


def refused(validator: JwtValidator, token: str) -> str:
    with pytest.raises(AuthenticationFailed) as info:
        validator.authenticate(token)
    message = str(info.value)
    assert not token or token not in message
    return message


def test_valid_rs256_and_es256_tokens(validator: JwtValidator, mint: Mint) -> None:
    expected = Identity("ada", ("analysts", "emea"), "jwt")
    assert validator.authenticate(mint()) == expected
    assert validator.authenticate(mint(alg="ES256", kid=EC_KID)) == expected


def test_audience_may_be_a_list(validator: JwtValidator, mint: Mint) -> None:
    token = mint(claims(aud=["account", AUDIENCE]))
    assert validator.authenticate(token).user == "ada"


def test_user_falls_back_to_sub_and_claims_are_configurable(jwks_file: Path, mint: Mint) -> None:
    default = JwtValidator(JwtSettings(ISSUER, AUDIENCE), KeyStore(JwksFile(jwks_file)))
    assert default.authenticate(mint(claims(preferred_username=None))).user == "3f1c9a7e-ada"
    assert default.authenticate(mint(claims(groups=None))).groups == ()
    settings = JwtSettings(ISSUER, AUDIENCE, user_claim="email", groups_claim="roles")
    custom = JwtValidator(settings, KeyStore(JwksFile(jwks_file)))
    identity = custom.authenticate(mint(claims(email="ada@example.test", roles=["dba"])))
    assert identity == Identity("ada@example.test", ("dba",), "jwt")


def test_expired_token(validator: JwtValidator, mint: Mint) -> None:
    now = int(time.time())
    assert refused(validator, mint(claims(iat=now - 900, nbf=now - 900, exp=now - 120))) == "token expired"


def test_clock_skew_is_tolerated(validator: JwtValidator, mint: Mint) -> None:
    now = int(time.time())
    assert validator.authenticate(mint(claims(exp=now - 30, nbf=now + 30, iat=now + 30))).user == "ada"


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_not_yet_valid(validator: JwtValidator, mint: Mint, claim: str) -> None:
    token = mint(claims(**{claim: int(time.time()) + 600}))
    assert refused(validator, token) == messages.TOKEN_NOT_YET_VALID


def test_wrong_audience(validator: JwtValidator, mint: Mint) -> None:
    assert refused(validator, mint(claims(aud="another-service"))) == "token not valid for this service"
    assert refused(validator, mint(claims(aud=None))) == messages.WRONG_AUDIENCE


def test_wrong_issuer(validator: JwtValidator, mint: Mint) -> None:
    assert refused(validator, mint(claims(iss=ISSUER + "/"))) == "invalid credentials"
    assert refused(validator, mint(claims(iss=None))) == messages.INVALID_CREDENTIALS


def test_forged_signature_with_a_known_kid(validator: JwtValidator, mint: Mint, keys: Keys) -> None:
    assert refused(validator, mint(key=keys.attacker, kid=RSA_KID)) == messages.INVALID_CREDENTIALS


def test_tampered_payload(validator: JwtValidator, mint: Mint) -> None:
    header, _, signature = mint().split(".")
    _, payload, _ = mint(claims(preferred_username="root", groups=["admins"])).split(".")
    # same signature, other claims: re-use ada's signature over root's payload
    assert refused(validator, f"{header}.{payload}.{signature}") == messages.INVALID_CREDENTIALS


def test_alg_none_is_refused(validator: JwtValidator) -> None:
    for alg in ("none", "None", "NONE"):
        token = unsigned_token({"alg": alg, "typ": "JWT", "kid": RSA_KID}, claims())
        assert refused(validator, token) == messages.INVALID_CREDENTIALS


def test_hs256_keyed_with_the_public_key_is_refused(validator: JwtValidator, keys: Keys) -> None:
    token = hs256_token(keys.public_pem(), claims())
    assert refused(validator, token) == messages.INVALID_CREDENTIALS
    # nor can the configuration open that door
    with pytest.raises(ValueError, match="symmetric"):
        JwtSettings(ISSUER, AUDIENCE, algorithms=("RS256", "HS256"))
    with pytest.raises(ValueError, match="none"):
        JwtSettings(ISSUER, AUDIENCE, algorithms=("none",))


def test_algorithm_must_fit_the_key(validator: JwtValidator, mint: Mint, keys: Keys) -> None:
    # the EC key's kid on an RS256 token, and an ES256 token naming the RSA key
    assert refused(validator, mint(key=keys.rsa, kid=EC_KID)) == messages.INVALID_CREDENTIALS
    assert refused(validator, mint(alg="ES256", kid=RSA_KID)) == messages.INVALID_CREDENTIALS
    # an allowed-by-JOSE but not-configured algorithm
    assert refused(validator, mint(alg="PS256")) == messages.INVALID_CREDENTIALS


def test_keys_inside_the_token_are_ignored(validator: JwtValidator, mint: Mint, keys: Keys) -> None:
    attacker_jwk = public_jwk(keys.attacker, "evil", "RS256")
    token = mint(key=keys.attacker, kid="evil", jwk=attacker_jwk, jku="https://evil.example/jwks")
    assert refused(validator, token) == messages.INVALID_CREDENTIALS


def test_token_without_kid_uses_the_only_key_that_fits(validator: JwtValidator, mint: Mint) -> None:
    assert validator.authenticate(mint(kid=None)).user == "ada"


@pytest.mark.parametrize(
    "bad",
    [
        {"exp": None},
        {"exp": "tomorrow"},
        {"exp": math.inf},
        {"exp": math.nan},
        {"nbf": True},
    ],
    ids=["no-exp", "exp-text", "exp-infinity", "exp-nan", "nbf-bool"],
)
def test_malformed_time_claims(validator: JwtValidator, mint: Mint, bad: dict[str, Any]) -> None:
    assert refused(validator, mint(claims(**bad))) == messages.INVALID_CREDENTIALS


def test_unusable_user_and_groups(validator: JwtValidator, mint: Mint) -> None:
    assert refused(validator, mint(claims(preferred_username=None, sub=None))) == messages.UNUSABLE_CLAIMS
    assert refused(validator, mint(claims(groups="analysts"))) == messages.UNUSABLE_GROUPS


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c", "a.b.c.d.e", "e30.e30.", "bm90IGpzb24.e30.c2ln", "x" * 20_000],
    ids=["empty", "one-part", "two-parts", "garbage", "jwe-shape", "empty-header", "not-json", "huge"],
)
def test_malformed_tokens(validator: JwtValidator, token: str) -> None:
    assert refused(validator, token) == messages.INVALID_CREDENTIALS


def test_forgeries_are_indistinguishable(validator: JwtValidator, mint: Mint, keys: Keys) -> None:
    """Signature, kid, issuer and algorithm failures give one answer: no oracle for a forger."""
    forgeries = {
        "forged signature": mint(key=keys.attacker),
        "unknown kid": mint(key=keys.attacker, kid="rotated-away"),
        "wrong issuer": mint(claims(iss="https://evil.example")),
        "alg none": unsigned_token({"alg": "none", "kid": RSA_KID}, claims()),
        "hs256 confusion": hs256_token(keys.public_pem(), claims()),
    }
    answers = {name: refused(validator, token) for name, token in forgeries.items()}
    assert set(answers.values()) == {messages.INVALID_CREDENTIALS}, answers


# -- the key set: cache, unknown kid, discovery ------------------------------------------------


class FakeIssuer:
    """An OIDC issuer behind httpx.MockTransport, counting requests."""

    def __init__(self, keys: Keys) -> None:
        self.jwks = jwks_document(keys)
        self.requests: list[str] = []
        self.down = False
        self.discovery_issuer = ISSUER

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        if self.down:
            return httpx.Response(503)
        if request.url.path.endswith("/.well-known/openid-configuration"):
            document = {"issuer": self.discovery_issuer, "jwks_uri": f"{ISSUER}/protocol/certs"}
            return httpx.Response(200, json=document)
        if request.url.path.endswith("/protocol/certs"):
            return httpx.Response(200, json=self.jwks)
        return httpx.Response(404)

    def jwks_fetches(self) -> int:
        return sum(path.endswith("/certs") for path in self.requests)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def issuer(keys: Keys) -> FakeIssuer:
    return FakeIssuer(keys)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def discovered(issuer: FakeIssuer, clock: Clock) -> JwtValidator:
    client = httpx.Client(transport=httpx.MockTransport(issuer.handle))
    source = OidcDiscovery(f"{ISSUER}/.well-known/openid-configuration", ISSUER, client=client)
    store = KeyStore(source, cache_seconds=300, refresh_interval=30, timer=clock)
    return JwtValidator(JwtSettings(ISSUER, AUDIENCE), store)


def test_discovery_then_cached_keys(discovered: JwtValidator, issuer: FakeIssuer, mint: Mint) -> None:
    for _ in range(3):
        assert discovered.authenticate(mint()).user == "ada"
    assert issuer.requests == [
        "/realms/lakegate/.well-known/openid-configuration",
        "/realms/lakegate/protocol/certs",
    ]


def test_unknown_kid_triggers_exactly_one_refresh(
    discovered: JwtValidator, issuer: FakeIssuer, mint: Mint, keys: Keys, clock: Clock
) -> None:
    assert discovered.authenticate(mint()).user == "ada"
    assert issuer.jwks_fetches() == 1
    assert refused(discovered, mint(key=keys.attacker, kid="unknown-1")) == messages.INVALID_CREDENTIALS
    assert issuer.jwks_fetches() == 2
    # More unknown kids soon after do not hammer the issuer.
    for i in range(5):
        refused(discovered, mint(key=keys.attacker, kid=f"unknown-{i + 2}"))
    assert issuer.jwks_fetches() == 2
    assert discovered.keys.fetches == 2


def test_rotated_key_is_picked_up_by_the_refresh(
    discovered: JwtValidator, issuer: FakeIssuer, mint: Mint, keys: Keys, clock: Clock
) -> None:
    assert discovered.authenticate(mint()).user == "ada"
    issuer.jwks["keys"].append(public_jwk(keys.attacker, "rsa-2", "RS256"))  # the issuer rotates
    assert discovered.authenticate(mint(key=keys.attacker, kid="rsa-2")).user == "ada"
    assert issuer.jwks_fetches() == 2


def test_keys_expire_from_the_cache(
    discovered: JwtValidator, issuer: FakeIssuer, mint: Mint, clock: Clock
) -> None:
    discovered.authenticate(mint())
    clock.now += 301
    discovered.authenticate(mint())
    assert issuer.jwks_fetches() == 2


def test_issuer_outage_keeps_the_last_good_keys(
    discovered: JwtValidator, issuer: FakeIssuer, mint: Mint, clock: Clock
) -> None:
    discovered.authenticate(mint())
    issuer.down = True
    clock.now += 301
    assert discovered.authenticate(mint()).user == "ada"


def test_no_keys_at_all_is_a_clear_retry_later(
    discovered: JwtValidator, issuer: FakeIssuer, mint: Mint, clock: Clock
) -> None:
    issuer.down = True
    assert refused(discovered, mint()) == messages.KEYS_UNAVAILABLE
    assert refused(discovered, mint()) == messages.KEYS_UNAVAILABLE
    assert len(issuer.requests) == 1  # failures are not retried on every request
    issuer.down = False
    clock.now += 31
    assert discovered.authenticate(mint()).user == "ada"


def test_discovery_document_must_name_our_issuer(
    discovered: JwtValidator, issuer: FakeIssuer, mint: Mint
) -> None:
    issuer.discovery_issuer = "https://evil.example"
    assert refused(discovered, mint()) == messages.KEYS_UNAVAILABLE


def test_symmetric_and_weak_keys_in_a_jwks_are_dropped(tmp_path: Path, keys: Keys, mint: Mint) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from joserfc.errors import SecurityWarning
    from joserfc.jwk import RSAKey

    with pytest.warns(SecurityWarning):
        weak = RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    document = {
        "keys": [
            {"kty": "oct", "kid": RSA_KID, "k": "c2VjcmV0"},
            public_jwk(weak, "weak", "RS256"),
            {**public_jwk(keys.rsa, "enc", "RS256"), "use": "enc"},
        ]
    }
    assert parse_jwks(document).keys == ()
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(document))
    validator = JwtValidator(JwtSettings(ISSUER, AUDIENCE), KeyStore(JwksFile(path)))
    assert refused(validator, mint(key=weak, kid="weak")) == messages.INVALID_CREDENTIALS
    assert refused(validator, mint(kid="enc")) == messages.INVALID_CREDENTIALS
