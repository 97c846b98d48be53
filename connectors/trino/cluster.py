"""One Trino cluster: where it is, how Lakegate signs in, and a client connection per query.

Lakegate authenticates with its own service credential (``Authorization``: Basic or Bearer) and
runs each query as the end user (``X-Trino-User``): Trino checks that the service principal may
impersonate that user. Credentials are already resolved; they never appear in a repr, a log
line or an error message.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import trino.dbapi
from trino.auth import Authentication

#: the spooling protocol's request header: Lakegate reads results inline, so it never asks
SPOOLING_HEADER = "X-Trino-Query-Data-Encoding"
DEFAULT_SOURCE = "lakegate"

_connect: Callable[..., Any] = trino.dbapi.connect


class _SignIn:
    """A ``requests`` auth hook: adds the service credential and drops the spooling request."""

    __slots__ = ("_authorization",)

    def __init__(self, authorization: str | None) -> None:
        self._authorization = authorization

    def __call__(self, request: Any) -> Any:
        request.headers.pop(SPOOLING_HEADER, None)
        if self._authorization is not None:
            request.headers["Authorization"] = self._authorization
        return request

    def __repr__(self) -> str:
        return "_SignIn(***)"


class ServiceCredential(Authentication):
    """Lakegate's own credential on a cluster (Basic user and password, or a Bearer token).

    Also makes sure the client never requests spooled results: the ``trino`` client asks for
    them by default and, with ``encoding=None``, still asks when a codec is not installed.
    """

    def __init__(self, authorization: str | None) -> None:
        self._hook = _SignIn(authorization)

    def set_http_session(self, http_session: Any) -> Any:
        http_session.auth = self._hook
        return http_session

    def get_exceptions(self) -> tuple[Any, ...]:
        return ()

    def __repr__(self) -> str:
        return "ServiceCredential(***)"


@dataclass(eq=False)
class TrinoCluster:
    """A coordinator Lakegate may send queries to, in one routing group."""

    name: str
    url: str
    group: str = "adhoc"
    #: the service user (Lakegate's principal on the cluster)
    user: str = "lakegate"
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    #: TLS: verify the certificate (True), don't (False), or trust this CA bundle file
    verify: bool | str = True
    connect_timeout: float = 2.0
    #: how long one HTTP request may wait for an answer (Trino answers a poll within ~1 s)
    request_timeout: float = 10.0
    #: attempts per HTTP request (the client retries refused connections and 502/503/504)
    max_attempts: int = 2
    #: send the credential over plain http (only behind a TLS-terminating mesh)
    allow_insecure_auth: bool = False
    _running: int = field(default=0, init=False, repr=False)
    _last_pick: float = field(default=0.0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
            raise ValueError(f"Trino cluster {self.name}: url must be http(s)://host[:port]")
        if parts.username or parts.password:
            raise ValueError(f"Trino cluster {self.name}: put credentials in user/password, not the url")
        if self.password is not None and self.token is not None:
            raise ValueError(f"Trino cluster {self.name}: give a password or a token, not both")
        if self.has_credential and parts.scheme == "http" and not self.allow_insecure_auth:
            raise ValueError(
                f"Trino cluster {self.name}: credentials are only sent over https "
                "(set allow_insecure_auth only behind a TLS-terminating proxy or mesh)"
            )
        self.url = self.url.rstrip("/")

    def __repr__(self) -> str:
        return f"TrinoCluster(name={self.name!r}, url={self.url!r}, group={self.group!r}, user={self.user!r})"

    __str__ = __repr__

    @property
    def has_credential(self) -> bool:
        return self.password is not None or self.token is not None

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values to scrub from any text that leaves the connector."""
        header = self._authorization()
        encoded = header.split(" ", 1)[1] if header else None
        return tuple(v for v in (self.password, self.token, header, encoded) if v)

    def _authorization(self) -> str | None:
        if self.token is not None:
            return f"Bearer {self.token}"
        if self.password is not None:
            pair = f"{self.user}:{self.password}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return None

    def connect(
        self,
        end_user: str | None,
        *,
        source: str | None = None,
        client_tags: tuple[str, ...] = (),
    ) -> Any:
        """A ``trino.dbapi`` connection for one query, running as ``end_user`` (impersonated).

        Without an end user the query runs as the service user itself.
        """
        return _connect(
            host=self.url,
            user=end_user or self.user,
            source=source or DEFAULT_SOURCE,
            client_tags=list(client_tags) or None,
            auth=ServiceCredential(self._authorization()),
            # No credential travels when there is none; with one, the config allowed http.
            allow_insecure_auth=True,
            verify=self.verify,
            max_attempts=self.max_attempts,
            request_timeout=(self.connect_timeout, self.request_timeout),
            encoding=None,  # no spooling: results inline, in the JSON pages
            legacy_primitive_types=True,  # raw values: Arrow parses them column by column
            timezone="UTC",
        )

    # -- load, for the query-count router ---------------------------------------------------
    @property
    def running(self) -> int:
        with self._lock:
            return self._running

    @property
    def last_pick(self) -> float:
        with self._lock:
            return self._last_pick

    def started(self) -> None:
        with self._lock:
            self._running += 1
            self._last_pick = time.monotonic()

    def ended(self) -> None:
        with self._lock:
            self._running = max(0, self._running - 1)
