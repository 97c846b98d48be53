"""Password hashes: salted, slow, verified in constant time, and refused when malformed."""

from __future__ import annotations

import pytest

from auth.authn import hashing
from auth.authn.hashing import check_hash, dummy_hash_like, hash_password, scrypt_hash, verify_password


def test_scrypt_hash_format_and_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashing, "_argon2", lambda: None)
    encoded = hash_password("hunter2")
    scheme, n, r, p, salt, key = encoded.split("$")
    assert (scheme, n, r, p) == ("scrypt", "32768", "8", "1")
    assert len(salt) == 22
    assert len(key) == 43
    assert "hunter2" not in encoded
    assert verify_password("hunter2", encoded)
    assert not verify_password("hunter3", encoded)
    assert not verify_password("", encoded)


def test_salts_are_random(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashing, "_argon2", lambda: None)
    assert hash_password("same") != hash_password("same")


def test_the_same_salt_gives_the_same_hash() -> None:
    salt = bytes(range(16))
    assert scrypt_hash("pw", salt, n=1024) == scrypt_hash("pw", salt, n=1024)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "plaintext-password",
        "scrypt$32768$8$1$c2FsdA",
        "scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "scrypt$4194304$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "scrypt$1024$8$1$!!!$AAAA",
        "scrypt$1024$8$1$AAAA$AAAA",
    ],
    ids=["empty", "plain", "short", "n-not-power-of-2", "n-too-big", "bad-base64", "too-short"],
)
def test_malformed_hashes_are_refused_without_quoting_them(encoded: str) -> None:
    with pytest.raises(ValueError) as info:
        check_hash(encoded)
    assert not encoded or encoded not in str(info.value)
    assert not verify_password("anything", encoded)


def test_dummy_hash_costs_the_same_as_the_real_one() -> None:
    real = scrypt_hash("pw", bytes(16), n=4096, r=4, p=2)
    dummy = dummy_hash_like(real)
    assert dummy.split("$")[:4] == ["scrypt", "4096", "4", "2"]
    assert dummy != real


class FakeArgon2:
    """Stands in for argon2.PasswordHasher (argon2-cffi is optional)."""

    def hash(self, password: str) -> str:
        return f"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA${password[::-1]}"

    def verify(self, encoded: str, password: str) -> bool:
        if encoded != self.hash(password):
            raise ValueError("VerifyMismatchError")
        return True


def test_argon2id_is_preferred_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashing, "_argon2", FakeArgon2)
    encoded = hash_password("hunter2")
    assert encoded.startswith("$argon2id$")
    check_hash(encoded)
    assert verify_password("hunter2", encoded)
    assert not verify_password("hunter3", encoded)
    assert dummy_hash_like(encoded).startswith("$argon2id$")


def test_argon2_hash_without_the_package_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashing, "_argon2", lambda: None)
    with pytest.raises(ValueError, match="argon2-cffi"):
        check_hash("$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g")
