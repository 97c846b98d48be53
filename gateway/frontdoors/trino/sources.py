"""Where a Trino query's rows come from: an engine query, or a table the door built itself.

Both hand over JSON rows (``EncodedRows``) one batch at a time and only when asked, so a query
holds a bounded amount of memory whatever its size; waiting never loses an item (a pending
fetch is kept for the next request rather than canceled).
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import AsyncIterator
from concurrent.futures import Future
from typing import Any, Protocol

import pyarrow as pa

from gateway.errors import ErrorCode, LakegateError
from gateway.execution import RunningQuery
from gateway.frontdoors.trino.encoding import EncodedRows, RowEncoder
from gateway.queries import QueryRecord
from gateway.service import Gateway


class Signal(enum.Enum):
    END = "end"  # no more rows
    WAIT = "wait"  # nothing yet; ask again


Item = EncodedRows | Signal


class ResultSource(Protocol):
    record: QueryRecord

    async def schema(self, wait: float) -> pa.Schema | None:
        """The result's schema, or None if it is not known within ``wait`` seconds."""
        ...

    async def next_rows(self, wait: float) -> Item:
        """The next batch of rows, END, or WAIT after ``wait`` seconds; LakegateError on failure."""
        ...

    def cancel(self) -> None:
        """Stop producing (the record's cancellation already says why)."""
        ...

    def finish(self, error: LakegateError | None) -> Future[None] | None:
        """The query is over for the client: free what it holds and record how it ended (once).
        Returns the audit record's durability (None when already recorded)."""
        ...


def _canceled(record: QueryRecord) -> LakegateError:
    return LakegateError(ErrorCode.QUERY_CANCELED, record.cancellation.reason)


async def _wait(task: asyncio.Future[Any], wait: float) -> bool:
    if not task.done():
        await asyncio.wait({task}, timeout=max(wait, 0))
    return task.done()


class EngineSource:
    """A query the gateway's executor runs (``Gateway.start_query``), given as the task that
    starts it: while the query waits in its resource group's queue the pages say QUEUED, and
    the client keeps following ``nextUri`` until it runs."""

    def __init__(self, gateway: Gateway, record: QueryRecord, starting: asyncio.Future[RunningQuery]) -> None:
        self.gateway = gateway
        self.record = record
        self._starting = starting
        self.running: RunningQuery | None = None
        self._schema: asyncio.Future[pa.Schema] | None = None
        self._payloads: AsyncIterator[Any] | None = None
        self._next: asyncio.Future[Any] | None = None
        self._finished = False

    async def _started(self, wait: float) -> RunningQuery | None:
        """The running query, or None while it still waits (or plans) after ``wait`` seconds.
        Raises the LakegateError that kept it from starting."""
        if self.running is None:
            if not await _wait(self._starting, wait):
                return None
            if self._starting.cancelled():
                raise _canceled(self.record)
            self.running = self._starting.result()
            self._schema = asyncio.ensure_future(self.running.schema())
            self._payloads = self.running.payloads()
        return self.running

    async def schema(self, wait: float) -> pa.Schema | None:
        deadline = time.monotonic() + wait
        if await self._started(wait) is None:
            return None
        assert self._schema is not None
        if not await _wait(self._schema, deadline - time.monotonic()):
            return None
        if self._schema.cancelled():
            raise _canceled(self.record)
        return self._schema.result()

    async def next_rows(self, wait: float) -> Item:
        if self._payloads is None:
            raise LakegateError(ErrorCode.INTERNAL_ERROR, "rows were asked for before the query started")
        if self._next is None:
            self._next = asyncio.ensure_future(anext(self._payloads))
        if not await _wait(self._next, wait):
            return Signal.WAIT
        task, self._next = self._next, None
        if task.cancelled():
            raise _canceled(self.record)
        try:
            item = task.result()
        except StopAsyncIteration:
            return Signal.END
        if not isinstance(item, EncodedRows):
            raise LakegateError(ErrorCode.INTERNAL_ERROR, "the query produced rows in an unexpected form")
        return item

    def cancel(self) -> None:
        # A query still waiting for its turn leaves the queue through its record's cancellation.
        for task in (self._schema, self._next):
            if task is not None and not task.done():
                task.cancel()

    def finish(self, error: LakegateError | None) -> Future[None] | None:
        if self._finished:
            return None
        self._finished = True
        self.cancel()
        if error is None and self.record.cancellation.canceled:
            error = _canceled(self.record)
        if self.running is not None:
            return self.gateway.end(self.running, error)
        if not self._starting.done():
            # Over for the client while still queued or planning: the query ends now (a second
            # kill finds it over), and a start that wins the race is stopped and its slot freed.
            self._starting.add_done_callback(lambda task: self._end_late_start(task, error))
            return self.gateway.finish(self.record, error)
        if not self._starting.cancelled() and self._starting.exception() is None:
            self.running = self._starting.result()
            return self.gateway.end(self.running, error)
        return self.gateway.finish(self.record, error)  # already recorded by start_query

    def _end_late_start(self, task: asyncio.Future[RunningQuery], error: LakegateError | None) -> None:
        if task.cancelled() or task.exception() is not None:
            return
        running = task.result()
        self.gateway.cancel(running.record, self.record.cancellation.reason)
        self.gateway.end(running, error or _canceled(self.record))


class TableSource:
    """A result the door computed itself (metadata queries, DESCRIBE OUTPUT, SHOW SESSION)."""

    BATCH_ROWS = 8192

    def __init__(self, gateway: Gateway, record: QueryRecord, table: pa.Table, encoder: RowEncoder) -> None:
        self.gateway = gateway
        self.record = record
        self.table = table
        self.encoder = encoder
        self._batches = iter(table.to_batches(max_chunksize=self.BATCH_ROWS))
        self._finished = False

    async def schema(self, wait: float) -> pa.Schema | None:
        return self.table.schema

    async def next_rows(self, wait: float) -> Item:
        if self.record.cancellation.canceled:
            raise _canceled(self.record)
        for batch in self._batches:
            if batch.num_rows == 0:
                continue
            rows = (
                self.encoder(batch) if batch.num_rows < 1024 else await asyncio.to_thread(self.encoder, batch)
            )
            self.record.add(batch.num_rows, len(rows))
            return rows
        return Signal.END

    def cancel(self) -> None:
        self._batches = iter(())

    def finish(self, error: LakegateError | None) -> Future[None] | None:
        if self._finished:
            return None
        self._finished = True
        if error is None and self.record.cancellation.canceled:
            error = _canceled(self.record)
        return self.gateway.finish(self.record, error)
