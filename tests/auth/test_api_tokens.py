"""Static API tokens: right, wrong and revoked; stored and configured only as hashes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auth.authn import messages
from auth.authn.api_tokens import ApiToken, ApiTokens, load_tokens, new_token, token_sha256
from auth.identity import AuthenticationFailed, Identity
from tests.auth.conftest import IssuedTokens


@pytest.fixture
def tokens(api_tokens: IssuedTokens) -> ApiTokens:
    return ApiTokens(
        [
            ApiToken("etl", "svc_etl", api_tokens.good_sha256, ("etl",)),
            ApiToken("old-dashboard", "svc_bi", api_tokens.revoked_sha256, revoked=True),
        ]
    )


def refused(tokens: ApiTokens, token: str) -> str:
    with pytest.raises(AuthenticationFailed) as info:
        tokens.authenticate(token)
    assert token not in str(info.value)
    return str(info.value)


def test_new_tokens_are_random_prefixed_and_hashed() -> None:
    token, digest = new_token()
    assert token.startswith("lg_")
    assert len(token) >= 40
    assert digest == token_sha256(token)
    assert len(digest) == 64
    assert new_token()[0] != token


def test_right_token(tokens: ApiTokens, api_tokens: IssuedTokens) -> None:
    assert tokens.authenticate(api_tokens.good) == Identity("svc_etl", ("etl",), "api-token")


def test_wrong_and_revoked_tokens_get_the_same_answer(tokens: ApiTokens, api_tokens: IssuedTokens) -> None:
    assert refused(tokens, api_tokens.good + "x") == messages.INVALID_CREDENTIALS
    assert refused(tokens, new_token()[0]) == messages.INVALID_CREDENTIALS
    assert refused(tokens, api_tokens.revoked) == messages.INVALID_CREDENTIALS
    # the hash itself is not a token
    assert refused(tokens, api_tokens.good_sha256) == messages.INVALID_CREDENTIALS


def test_tokens_file(tmp_path: Path, api_tokens: IssuedTokens) -> None:
    path = tmp_path / "tokens.yaml"
    entry = {"name": "etl", "user": "svc_etl", "groups": ["etl"], "sha256": api_tokens.good_sha256}
    path.write_text(yaml.safe_dump({"tokens": [entry]}))
    assert ApiTokens(load_tokens(path)).authenticate(api_tokens.good).user == "svc_etl"


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ([ApiToken("a", "u", "ABC")], "64 lower-case hex"),
        ([ApiToken("a", "u", "0" * 64), ApiToken("a", "v", "1" * 64)], "listed twice"),
        ([ApiToken("a", "u", "0" * 64), ApiToken("b", "v", "0" * 64)], "same hash"),
        ([ApiToken("a b", "u", "0" * 64)], "letters, digits"),
    ],
)
def test_bad_token_lists(entries: list[ApiToken], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ApiTokens(entries)


@pytest.mark.parametrize(
    "document",
    [
        {"tokens": {}},
        {"tokens": [{"name": "a"}]},
        {"tokens": [{"name": "a", "user": "u", "sha256": "0", "x": 1}]},
    ],
)
def test_bad_tokens_files(tmp_path: Path, document: object) -> None:
    path = tmp_path / "tokens.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ValueError, match="tokens"):
        load_tokens(path)
