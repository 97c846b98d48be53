"""One Trino query's pages: tokens, replays, long polls, and the end of the query.

The client GETs ``nextUri`` with token N for page N. Asking again for the page just served
returns it unchanged (clients retry); an older token is gone (410) and a token beyond the next
is unknown (404), as in Trino. A page waits up to ``maxWait`` for rows rather than answering
empty at once (the Python client re-polls without sleeping), and holds up to
``targetResultSize`` bytes of rows, taken from the source only as the client asks for them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Future
from typing import Any

from gateway.errors import ErrorCode, LakegateError
from gateway.frontdoors.trino import protocol, types
from gateway.frontdoors.trino.encoding import EncodedRows
from gateway.frontdoors.trino.errors import ABANDONED_QUERY, ADMINISTRATIVELY_KILLED, door_error
from gateway.frontdoors.trino.sources import ResultSource, Signal
from gateway.metrics import Metrics
from gateway.queries import QueryRecord
from gateway.service import await_recorded

log = logging.getLogger(__name__)
#: once a page has rows, how long to wait for more (or for the end) before sending it
_TOP_UP_SECONDS = 0.01
ABANDONED_PREFIX = "Query abandoned: "
KILLED_PREFIX = "Query killed. Message: "


class Gone(Exception):
    """An older page than the last one served: its rows are gone (HTTP 410)."""


class NotFound(Exception):
    """No such page or query (HTTP 404 "Query not found")."""


def cancel_error(reason: str) -> LakegateError:
    """The error a canceled query reports, by why it was canceled."""
    if reason.startswith("timeout"):
        return LakegateError(ErrorCode.QUERY_TIMEOUT, reason)
    if reason.startswith("result"):
        return LakegateError(ErrorCode.RESULT_TOO_LARGE, reason)
    if reason.startswith(KILLED_PREFIX):
        return door_error(ADMINISTRATIVELY_KILLED, reason, ErrorCode.QUERY_CANCELED)
    if reason.startswith(ABANDONED_PREFIX):
        return door_error(ABANDONED_QUERY, reason, ErrorCode.QUERY_CANCELED)
    return LakegateError(ErrorCode.QUERY_CANCELED, reason)


class PagedQuery:
    def __init__(
        self,
        source: ResultSource,
        *,
        slug: str,
        headers: list[tuple[str, str]],
        metrics: Metrics,
        update_type: str | None = None,
        parametric_datetime: bool = True,
    ) -> None:
        self.source = source
        self.parametric_datetime = parametric_datetime
        self.slug = slug
        self.headers = headers
        self.metrics = metrics
        self.update_type = update_type
        self.last_access = time.monotonic()
        self.over_at: float | None = None
        self._lock = asyncio.Lock()
        self._last_token = -1
        self._last_page: bytes | None = None
        self._next_token: int | None = 0
        self._columns: list[dict[str, Any]] | None = None
        self._current: EncodedRows | None = None
        self._position = 0
        self._ended = False
        self._error: LakegateError | None = None
        #: canceled (DELETE, kill, reaper): a page being produced meanwhile is answered plainly
        self._canceled = False

    @property
    def record(self) -> QueryRecord:
        return self.source.record

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def over(self) -> bool:
        """The query no longer runs (finished, failed or canceled); pages may still be asked for."""
        return self.over_at is not None

    @property
    def busy(self) -> bool:
        """A request is producing a page right now (the client is there)."""
        return self._lock.locked()

    async def page(self, token: int, base_url: str, max_wait: float, target_bytes: int) -> bytes:
        self.last_access = time.monotonic()
        try:
            async with self._lock:
                if token == self._last_token and self._last_page is not None:
                    return self._last_page
                if token < self._last_token:
                    raise Gone
                if self._next_token is None or token != self._next_token:
                    raise NotFound
                try:
                    body = await self._produce(token, base_url, max_wait, target_bytes)
                except Exception:  # a bug must not become a 500: the query fails, and says so
                    log.exception("page %d of query %s failed", token, self.id)
                    body = self._internal_error(token, base_url)
                self._last_token, self._last_page = token, body
                return body
        finally:
            self.last_access = time.monotonic()

    def forget_last_page(self) -> None:
        """Drop the cached last page of a query that is over (a late replay is then unknown)."""
        if not self.busy:
            self._last_page = None
            self._next_token = None

    def _internal_error(self, token: int, base_url: str) -> bytes:
        error = LakegateError(ErrorCode.INTERNAL_ERROR, f"query {self.id} failed; the server log has details")
        self._fail(error)
        self._next_token = None
        return protocol.failed(self.record, base_url, error)

    def cancel(self, reason: str) -> None:
        """Stop the query (DELETE, kill_query, the reaper); the next page reports why."""
        if self.over:
            return
        self._canceled = True
        self.record.cancellation.cancel(reason)
        self.source.cancel()
        self._fail(cancel_error(self.record.cancellation.reason))

    def _fail(self, error: LakegateError) -> None:
        if self._error is None:
            self._error = error
        self._end(error)

    def _end(self, error: LakegateError | None) -> Future[None] | None:
        if self.over_at is None:
            self.over_at = time.monotonic()
            return self.source.finish(error)
        return None

    def _exhausted(self) -> bool:
        return self._current is None or self._position >= self._current.num_rows

    async def _gather(self, deadline: float, target_bytes: int) -> tuple[list[memoryview], int, int]:
        parts: list[memoryview] = []
        rows = size = 0
        while size < target_bytes:
            current = self._current
            if current is not None and self._position < current.num_rows:
                end = current.end_row(self._position, target_bytes - size)
                part = current.rows(self._position, end)
                parts.append(part)
                rows += end - self._position
                size += len(part)
                self._position = end
                continue
            self._current = None
            if self._ended:
                break
            remaining = deadline - time.monotonic()
            wait = min(_TOP_UP_SECONDS, remaining) if parts else remaining
            if wait <= 0 and parts:
                break
            try:
                item = await self.source.next_rows(wait)
            except LakegateError as exc:
                self._fail(exc)
                break
            if item is Signal.WAIT:
                break
            if item is Signal.END:
                self._ended = True
                break
            assert isinstance(item, EncodedRows)
            self._current, self._position = item, 0
        return parts, rows, size

    async def _produce(self, token: int, base_url: str, max_wait: float, target_bytes: int) -> bytes:
        deadline = time.monotonic() + max_wait
        record = self.record
        if self._error is None and record.cancellation.canceled:
            self.cancel(record.cancellation.reason)
        canceled_before = self._canceled
        parts: list[memoryview] = []
        rows = 0
        if self._error is None and self._columns is None:
            try:
                schema = await self.source.schema(deadline - time.monotonic())
            except LakegateError as exc:
                self._fail(exc)
            else:
                if schema is not None:
                    self._columns = types.columns(schema, self.parametric_datetime)
        if self._error is None and self._columns is not None:
            parts, rows, _ = await self._gather(deadline, target_bytes)
        # A cancel that arrived while this page was being made is reported on the next one: the
        # client that canceled is no longer waiting for it, and one that is polling gets it then.
        report = self._error if not (self._canceled and not canceled_before) else None
        if parts:
            finished = self._error is None and self._ended and self._exhausted()
        else:
            finished = report is not None or (self._error is None and self._ended and self._exhausted())
        if finished and self._error is None:
            # The page that says FINISHED leaves only once the query's audit record is durable.
            try:
                await await_recorded(self._end(None))
            except LakegateError as exc:
                self._error = report = exc
                parts = []
        self._next_token = None if finished else token + 1
        if report is not None and not parts:
            state = protocol.FAILED
        elif finished:
            state = protocol.FINISHED
        else:
            state = protocol.state_of(record)
        doc = protocol.document(
            record,
            base_url,
            state,
            next=None if finished else protocol.next_uri(base_url, record.id, self.slug, token + 1),
            columns=self._columns,
            error=report if not parts else None,
            update_type=self.update_type,
        )
        data = None
        if parts:
            last = parts[-1]
            data = b"".join((b"[", *parts[:-1], last[: len(last) - 1], b"]"))
        body = protocol.serialize(doc, data)
        self.metrics.rows_streamed.inc(rows)
        self.metrics.bytes_streamed.inc(len(body))
        return body
