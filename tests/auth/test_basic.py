"""HTTP Basic against a users file: right and wrong passwords, unknown users, the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auth.authn import basic, messages
from auth.authn.basic import BasicAuthenticator, load_users
from auth.authn.hashing import verify_password
from auth.identity import AuthenticationFailed, Identity
from tests.auth.conftest import PASSWORDS


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Spy:
    """Records which hash each verification used."""

    def __init__(self) -> None:
        self.hashes: list[str] = []

    def __call__(self, password: str, encoded: str) -> bool:
        self.hashes.append(encoded)
        return verify_password(password, encoded)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    recorder = Spy()
    monkeypatch.setattr(basic, "verify_password", recorder)
    return recorder


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def authenticator(users_file: Path, clock: Clock) -> BasicAuthenticator:
    return BasicAuthenticator(load_users(users_file), cache_seconds=60, timer=clock)


def refused(authenticator: BasicAuthenticator, user: str, password: str) -> str:
    with pytest.raises(AuthenticationFailed) as info:
        authenticator.authenticate(user, password)
    assert not password or password not in str(info.value)
    return str(info.value)


def test_right_password(authenticator: BasicAuthenticator) -> None:
    identity = authenticator.authenticate("sam", PASSWORDS["sam"])
    assert identity == Identity("sam", ("support", "emea"), "basic")


def test_wrong_password_and_unknown_user_get_the_same_answer(authenticator: BasicAuthenticator) -> None:
    assert refused(authenticator, "ada", PASSWORDS["sam"]) == messages.INVALID_CREDENTIALS
    assert refused(authenticator, "ada", "") == messages.INVALID_CREDENTIALS
    assert refused(authenticator, "mallory", PASSWORDS["ada"]) == messages.INVALID_CREDENTIALS
    assert refused(authenticator, "Ada", PASSWORDS["ada"]) == messages.INVALID_CREDENTIALS


def test_unknown_users_cost_one_hash_of_the_same_kind(
    authenticator: BasicAuthenticator, users_file: Path, spy: Spy
) -> None:
    refused(authenticator, "mallory", "guess")
    refused(authenticator, "ada", "guess")
    dummy, real = spy.hashes
    assert dummy != real
    assert dummy.split("$")[:4] == real.split("$")[:4]  # same scheme and cost parameters


def test_successes_are_cached_briefly(authenticator: BasicAuthenticator, spy: Spy, clock: Clock) -> None:
    for _ in range(5):
        authenticator.authenticate("ada", PASSWORDS["ada"])
    assert len(spy.hashes) == 1
    clock.now += 61
    authenticator.authenticate("ada", PASSWORDS["ada"])
    assert len(spy.hashes) == 2


def test_failures_are_not_cached_and_the_cache_holds_no_password(
    authenticator: BasicAuthenticator, spy: Spy
) -> None:
    authenticator.authenticate("ada", PASSWORDS["ada"])
    for _ in range(2):
        refused(authenticator, "ada", "wrong")
    assert len(spy.hashes) == 3
    cache = authenticator._cache
    assert cache is not None
    assert len(cache) == 1
    (key,) = cache.keys()
    assert len(key) == 32
    assert PASSWORDS["ada"].encode() not in key


def test_cache_can_be_disabled(users_file: Path, spy: Spy) -> None:
    authenticator = BasicAuthenticator(load_users(users_file), cache_seconds=0)
    authenticator.authenticate("ada", PASSWORDS["ada"])
    authenticator.authenticate("ada", PASSWORDS["ada"])
    assert len(spy.hashes) == 2


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"people": {}}, "one key, users"),
        ({"users": {"bad name!": {"password_hash": "x"}}}, "user names"),
        ({"users": {"ada": {"password": "plain"}}}, "expected password_hash"),
        ({"users": {"ada": {"groups": []}}}, "hash-password"),
        ({"users": {"ada": {"password_hash": "s3cr3t-in-clear"}}}, "not a password hash"),
        (
            {
                "users": {
                    "ada": {
                        "password_hash": "scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 43,
                        "groups": "x",
                    }
                }
            },
            "list of group names",
        ),
    ],
)
def test_bad_users_files(tmp_path: Path, document: object, problem: str) -> None:
    path = tmp_path / "users.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ValueError, match=problem) as info:
        load_users(path)
    assert str(path) in str(info.value)
    assert "s3cr3t" not in str(info.value)
    assert "plain" not in str(info.value)


def test_missing_users_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        load_users(tmp_path / "nope.yaml")
