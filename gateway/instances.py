"""The gateway instances of a cluster, in the state store every instance shares.

Each instance (``server.cluster``) writes a row into ``lakegate_instances`` when it starts: its
node id (the last part of every query id it makes), the address at which the others reach it
(``server.cluster.internal_address``), and a heartbeat it renews every ``heartbeat_seconds``.
When it stops it marks itself ``gone``; one that dies without stopping is gone once its
heartbeat is older than ``stale_seconds``. Another instance asked about one of its queries looks
the owner up here (:meth:`InstanceDirectory.owner`): a live owner gets the request forwarded
(gateway/owner_forwarding.py), a gone one means its running queries died with it, and a node id
that was never registered is no query of this cluster.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from catalog.store.backends import Backend, StoreError

log = logging.getLogger("lakegate.instances")
TABLE = "lakegate_instances"
#: a query id (gateway/queries.py) ends with its owner's node id
_QUERY_ID = re.compile(r"^[0-9]{8}_[0-9]{6}_[0-9]{5}_(?P<node>[a-z0-9]{1,16})$")
#: rows of instances gone this long are deleted (a client paging a query of theirs is told it is
#: gone until then, then that it is not found)
FORGET_SECONDS = 86400.0
#: how long a looked-up row is reused before the store is read again
CACHE_SECONDS = 1.0

OwnerState = Literal["live", "gone", "unknown"]


class InstanceConflict(Exception):
    """Another live instance already uses this node id."""


def owner_of(query_id: str) -> str | None:
    """The node id at the end of a query id, or None when it is not a query id."""
    match = _QUERY_ID.match(query_id)
    return match.group("node") if match else None


@dataclass(frozen=True, slots=True)
class Owner:
    node_id: str
    state: OwnerState
    #: where it is reached (live, or gone: where it was)
    address: str | None = None


class InstanceDirectory:
    def __init__(
        self,
        backend: Backend,
        node_id: str,
        address: str,
        *,
        heartbeat_seconds: float = 2.0,
        stale_seconds: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.backend = backend
        self.node_id = node_id
        self.address = address
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_seconds = stale_seconds
        self._clock = clock
        self._cache: dict[str, tuple[float, Owner]] = {}
        self._lock = threading.Lock()

    # -- this instance ------------------------------------------------------------------------
    def register(self) -> None:
        """Join the cluster. Raises InstanceConflict when a live instance elsewhere has this node
        id (two instances with one id would take each other's queries), StoreError when the
        state store cannot be written."""
        now = self._clock()
        with self.backend.transaction(lock=f"{TABLE}:{self.node_id}") as tx:
            rows = tx.execute(
                f"SELECT address, state, heartbeat_at FROM {TABLE} WHERE node_id = ?", (self.node_id,)
            )
            if rows:
                address, state, heartbeat = rows[0]
                if address != self.address and state == "up" and now - float(heartbeat) < self.stale_seconds:
                    raise InstanceConflict(
                        f"node id {self.node_id} is in use by a live instance at {address}: give each "
                        "instance its own server.node_id (or leave it out for a random one)"
                    )
            tx.execute(
                f"INSERT INTO {TABLE} (node_id, address, state, started_at, heartbeat_at) "
                "VALUES (?, ?, 'up', ?, ?) ON CONFLICT (node_id) DO UPDATE SET "
                "address = excluded.address, state = 'up', started_at = excluded.started_at, "
                "heartbeat_at = excluded.heartbeat_at",
                (self.node_id, self.address, now, now),
            )
        log.info("instance %s joined the cluster at %s", self.node_id, self.address)

    def heartbeat(self) -> None:
        """Renew this instance's heartbeat (a row lost meanwhile is written again) and forget
        instances gone for a day."""
        now = self._clock()
        with self.backend.transaction() as tx:
            tx.execute(
                f"INSERT INTO {TABLE} (node_id, address, state, started_at, heartbeat_at) "
                "VALUES (?, ?, 'up', ?, ?) ON CONFLICT (node_id) DO UPDATE SET "
                "address = excluded.address, state = 'up', heartbeat_at = excluded.heartbeat_at",
                (self.node_id, self.address, now, now),
            )
            tx.execute(f"DELETE FROM {TABLE} WHERE heartbeat_at < ?", (now - FORGET_SECONDS,))

    def heartbeat_safely(self) -> None:
        try:
            self.heartbeat()
        except StoreError as exc:
            log.warning("the heartbeat cannot be written to the state store: %s", exc)

    def leave(self) -> None:
        """Mark this instance gone (its running queries are over: it is stopping)."""
        try:
            with self.backend.transaction() as tx:
                tx.execute(
                    f"UPDATE {TABLE} SET state = 'gone' WHERE node_id = ? AND address = ?",
                    (self.node_id, self.address),
                )
        except StoreError as exc:
            log.warning("could not mark this instance gone in the state store: %s", exc)

    # -- the others ---------------------------------------------------------------------------
    def cached_owner(self, node_id: str) -> Owner | None:
        """The owner as looked up less than a second ago, without reading the store."""
        with self._lock:
            cached = self._cache.get(node_id)
        if cached is not None and self._clock() - cached[0] < CACHE_SECONDS:
            return cached[1]
        return None

    def owner(self, node_id: str) -> Owner:
        """Where the instance with this node id is, if it is live. Raises StoreError."""
        cached = self.cached_owner(node_id)
        if cached is not None:
            return cached
        now = self._clock()
        with self.backend.transaction() as tx:
            rows = tx.execute(
                f"SELECT address, state, heartbeat_at FROM {TABLE} WHERE node_id = ?", (node_id,)
            )
        if not rows:
            found = Owner(node_id, "unknown")
        else:
            address, state, heartbeat = rows[0]
            live = state == "up" and now - float(heartbeat) < self.stale_seconds
            found = Owner(node_id, "live" if live else "gone", str(address))
        with self._lock:
            self._cache[node_id] = (now, found)
        return found

    def forget_cached(self, node_id: str) -> None:
        with self._lock:
            self._cache.pop(node_id, None)

    def live(self) -> list[Owner]:
        """Every live instance, this one included."""
        now = self._clock()
        with self.backend.transaction() as tx:
            rows = tx.execute(
                f"SELECT node_id, address FROM {TABLE} WHERE state = 'up' AND heartbeat_at >= ?",
                (now - self.stale_seconds,),
            )
        return [Owner(str(node), "live", str(address)) for node, address in sorted(rows)]
