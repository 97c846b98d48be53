"""Salted, slow password hashes: argon2id when argon2-cffi is installed, else scrypt.

scrypt hashes are written ``scrypt$n$r$p$salt_b64$hash_b64`` (standard base64 without padding,
a random 16-byte salt, a 32-byte key); argon2id hashes use argon2's own ``$argon2id$...`` format.
:func:`hash_password` is what ``lakegate hash-password`` prints.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import os
from typing import Any

SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
_ARGON2_PREFIX = "$argon2id$"
# A hash file is configuration, yet refuse parameters that would let one line exhaust the server.
_MAX_N = 2**20
_MAX_R = 32
_MAX_P = 16
_MAX_MEMORY = 2**30


def _argon2() -> Any | None:
    """argon2-cffi's PasswordHasher, or None when the package is not installed."""
    try:
        module = importlib.import_module("argon2")
    except ImportError:
        return None
    return module.PasswordHasher()


def hash_password(password: str) -> str:
    """A new salted hash of ``password`` for a users file (argon2id if available, else scrypt)."""
    hasher = _argon2()
    if hasher is not None:
        return str(hasher.hash(password))
    return scrypt_hash(password, os.urandom(SALT_BYTES))


def scrypt_hash(password: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """The scrypt hash of ``password`` with this salt (callers normally let hash_password pick one)."""
    key = _scrypt(password, salt, n, r, p, KEY_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(key)}"


def check_hash(encoded: str) -> None:
    """Raise ValueError (never quoting the hash) when ``encoded`` is not a hash this module verifies."""
    if encoded.startswith(_ARGON2_PREFIX):
        if _argon2() is None:
            raise ValueError("an argon2id hash needs the argon2-cffi package, which is not installed")
        return
    _parse_scrypt(encoded)


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded``, compared in constant time."""
    if encoded.startswith(_ARGON2_PREFIX):
        hasher = _argon2()
        if hasher is None:
            return False
        try:
            return bool(hasher.verify(encoded, password))
        except Exception:  # argon2 raises VerifyMismatchError / InvalidHashError
            return False
    try:
        n, r, p, salt, expected = _parse_scrypt(encoded)
    except ValueError:
        return False
    actual = _scrypt(password, salt, n, r, p, len(expected))
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    # OpenSSL needs 128 * r * (n + p + 2) bytes; allow that plus some room.
    maxmem = 128 * r * (n + p + 2) + 2**20
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=length)


def _parse_scrypt(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("not a password hash: expected scrypt$n$r$p$salt$hash or an argon2id hash")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        raise ValueError("malformed scrypt hash") from None
    if n < 2 or n & (n - 1) or n > _MAX_N or not 1 <= r <= _MAX_R or not 1 <= p <= _MAX_P:
        raise ValueError("scrypt parameters out of range")
    if 128 * r * (n + p + 2) > _MAX_MEMORY:
        raise ValueError("scrypt parameters need too much memory")
    if len(salt) < 8 or len(key) < 16:
        raise ValueError("scrypt salt or key too short")
    return n, r, p, salt, key


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def dummy_hash_like(encoded: str | None) -> str:
    """A hash of a random password that costs as much to verify as ``encoded`` does.

    Verifying an unknown user against it makes a failed login take as long whether or not the
    user exists.
    """
    password = base64.b64encode(os.urandom(24)).decode("ascii")
    if encoded is not None and not encoded.startswith(_ARGON2_PREFIX):
        try:
            n, r, p, salt, _ = _parse_scrypt(encoded)
        except ValueError:
            pass
        else:
            return scrypt_hash(password, os.urandom(len(salt)), n, r, p)
    return hash_password(password)
