"""The Trino door's queries by id, and the reaper that cancels the ones clients abandoned.

A query whose client has not asked for anything for ``client_timeout_seconds`` is canceled
(Trino's ABANDONED_QUERY); queries that are over stay answerable for a while (a replayed last
page, a late DELETE), then are forgotten. The reaper is a timer on the event loop that runs
only while there are queries.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from gateway.frontdoors.trino.paging import ABANDONED_PREFIX, PagedQuery
from gateway.frontdoors.trino.settings import TrinoSettings

#: how long the last page of a finished query is kept for a client's retry
_REPLAY_SECONDS = 10.0


class QueryStore:
    def __init__(self, settings: TrinoSettings) -> None:
        self.settings = settings
        self._queries: dict[str, PagedQuery] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._interval = min(1.0, max(0.05, settings.client_timeout_seconds / 4))

    def __len__(self) -> int:
        return len(self._queries)

    def add(self, query: PagedQuery) -> None:
        self._queries[query.id] = query
        self._schedule()

    def get(self, query_id: str) -> PagedQuery | None:
        return self._queries.get(query_id)

    def _schedule(self) -> None:
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self.sweep)

    def sweep(self) -> None:
        """Cancel abandoned queries and forget old finished ones."""
        self._timer = None
        now = time.monotonic()
        settings = self.settings
        over: list[PagedQuery] = []
        for query in list(self._queries.values()):
            idle = now - query.last_access
            if not query.over and not query.busy and idle > settings.client_timeout_seconds:
                query.cancel(_abandoned(query.id, idle))
            if query.over:
                over.append(query)
                if query.over_at is not None and now - query.over_at > _REPLAY_SECONDS:
                    query.forget_last_page()  # retries come at once; memory stays small
        expired = [
            q for q in over if q.over_at is not None and now - q.over_at > settings.retain_finished_seconds
        ]
        over.sort(key=lambda q: q.over_at or 0.0)
        excess = over[: max(0, len(over) - settings.retain_finished_queries)]
        for query in (*expired, *excess):
            self._queries.pop(query.id, None)
        if self._queries:
            self._schedule()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _abandoned(query_id: str, idle: float) -> str:
    now = datetime.now(UTC)
    since = now - timedelta(seconds=idle)
    return (
        f"{ABANDONED_PREFIX}query {query_id} was abandoned by the client, as it may have exited or "
        f"stopped checking for query results. Query results have not been accessed since "
        f"{since.isoformat(timespec='seconds')}: currentTime {now.isoformat(timespec='seconds')}"
    )
