"""Server-side sign-in sessions for the web UI, in the state store every instance shares.

The cookie carries only a random session id (256 bits). The store (table
``lakegate_ui_sessions`` of the catalog's state store: SQLite by default, PostgreSQL for several
instances) keys a session by the id's SHA-256 and keeps its user, groups, sign-in method,
creation time and last use; neither the table nor a log line of keys gives a usable cookie. The
CSRF token is not stored either: it is an HMAC of the session id, so only the cookie's holder
(and the page it signed in) can know it.

A session ends when unused for ``idle_seconds``, ``absolute_seconds`` after sign-in in any case,
or at sign-out, on every instance: a restart signs nobody out, and a session made on one
instance works on the others. Expired rows go at the next sign-in anywhere (and when met).

Cost: each instance keeps what it read in a small cache (cachetools TTL cache,
``cache_seconds``, default 5). A cached session is still checked against both timeouts at every
use; a sign-out on another instance takes effect here within ``cache_seconds`` (a sign-out on
this instance at once). The last use is written back at most every ``touch_seconds``
(``min(30 s, idle / 10)``), so the idle timeout counts from a use that is at most that old.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import TTLCache

from auth.identity import Identity
from catalog.store.backends import Backend, StoreError

log = logging.getLogger("lakegate.ui")
TABLE = "lakegate_ui_sessions"
_COLUMNS = "user_name, groups, authenticated_by, method, created_at, last_seen"


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def csrf_token_of(session_id: str) -> str:
    """The session's CSRF token: derived from its id, so the store never holds it."""
    digest = hmac.new(session_id.encode("utf-8"), b"lakegate-csrf-token", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class Session:
    identity: Identity
    csrf_token: str
    created: float
    last_used: float
    #: how the user signed in: "password" (the form), "oidc" or "token"
    method: str = "password"
    #: the last use as the store has it (written back at most every ``touch_seconds``)
    recorded: float = 0.0

    def csrf_matches(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.csrf_token.encode())


class SessionStore:
    def __init__(
        self,
        backend: Backend,
        *,
        idle_seconds: float,
        absolute_seconds: float,
        max_sessions: int = 10_000,
        cache_seconds: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.backend = backend
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        self.max_sessions = max_sessions
        self.cache_seconds = cache_seconds
        self.touch_seconds = min(30.0, idle_seconds / 10)
        self._clock = clock  # wall-clock: the times are compared across processes and restarts
        self._cache: TTLCache[str, Session] | None = (
            TTLCache(maxsize=min(max_sessions, 10_000), ttl=cache_seconds, timer=clock)
            if cache_seconds > 0
            else None
        )
        self._lock = threading.Lock()

    # -- the cache ----------------------------------------------------------------------------
    def _cached(self, key: str) -> Session | None:
        if self._cache is None:
            return None
        with self._lock:
            return self._cache.get(key)

    def _remember(self, key: str, session: Session) -> None:
        if self._cache is not None:
            with self._lock:
                self._cache[key] = session

    def _forget(self, key: str) -> None:
        if self._cache is not None:
            with self._lock:
                self._cache.pop(key, None)

    def _alive(self, session: Session, now: float) -> bool:
        return now - session.last_used <= self.idle_seconds and now - session.created <= self.absolute_seconds

    # -- sessions -----------------------------------------------------------------------------
    def create(self, identity: Identity, method: str = "password") -> tuple[str, Session]:
        """A new session; returns its id (for the cookie, never stored) and the session.
        Raises StoreError when the state store cannot be written."""
        session_id = secrets.token_urlsafe(32)
        key = _key(session_id)
        now = self._clock()
        session = Session(identity, csrf_token_of(session_id), now, now, method, now)
        groups = json.dumps(list(identity.groups))
        with self.backend.transaction(lock="ui_sessions") as tx:
            tx.execute(
                f"DELETE FROM {TABLE} WHERE last_seen < ? OR created_at < ?",
                (now - self.idle_seconds, now - self.absolute_seconds),
            )
            tx.execute(
                f"INSERT INTO {TABLE} (session_hash, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, identity.user, groups, identity.authenticated_by, method, now, now),
            )
            count = int(tx.execute(f"SELECT COUNT(*) FROM {TABLE}")[0][0])
            if count > self.max_sessions:  # the least recently used go first
                tx.execute(
                    f"DELETE FROM {TABLE} WHERE session_hash IN "
                    f"(SELECT session_hash FROM {TABLE} ORDER BY last_seen, created_at LIMIT ?)",
                    (count - self.max_sessions,),
                )
        self._remember(key, session)
        return session_id, session

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id (its idle timer restarts), or None. Without the state
        store nobody is signed in (logged): a session is never assumed."""
        if not session_id or len(session_id) > 128:
            return None
        key = _key(session_id)
        now = self._clock()
        try:
            session = self._cached(key)
            if session is None or not self._alive(session, now):
                session = self._load(key, session_id)  # another instance may have used it since
                if session is None:  # unknown (forged, ended): nothing is written
                    self._forget(key)
                    return None
                if not self._alive(session, now):
                    self.end(session_id)
                    return None
                # cached for cache_seconds from this read (a hit never extends it): a sign-out
                # elsewhere is seen within that bound
                self._remember(key, session)
            session.last_used = now
            if now - session.recorded >= self.touch_seconds:
                if not self._touch(key, now):
                    self._forget(key)  # signed out elsewhere
                    return None
                session.recorded = now
            return session
        except StoreError as exc:
            log.warning("web UI sessions cannot be read from the state store: %s", exc)
            return None

    def _load(self, key: str, session_id: str) -> Session | None:
        with self.backend.transaction() as tx:
            rows = tx.execute(f"SELECT {_COLUMNS} FROM {TABLE} WHERE session_hash = ?", (key,))
        if not rows:
            return None
        user, groups, authenticated_by, method, created, last_seen = rows[0]
        identity = Identity(str(user), tuple(json.loads(groups)), str(authenticated_by))
        seen = float(last_seen)
        return Session(identity, csrf_token_of(session_id), float(created), seen, str(method), seen)

    def _touch(self, key: str, now: float) -> bool:
        """Record a use; False when the session is no longer in the store."""
        with self.backend.transaction() as tx:
            tx.execute(f"UPDATE {TABLE} SET last_seen = ? WHERE session_hash = ?", (now, key))
            found = tx.execute(f"SELECT 1 FROM {TABLE} WHERE session_hash = ?", (key,))
        return bool(found)

    def end(self, session_id: str | None) -> bool:
        """Sign out: the session ends on this instance at once, on the others within
        ``cache_seconds``."""
        if not session_id or len(session_id) > 128:
            return False
        key = _key(session_id)
        self._forget(key)
        with self.backend.transaction(lock="ui_sessions") as tx:
            found = tx.execute(f"SELECT 1 FROM {TABLE} WHERE session_hash = ?", (key,))
            tx.execute(f"DELETE FROM {TABLE} WHERE session_hash = ?", (key,))
        return bool(found)

    def __len__(self) -> int:
        """The live sessions."""
        now = self._clock()
        with self.backend.transaction() as tx:
            rows = tx.execute(
                f"SELECT COUNT(*) FROM {TABLE} WHERE last_seen >= ? AND created_at >= ?",
                (now - self.idle_seconds, now - self.absolute_seconds),
            )
        return int(rows[0][0])
