"""Server-side sign-in sessions for the web UI.

The cookie carries only a random session id (256 bits); the store keys sessions by the id's
SHA-256, so neither a memory dump nor a log line of keys gives a usable cookie. A session ends
when unused for ``idle_seconds``, ``absolute_seconds`` after sign-in in any case, or at sign-out.
Each session has its own CSRF token, which every state-changing request it makes must carry.
Sessions live in the server's memory: a restart signs everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from auth.identity import Identity


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


@dataclass
class Session:
    identity: Identity
    csrf_token: str
    created: float
    last_used: float
    #: how the user signed in: "password" (the form) or "oidc"
    method: str = "password"
    extra: dict[str, str] = field(default_factory=dict)

    def csrf_matches(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.csrf_token.encode())


class SessionStore:
    def __init__(
        self,
        *,
        idle_seconds: float,
        absolute_seconds: float,
        max_sessions: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        self.max_sessions = max_sessions
        self._clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    def create(self, identity: Identity, method: str = "password") -> tuple[str, Session]:
        """A new session; returns its id (for the cookie, never stored) and the session."""
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        session = Session(identity, secrets.token_urlsafe(32), now, now, method)
        with self._lock:
            self._sessions[_key(session_id)] = session
            while len(self._sessions) > self.max_sessions:  # the least recently used goes first
                self._sessions.popitem(last=False)
        return session_id, session

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id (its idle timer restarts), or None."""
        if not session_id or len(session_id) > 128:
            return None
        key = _key(session_id)
        now = self._clock()
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                return None
            if now - session.last_used > self.idle_seconds or now - session.created > self.absolute_seconds:
                del self._sessions[key]
                return None
            session.last_used = now
            self._sessions.move_to_end(key)
            return session

    def end(self, session_id: str | None) -> bool:
        if not session_id:
            return False
        with self._lock:
            return self._sessions.pop(_key(session_id), None) is not None

    def __len__(self) -> int:
        return len(self._sessions)
