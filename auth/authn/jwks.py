"""The issuer's public keys: a JWKS read from a local file or found through OIDC discovery.

Keys are cached (a TTLCache) and fetched again when they expire, or when a token names a key id
that is not in the set; such refreshes are rate-limited so forged key ids cannot hammer the
issuer. Only public signature keys (RSA of 2048 bits or more, EC, OKP) are kept: symmetric
``oct`` keys are dropped, so an HMAC key can never verify a token.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
from cachetools import TTLCache
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey

log = logging.getLogger(__name__)
MAX_DOCUMENT_BYTES = 1_000_000
MIN_RSA_BITS = 2048
# alg -> (key type, curve or None)
KEY_FOR_ALGORITHM: dict[str, tuple[str, str | None]] = {
    **{f"{family}{bits}": ("RSA", None) for family in ("RS", "PS") for bits in (256, 384, 512)},
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "EdDSA": ("OKP", None),
}
_KEY_CLASSES: dict[str, type[RSAKey] | type[ECKey] | type[OKPKey]] = {
    "RSA": RSAKey,
    "EC": ECKey,
    "OKP": OKPKey,
}


class KeysUnavailable(Exception):
    """The key set could not be read; the message is for the server log."""


class JwksSource(Protocol):
    def fetch(self) -> Any:
        """The JWKS document (parsed JSON); raises KeysUnavailable."""
        ...


class JwksFile:
    """A JWKS JSON file on disk (offline operation); read again on every refresh."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fetch(self) -> Any:
        try:
            return json.loads(self.path.read_bytes())
        except OSError as exc:
            raise KeysUnavailable(f"cannot read {self.path}: {exc.strerror}") from None
        except ValueError:
            raise KeysUnavailable(f"{self.path} is not JSON") from None


def check_url(url: str) -> None:
    """Keys are fetched over https; plain http only to the loopback interface (tests, sidecars)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if loopback:
            return
    raise ValueError("must be an https URL (plain http only to localhost)")


class OidcDiscovery:
    """``{issuer}/.well-known/openid-configuration`` -> ``jwks_uri`` -> the JWKS, fetched with httpx."""

    def __init__(
        self, discovery_url: str, issuer: str, client: httpx.Client | None = None, timeout: float = 5.0
    ) -> None:
        check_url(discovery_url)
        self.discovery_url = discovery_url
        self.issuer = issuer
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        self._jwks_uri: str | None = None

    def fetch(self) -> Any:
        if self._jwks_uri is None:
            document = self._get_json(self.discovery_url)
            if not isinstance(document, dict) or document.get("issuer") != self.issuer:
                raise KeysUnavailable(f"{self.discovery_url}: issuer does not match the configured issuer")
            jwks_uri = document.get("jwks_uri")
            if not isinstance(jwks_uri, str):
                raise KeysUnavailable(f"{self.discovery_url}: no jwks_uri")
            try:
                check_url(jwks_uri)
            except ValueError as exc:
                raise KeysUnavailable(f"{self.discovery_url}: jwks_uri {exc}") from None
            self._jwks_uri = jwks_uri
        try:
            return self._get_json(self._jwks_uri)
        except KeysUnavailable:
            self._jwks_uri = None  # discover again next time: the issuer may have moved its keys
            raise

    def _get_json(self, url: str) -> Any:
        try:
            response = self._client.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise KeysUnavailable(f"{url}: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise KeysUnavailable(f"{url}: HTTP {response.status_code}")
        if len(response.content) > MAX_DOCUMENT_BYTES:
            raise KeysUnavailable(f"{url}: document too large")
        try:
            return response.json()
        except ValueError:
            raise KeysUnavailable(f"{url}: not JSON") from None


@dataclass(frozen=True)
class PublicKeys:
    """Verification keys by key id, and all of them (for tokens that name no key)."""

    by_kid: dict[str, Key] = field(default_factory=dict)
    keys: tuple[Key, ...] = ()

    def select(self, kid: str | None, alg: str) -> Key | None:
        if kid is not None:
            key = self.by_kid.get(kid)
            return key if key is not None and fits(key, alg) else None
        # No kid: acceptable only when exactly one key could have signed it.
        candidates = [key for key in self.keys if fits(key, alg)]
        return candidates[0] if len(candidates) == 1 else None


def fits(key: Key, alg: str) -> bool:
    """Whether ``key`` may verify a signature made with ``alg``."""
    wanted = KEY_FOR_ALGORITHM.get(alg)
    if wanted is None or key.key_type != wanted[0]:
        return False
    if wanted[1] is not None and key.get("crv") != wanted[1]:
        return False
    return key.alg is None or key.alg == alg


def parse_jwks(document: Any) -> PublicKeys:
    """Public signature keys from a JWKS document; keys that cannot be used are skipped."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise KeysUnavailable('not a JWKS document: expected {"keys": [...]}')
    by_kid: dict[str, Key] = {}
    keys: list[Key] = []
    for i, data in enumerate(document["keys"]):
        key = _import(data)
        if key is None:
            log.info("JWKS key #%d skipped: not a usable public signature key", i)
            continue
        keys.append(key)
        if key.kid is not None:
            by_kid.setdefault(key.kid, key)
    return PublicKeys(by_kid, tuple(keys))


