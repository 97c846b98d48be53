"""Every query's id, owner, state and counters, from submission to a bounded history."""

from __future__ import annotations

import hashlib
import itertools
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cachetools import LRUCache

from connectors.base import Cancellation, RoutingHints
from gateway.errors import LakegateError

if TYPE_CHECKING:
    from gateway.observability.tracing import QueryTrace


class QueryState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


TERMINAL = {QueryState.FINISHED, QueryState.FAILED, QueryState.CANCELED}
_ALPHABET = string.ascii_lowercase + string.digits


@dataclass
class QueryRecord:
    id: str
    user: str
    sql: str
    source: str
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    state: QueryState = QueryState.QUEUED
    rows: int = 0
    bytes: int = 0
    error: LakegateError | None = None
    cancellation: Cancellation = field(default_factory=Cancellation)
    groups: tuple[str, ...] = ()
    client_address: str | None = None
    #: the authorization decisions the query's plan took (for the audit log)
    decisions: tuple[Any, ...] = ()
    #: who runs it and what the client asked for, for engines that route (Trino clusters)
    hints: RoutingHints | None = None
    #: the resource group it was admitted under (or waits in)
    resource_group: str | None = None
    #: its OpenTelemetry spans (queries the gateway plans and runs)
    trace: QueryTrace | None = field(default=None, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def sql_hash(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    def start(self) -> None:
        with self.lock:
            if self.state is QueryState.QUEUED:
                self.state = QueryState.RUNNING
                self.started = time.time()

    def finish(self, state: QueryState, error: LakegateError | None = None) -> bool:
        """Move to a terminal state once; later calls change nothing."""
        with self.lock:
            if self.state in TERMINAL:
                return False
            self.state = state
            self.error = error
            self.finished = time.time()
            return True

    def add(self, rows: int, nbytes: int) -> None:
        self.rows += rows
        self.bytes += nbytes

    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.created

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "state": self.state.value,
            "sql": self.sql,
            "source": self.source,
            "created": _iso(self.created),
            "started": _iso(self.started),
            "finished": _iso(self.finished),
            "elapsed_ms": round(self.elapsed() * 1000, 3),
            "rows": self.rows,
            "bytes": self.bytes,
            "error": self.error.problem(self.id) if self.error else None,
            "resource_group": self.resource_group,
        }


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat() if ts is not None else None


def random_node_id() -> str:
    """A node id for an instance that was given none (``server.node_id``)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(5))


class QueryRegistry:
    """Running queries plus the most recent finished ones; ids look like Trino's."""

    def __init__(self, history_size: int = 1000, node_id: str | None = None) -> None:
        self._records: LRUCache[str, QueryRecord] = LRUCache(maxsize=history_size)
        self._running: dict[str, QueryRecord] = {}
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        #: (the second, its UTC text) of the last id made
        self._stamp: tuple[int, str] = (-1, "")
        self._node = node_id or random_node_id()

    def new_id(self) -> str:
        second = int(time.time())
        stamp = self._stamp
        if stamp[0] != second:  # the time part is formatted once a second, not once a query
            stamp = self._stamp = (second, time.strftime("%Y%m%d_%H%M%S", time.gmtime(second)))
        return f"{stamp[1]}_{next(self._counter) % 100000:05d}_{self._node}"

    def create(
        self,
        user: str,
        sql: str,
        source: str,
        groups: tuple[str, ...] = (),
        client_address: str | None = None,
    ) -> QueryRecord:
        record = QueryRecord(self.new_id(), user, sql, source, groups=groups, client_address=client_address)
        with self._lock:
            self._records[record.id] = record
            self._running[record.id] = record
        return record

    def done(self, record: QueryRecord) -> None:
        with self._lock:
            self._running.pop(record.id, None)

    def get(self, query_id: str) -> QueryRecord | None:
        with self._lock:
            return self._running.get(query_id) or self._records.get(query_id)

    def running(self) -> list[QueryRecord]:
        with self._lock:
            return list(self._running.values())

    def recent(self) -> list[QueryRecord]:
        with self._lock:
            return list(self._records.values())
