"""Static API tokens for service accounts, presented as ``Authorization: Bearer lg_...``.

Only the SHA-256 of each token is stored (tokens are 256-bit random strings, so a fast hash is
enough), in the config or in a YAML file::

    tokens:
      - {name: nightly-etl, user: svc_etl, groups: [etl], sha256: "<64 hex digits>"}
      - {name: old-dashboard, user: svc_bi, sha256: "...", revoked: true}

A revoked entry keeps its name on record; its token is refused like an unknown one.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auth.authn import messages
from auth.identity import AuthenticationFailed, Identity

TOKEN_PREFIX = "lg_"  # noqa: S105 (a prefix, not a secret)
METHOD = "api-token"
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[A-Za-z0-9_.@\-]{1,128}$")
_FIELDS = {"name", "user", "groups", "sha256", "revoked"}
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ApiToken:
    name: str
    user: str
    sha256: str = field(repr=False)
    groups: tuple[str, ...] = ()
    revoked: bool = False


def new_token() -> tuple[str, str]:
    """A fresh token and the SHA-256 to put in the config (show the token once, store the hash)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_sha256(token)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_tokens(path: Path) -> list[ApiToken]:
    """Read a tokens file; ValueError names the file and the entry, never a hash."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError:
        raise ValueError(f"{path}: not valid YAML") from None
    if not isinstance(raw, dict) or set(raw) != {"tokens"} or not isinstance(raw["tokens"], list):
        raise ValueError(f"{path}: expected a mapping with one key, tokens: [{{name, user, sha256}}]")
    return [_parse_entry(entry, f"{path}: tokens[{i}]") for i, entry in enumerate(raw["tokens"])]


def _parse_entry(entry: Any, where: str) -> ApiToken:
    if not isinstance(entry, dict) or not {"name", "user", "sha256"} <= set(entry) <= _FIELDS:
        raise ValueError(f"{where}: expected name, user, sha256 and optional groups, revoked")
    name, user, digest = entry["name"], entry["user"], entry["sha256"]
    groups, revoked = entry.get("groups", []), entry.get("revoked", False)
    if not isinstance(name, str) or not isinstance(user, str) or not isinstance(digest, str):
        raise ValueError(f"{where}: name, user and sha256 must be strings")
    if not isinstance(groups, list) or not all(isinstance(g, str) and g for g in groups):
        raise ValueError(f"{where}.groups: expected a list of group names")
    if not isinstance(revoked, bool):
        raise ValueError(f"{where}.revoked: expected true or false")
    return ApiToken(name, user, digest, tuple(groups), revoked)


class ApiTokens:
    """Looks a presented token up by its SHA-256; raises AuthenticationFailed("invalid credentials")."""

    def __init__(self, tokens: Iterable[ApiToken]) -> None:
        self._by_hash: dict[str, ApiToken] = {}
        names: set[str] = set()
        for token in tokens:
            if not _NAME.match(token.name) or not _NAME.match(token.user):
                raise ValueError(f"API token {token.name!r}: name and user must be letters, digits, . _ @ -")
            if not _SHA256_HEX.match(token.sha256):
                raise ValueError(f"API token {token.name!r}: sha256 must be 64 lower-case hex digits")
            if token.name in names:
                raise ValueError(f"API token {token.name!r} is listed twice")
            if token.sha256 in self._by_hash:
                raise ValueError(f"API token {token.name!r} has the same hash as another token")
            names.add(token.name)
            self._by_hash[token.sha256] = token

    def __len__(self) -> int:
        return len(self._by_hash)

    def authenticate(self, token: str) -> Identity:
        # The lookup key is a hash of 256 random bits: its timing tells an attacker nothing.
        entry = self._by_hash.get(token_sha256(token))
        if entry is None:
            raise AuthenticationFailed(messages.INVALID_CREDENTIALS)
        if entry.revoked:
            log.warning("refused revoked API token %r (user %s)", entry.name, entry.user)
            raise AuthenticationFailed(messages.INVALID_CREDENTIALS)
        return Identity(entry.user, entry.groups, METHOD)