def _import(data: Any) -> Key | None:
    if not isinstance(data, dict):
        return None
    key_class = _KEY_CLASSES.get(str(data.get("kty")))
    if key_class is None or data.get("use", "sig") != "sig":
        return None
    ops = data.get("key_ops")
    if ops is not None and (not isinstance(ops, list) or "verify" not in ops):
        return None
    if key_class is RSAKey and _rsa_bits(data.get("n")) < MIN_RSA_BITS:
        return None
    public = {k: v for k, v in data.items() if k not in {"d", "p", "q", "dp", "dq", "qi", "oth", "key_ops"}}
    try:
        key: Key = key_class.import_key(public)
    except (JoseError, ValueError, TypeError):
        return None
    return key


def _rsa_bits(modulus: Any) -> int:
    if not isinstance(modulus, str):
        return 0
    try:
        raw = base64.urlsafe_b64decode(modulus + "=" * (-len(modulus) % 4))
    except ValueError:
        return 0
    return int.from_bytes(raw, "big").bit_length()


class KeyStore:
    """The current PublicKeys from a source, cached for ``cache_seconds``.

    A key id that is not in the set triggers a refresh at most once per ``refresh_interval``;
    a failed fetch is retried no sooner than that either, serving the last good keys meanwhile.
    """

    def __init__(
        self,
        source: JwksSource,
        cache_seconds: float = 300.0,
        refresh_interval: float = 30.0,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._cache: TTLCache[str, PublicKeys] = TTLCache(maxsize=1, ttl=cache_seconds, timer=timer)
        self._refresh_interval = refresh_interval
        self._timer = timer
        self._last_good: PublicKeys | None = None
        self._next_refresh = -math.inf  # earliest unknown-kid refresh
        self._retry_at = -math.inf  # earliest fetch after a failure
        self._lock = threading.Lock()
        #: how many times the source was asked (for tests and metrics)
        self.fetches = 0

    def find(self, kid: str | None, alg: str) -> Key | None:
        """The key to verify a token with, or None; raises KeysUnavailable when there are no keys."""
        with self._lock:
            keys = self._cache.get("keys")
            if keys is None:
                keys = self._load()
            key = keys.select(kid, alg)
            if key is None and self._timer() >= self._next_refresh:
                self._next_refresh = self._timer() + self._refresh_interval
                log.info("token names an unknown key: refreshing the key set")
                key = self._load().select(kid, alg)
            return key

    def _load(self) -> PublicKeys:
        if self._timer() < self._retry_at:
            if self._last_good is not None:
                return self._last_good
            raise KeysUnavailable("the last attempt to fetch keys failed; not retrying yet")
        self.fetches += 1
        try:
            keys = parse_jwks(self._source.fetch())
        except KeysUnavailable as exc:
            self._retry_at = self._timer() + self._refresh_interval
            if self._last_good is None:
                raise
            log.warning("cannot refresh the token signing keys (%s); using the previous ones", exc)
            return self._last_good
        self._cache["keys"] = keys
        self._last_good = keys
        return keys
