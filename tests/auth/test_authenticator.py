"""The Authorization header to an identity: routing, parsing, development mode, messages."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from auth.authn import messages
from auth.authn.api_tokens import ApiToken, ApiTokens
from auth.authn.authenticator import Authenticator
from auth.authn.basic import BasicAuthenticator, load_users
from auth.authn.jwks import JwksFile, KeyStore
from auth.authn.jwt_bearer import JwtSettings, JwtValidator
from auth.identity import AuthenticationFailed, Identity
from tests.auth.conftest import AUDIENCE, ISSUER, PASSWORDS, IssuedTokens, Mint, basic_header


@pytest.fixture
def full(users_file: Path, jwks_file: Path, api_tokens: IssuedTokens) -> Authenticator:
    return Authenticator(
        jwt=JwtValidator(JwtSettings(ISSUER, AUDIENCE), KeyStore(JwksFile(jwks_file))),
        basic=BasicAuthenticator(load_users(users_file)),
        tokens=ApiTokens([ApiToken("etl", "svc_etl", api_tokens.good_sha256, ("etl",))]),
    )


def refused(authenticator: Authenticator, authorization: str | None, dev_user: str | None = None) -> str:
    with pytest.raises(AuthenticationFailed) as info:
        authenticator.authenticate(authorization, dev_user)
    return str(info.value)


def test_each_scheme_is_routed(full: Authenticator, mint: Mint, api_tokens: IssuedTokens) -> None:
    assert full.authenticate(basic_header("ada", PASSWORDS["ada"])).authenticated_by == "basic"
    assert full.authenticate(f"Bearer {api_tokens.good}") == Identity("svc_etl", ("etl",), "api-token")
    assert full.authenticate(f"Bearer {mint()}").authenticated_by == "jwt"
    # schemes are case-insensitive; surrounding spaces are tolerated
    assert full.authenticate(f"  bearer   {api_tokens.good} ").user == "svc_etl"
    assert full.methods == ("jwt", "basic", "api-token")


def test_headers_mapping_is_case_insensitive(full: Authenticator, api_tokens: IssuedTokens) -> None:
    headers = {"authorization": f"Bearer {api_tokens.good}", "X-LAKEGATE-USER": "root"}
    assert full.authenticate_headers(headers).user == "svc_etl"  # the dev header is not trusted


def test_no_credentials(full: Authenticator) -> None:
    assert refused(full, None) == messages.CREDENTIALS_REQUIRED
    assert refused(full, None, dev_user="root") == messages.CREDENTIALS_REQUIRED
    assert refused(Authenticator(), None) == messages.NO_METHOD


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        ("", messages.MALFORMED_HEADER),
        ("Basic", messages.MALFORMED_HEADER),
        ("Basic !!!not-base64", messages.MALFORMED_HEADER),
        ("Basic " + base64.b64encode(b"no-colon").decode(), messages.MALFORMED_HEADER),
        ("Basic " + base64.b64encode(b":password-only").decode(), messages.MALFORMED_HEADER),
        ("Basic " + base64.b64encode(b"\xff\xfe:x").decode(), messages.MALFORMED_HEADER),
        ("Digest username=ada", messages.UNSUPPORTED_SCHEME),
        ("Bearer", messages.MALFORMED_HEADER),
        ("Bearer not.a.jwt", messages.INVALID_CREDENTIALS),
        ("Bearer " + "x" * 40_000, messages.MALFORMED_HEADER),
    ],
)
def test_malformed_headers(full: Authenticator, authorization: str, message: str) -> None:
    assert refused(full, authorization) == message


def test_disabled_methods_say_so(users_file: Path, api_tokens: IssuedTokens, mint: Mint) -> None:
    only_basic = Authenticator(basic=BasicAuthenticator(load_users(users_file)))
    assert refused(only_basic, f"Bearer {api_tokens.good}") == messages.API_TOKENS_DISABLED
    assert refused(only_basic, f"Bearer {mint()}") == messages.BEARER_DISABLED
    assert refused(Authenticator(), basic_header("ada", "x")) == messages.BASIC_DISABLED


def test_development_mode(full: Authenticator, mint: Mint) -> None:
    dev = Authenticator(jwt=full.jwt, basic=full.basic, tokens=full.tokens, dev_mode=True)
    assert dev.authenticate(None, "bob") == Identity("bob")
    assert dev.authenticate(None) == Identity("anonymous")
    assert dev.authenticate_headers({"X-Trino-User": "carol"}, dev_user_header="X-Trino-User").user == "carol"
    # credentials, when sent, must be valid even in development mode
    assert refused(dev, basic_header("ada", "wrong"), dev_user="ada") == messages.INVALID_CREDENTIALS
    assert dev.authenticate(basic_header("ada", PASSWORDS["ada"]), "root").user == "ada"


def test_only_what_blocks_on_nothing_is_decided_at_once(
    full: Authenticator, api_tokens: IssuedTokens
) -> None:
    """authenticate_at_once (the event loop's fast path) answers only with an identity that
    authenticate would give without a hash or a fetch; everything else, refusals included, is None."""
    ada = basic_header("ada", PASSWORDS["ada"])
    assert full.authenticate_at_once(ada) is None  # not verified yet: hashing blocks
    verified = full.authenticate(ada)
    assert full.authenticate_at_once(ada) == verified  # verified moments ago
    assert full.authenticate_at_once(basic_header("ada", "wrong")) is None
    assert full.authenticate_at_once(basic_header("ada", PASSWORDS["ada"] + " ")) is None
    assert full.authenticate_at_once(f"Bearer {api_tokens.good}") is None
    assert full.authenticate_at_once("Basic !!!not-base64") is None
    assert full.authenticate_at_once(None, "root") is None  # no development mode
    development = Authenticator(dev_mode=True)
    assert development.authenticate_at_once(None, "root") == Identity("root")
    assert development.authenticate_at_once(None, "not a name!") is None  # refused by authenticate
    assert development.authenticate_at_once(ada) is None  # credentials are checked, even here
