"""HTTP Basic against a users file of salted slow hashes.

The file is YAML::

    users:
      ada: {password_hash: "scrypt$32768$8$1$...", groups: [analysts]}

Failed checks cost the same whether or not the user exists (an unknown user is checked against a
dummy hash), and successful checks are remembered briefly, keyed by an HMAC of user and password
under a per-process random key, so BI tools that send Basic on every request stay fast.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from cachetools import TTLCache

from auth.authn import messages
from auth.authn.hashing import check_hash, dummy_hash_like, verify_password
from auth.identity import AuthenticationFailed, Identity

USER_NAME = re.compile(r"^[A-Za-z0-9_.@\-]{1,128}$")
METHOD = "basic"


@dataclass(frozen=True, slots=True)
class UserRecord:
    password_hash: str = field(repr=False)
    groups: tuple[str, ...] = ()


def load_users(path: Path) -> dict[str, UserRecord]:
    """Read a users file; ValueError names the file and the user, never a hash."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError:
        raise ValueError(f"{path}: not valid YAML") from None
    return parse_users(raw, str(path))


def parse_users(raw: Any, source: str) -> dict[str, UserRecord]:
    if not isinstance(raw, dict) or not isinstance(raw.get("users"), dict) or set(raw) != {"users"}:
        raise ValueError(f"{source}: expected a mapping with one key, users: {{name: {{...}}}}")
    users: dict[str, UserRecord] = {}
    for name, entry in raw["users"].items():
        where = f"{source}: users.{name}"
        if not isinstance(name, str) or not USER_NAME.match(name):
            raise ValueError(f"{source}: user names must be 1-128 letters, digits or . _ @ -")
        if not isinstance(entry, dict) or not set(entry) <= {"password_hash", "groups"}:
            raise ValueError(f"{where}: expected password_hash and optional groups")
        password_hash = entry.get("password_hash")
        if not isinstance(password_hash, str):
            raise ValueError(f"{where}.password_hash: missing; create one with `lakegate hash-password`")
        try:
            check_hash(password_hash)
        except ValueError as exc:
            raise ValueError(f"{where}.password_hash: {exc}") from None
        groups = entry.get("groups", [])
        if not isinstance(groups, list) or not all(isinstance(g, str) and g for g in groups):
            raise ValueError(f"{where}.groups: expected a list of group names")
        users[name] = UserRecord(password_hash, tuple(groups))
    return users


class BasicAuthenticator:
    """Checks a user name and password; raises AuthenticationFailed("invalid credentials")."""

    def __init__(
        self,
        users: Mapping[str, UserRecord],
        cache_seconds: float = 60.0,
        cache_size: int = 1024,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._users = dict(users)
        first = next(iter(self._users.values()), None)
        self._dummy = dummy_hash_like(first.password_hash if first else None)
        self._cache_key = os.urandom(32)
        self._cache: TTLCache[bytes, Identity] | None = (
            TTLCache(maxsize=cache_size, ttl=cache_seconds, timer=timer) if cache_seconds > 0 else None
        )
        self._lock = threading.Lock()

    def groups_of(self, user: str) -> tuple[str, ...] | None:
        """The groups the users file gives ``user``; None for a user it does not know."""
        record = self._users.get(user)
        return record.groups if record is not None else None

    def _digest(self, user: str, password: str) -> bytes:
        name = user.encode("utf-8")
        secret = len(name).to_bytes(4, "big") + name + password.encode("utf-8")
        return hmac.new(self._cache_key, secret, hashlib.sha256).digest()

    def cached(self, user: str, password: str) -> Identity | None:
        """The identity of credentials verified moments ago (no hashing: cheap enough for the
        event loop); None when they must be verified (:meth:`authenticate`)."""
        if self._cache is None:
            return None
        digest = self._digest(user, password)
        with self._lock:
            return self._cache.get(digest)

    def authenticate(self, user: str, password: str) -> Identity:
        digest = self._digest(user, password)
        if self._cache is not None:
            with self._lock:
                cached = self._cache.get(digest)
            if cached is not None:
                return cached
        record = self._users.get(user)
        # Always pay for one verification, so a response's timing doesn't tell who exists.
        matches = verify_password(password, record.password_hash if record else self._dummy)
        if record is None or not matches:
            raise AuthenticationFailed(messages.INVALID_CREDENTIALS)
        identity = Identity(user, record.groups, METHOD)
        if self._cache is not None:
            with self._lock:
                self._cache[digest] = identity
        return identity
