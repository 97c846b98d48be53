"""Kill a query that another instance runs, through the state store every instance shares.

A query id ends with its owner's ``server.node_id`` (``20261205_081500_00042_n2``). An instance
asked to kill a query that another instance owns (``CALL system.runtime.kill_query`` through the
Trino door, which the balancer sends anywhere; ``DELETE /v1/queries/{id}`` sent to an instance
directly) writes a kill request into the state store (table ``lakegate_kill_requests``: the
query, the caller's user, whether the caller is a policy admin, the reason). The owner looks for
requests addressed to it every ``poll_seconds`` (0.5), cancels the query when the caller owns it
or is an admin, and writes the outcome; the requester waits up to ``wait_seconds`` (5) for it
and answers as if the query were its own. An owner that does not answer (it is gone, and its
queries with it) leaves the query "not found". The caller is authenticated and its admin right
decided by the instance it reached (every instance has the same users and policies); no
instance needs another's address or a shared secret, only the state store.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable
from typing import Literal

from catalog.store.backends import Backend, StoreError

log = logging.getLogger("lakegate.kill")
TABLE = "lakegate_kill_requests"
Outcome = Literal["killed", "not_found", "not_running"]
OUTCOMES: frozenset[str] = frozenset({"killed", "not_found", "not_running"})
_QUERY_ID = re.compile(r"^[0-9]{8}_[0-9]{6}_[0-9]{5}_(?P<node>[a-z0-9]{1,16})$")
#: requests older than this are gone: answered and forgotten, or never answered
_KEEP_SECONDS = 60.0

#: the owner's side: (query id, caller's user, caller is an admin, reason) -> outcome
Handler = Callable[[str, str, bool, str], Outcome]


class KillRequests:
    def __init__(
        self,
        backend: Backend,
        node_id: str,
        *,
        poll_seconds: float = 0.5,
        wait_seconds: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.backend = backend
        self.node_id = node_id
        self.poll_seconds = poll_seconds
        self.wait_seconds = wait_seconds
        self._clock = clock
        self._cleaned = 0.0

    def owner_elsewhere(self, query_id: str) -> str | None:
        """The node id of the instance that owns this query, when it is not this one."""
        match = _QUERY_ID.match(query_id)
        if match is None or match.group("node") == self.node_id:
            return None
        return match.group("node")

    # -- the requester ------------------------------------------------------------------------
    def request(self, query_id: str, user: str, admin: bool, reason: str) -> Outcome:
        """Ask the owner to kill the query and wait for its answer (blocks; call it from a
        worker thread). Raises StoreError when the state store cannot be written."""
        owner = self.owner_elsewhere(query_id)
        if owner is None:
            raise ValueError(f"query {query_id} is not another instance's")
        request_id = secrets.token_hex(16)
        now = self._clock()
        with self.backend.transaction() as tx:
            tx.execute(
                f"INSERT INTO {TABLE} (request_id, query_id, node_id, requested_by, admin, message, "
                "requested_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                (request_id, query_id, owner, user, int(admin), reason[:4096], now),
            )
        deadline = time.monotonic() + self.wait_seconds
        outcome: Outcome = "not_found"
        try:
            while time.monotonic() < deadline:
                time.sleep(min(0.05, self.poll_seconds / 4))
                with self.backend.transaction() as tx:
                    rows = tx.execute(f"SELECT outcome FROM {TABLE} WHERE request_id = ?", (request_id,))
                answer = rows[0][0] if rows else None
                if answer in OUTCOMES:
                    outcome = answer
                    break
            else:
                log.warning("instance %s did not answer the kill request for query %s", owner, query_id)
        finally:
            with self.backend.transaction() as tx:
                tx.execute(f"DELETE FROM {TABLE} WHERE request_id = ?", (request_id,))
        return outcome

    # -- the owner ----------------------------------------------------------------------------
    def serve_once(self, handle: Handler) -> int:
        """Answer the requests addressed to this instance; returns how many."""
        with self.backend.transaction() as tx:
            rows = tx.execute(
                f"SELECT request_id, query_id, requested_by, admin, message FROM {TABLE} "
                "WHERE node_id = ? AND outcome IS NULL",
                (self.node_id,),
            )
        for request_id, query_id, user, admin, reason in rows:
            try:
                outcome = handle(str(query_id), str(user), bool(admin), str(reason))
            except Exception:  # one bad request must not stop the others
                log.exception("the kill request for query %s failed", query_id)
                outcome = "not_found"
            with self.backend.transaction() as tx:
                tx.execute(f"UPDATE {TABLE} SET outcome = ? WHERE request_id = ?", (outcome, request_id))
        now = self._clock()
        if now - self._cleaned > _KEEP_SECONDS:
            self._cleaned = now
            with self.backend.transaction() as tx:
                tx.execute(f"DELETE FROM {TABLE} WHERE requested_at < ?", (now - _KEEP_SECONDS,))
        return len(rows)

    def serve_safely(self, handle: Handler) -> int:
        try:
            return self.serve_once(handle)
        except StoreError as exc:
            log.warning("kill requests cannot be read from the state store: %s", exc)
            return 0
