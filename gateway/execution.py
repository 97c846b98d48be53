"""Run a plan on a worker thread and hand its Arrow batches to the event loop.

The engine executes on a worker thread (reused across queries, gateway/workers.py; a DuckDB cursor
per query), so a long query never stalls the event loop; batches cross to the loop through a
small bounded buffer, so memory stays flat whatever the result size, and execution overlaps with
sending. Limits (time, rows, bytes) and cancellation are enforced here, for every front door alike.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from connectors.base import ConnectorError, RoutingHints
from gateway.config import QueryLimits
from gateway.conform import conform
from gateway.errors import ErrorCode, LakegateError
from gateway.loop_calls import loop_calls
from gateway.planner.context import Plan
from gateway.planner.semantics.types import NOT_SUPPORTED_PREFIX
from gateway.queries import QueryRecord, QueryState
from gateway.workers import WorkerPool

if TYPE_CHECKING:
    from gateway.admission import Ticket

log = logging.getLogger(__name__)

CONNECTOR_ERRORS = {
    "data": ErrorCode.ENGINE_DATA_ERROR,
    "user": ErrorCode.ENGINE_USER_ERROR,
    "canceled": ErrorCode.QUERY_CANCELED,
    "unavailable": ErrorCode.ENGINE_UNAVAILABLE,
    "resources": ErrorCode.EXCEEDED_MEMORY_LIMIT,
    "engine": ErrorCode.ENGINE_ERROR,
    "refused": ErrorCode.NOT_SUPPORTED,
}

#: What the worker hands over: a schema first, then encoded batches, then None (the end) or an error.
Item = Any
Encoder = Callable[[pa.RecordBatch], Any]


def _identity(batch: pa.RecordBatch) -> pa.RecordBatch:
    return batch


def lakegate_error(exc: BaseException, record: QueryRecord) -> LakegateError:
    if isinstance(exc, LakegateError):
        return exc
    if isinstance(exc, ConnectorError):
        if exc.kind == "canceled":
            return _cancel_error(record)
        if exc.kind == "user" and "not found in FROM clause" in exc.message:
            return LakegateError(ErrorCode.COLUMN_NOT_FOUND, exc.message)
        if exc.kind == "data" and exc.message == "Division by zero":  # raised by the trino_* rewrites
            return LakegateError(ErrorCode.DIVISION_BY_ZERO, exc.message)
        if exc.kind == "data" and exc.message.startswith(NOT_SUPPORTED_PREFIX):  # trino_* rewrites
            return LakegateError(ErrorCode.NOT_SUPPORTED, exc.message.removeprefix(NOT_SUPPORTED_PREFIX))
        return LakegateError(CONNECTOR_ERRORS.get(exc.kind, ErrorCode.ENGINE_ERROR), exc.message)
    log.exception("query %s failed unexpectedly", record.id, exc_info=exc)
    return LakegateError(ErrorCode.INTERNAL_ERROR, f"query {record.id} failed; the server log has details")


def _unreadable_tables_error(plan: Plan, error: LakegateError) -> LakegateError:
    """Name the tables whose storage is gone, rather than the engine's words about files."""
    assert plan.connector is not None
    try:
        missing = plan.connector.unreadable(plan.tables)
    except Exception:
        log.exception("checking the storage of %s failed", plan.tables)
        return error
    if not missing:
        return error
    names = ", ".join(missing)
    return LakegateError(
        ErrorCode.ENGINE_UNAVAILABLE,
        f"the data of table {names} cannot be read: its storage is missing; ask an administrator",
        tables=missing,
    )


def _cancel_error(record: QueryRecord) -> LakegateError:
    reason = record.cancellation.reason
    if reason.startswith("timeout"):
        return LakegateError(ErrorCode.QUERY_TIMEOUT, reason)
    if reason.startswith("result"):
        return LakegateError(ErrorCode.RESULT_TOO_LARGE, reason)
    return LakegateError(ErrorCode.QUERY_CANCELED, reason)


def plain_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Decode dictionary columns (DuckDB ENUMs) so every batch serializes on its own."""
    if not any(pa.types.is_dictionary(f.type) for f in batch.schema):
        return batch
    arrays = [c.dictionary_decode() if pa.types.is_dictionary(c.type) else c for c in batch.columns]
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def plain_schema(schema: pa.Schema) -> pa.Schema:
    fields = [
        pa.field(f.name, f.type.value_type, f.nullable) if pa.types.is_dictionary(f.type) else f
        for f in schema
    ]
    return pa.schema(fields)


class Handover:
    """Items a worker thread hands to the event loop: the first (the schema, or an error) to a
    plain future, the rest to a deque a reader waits on. Items the loop has not taken yet cross
    with one wake-up of the loop (a small query's schema, batch and end usually cross together).
    """

    __slots__ = ("_calls", "_first_handed", "_handed", "_items", "_lock", "_loop", "_waiter", "first")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._calls = loop_calls(loop)
        self._lock = threading.Lock()
        self._handed: list[Item] = []
        self._items: deque[Item] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.first: asyncio.Future[Item] = loop.create_future()
        self._first_handed = False

    def put(self, item: Item) -> None:
        """From the worker thread."""
        with self._lock:
            self._handed.append(item)
            wake = len(self._handed) == 1
        if wake:
            self._calls.call(self._take)

    def _take(self) -> None:
        with self._lock:
            items = self._handed[:]
            self._handed.clear()
        if not self._first_handed and items:
            # the first item is the first future's only (dropped if a reader canceled it:
            # never mistaken for a payload)
            self._first_handed = True
            first = items.pop(0)
            if not self.first.done():
                self.first.set_result(first)
        self._items.extend(items)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> Item:
        """The next item after the first (one reader at a time)."""
        while not self._items:
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()


@dataclass
class RunningQuery:
    """The loop-side handle of one executing plan."""

    record: QueryRecord
    _handover: Handover
    _slots: threading.Semaphore
    released: bool = False
    #: the resource-group slot it holds (given back when the query ends)
    ticket: Ticket | None = None
    _first_taken: bool = False

    async def schema(self) -> pa.Schema:
        """The result's schema: at once for most queries; a long aggregate computes first."""
        first = await self._handover.first
        if isinstance(first, LakegateError):
            raise first
        if not self._first_taken:
            self._first_taken = True
            self._slots.release()
        assert isinstance(first, pa.Schema)
        return first

    async def payloads(self) -> AsyncIterator[Any]:
        """Yield encoded batches; raise LakegateError if the query fails after it started."""
        while True:
            item = await self._handover.get()
            if item is None:
                return
            if isinstance(item, LakegateError):
                raise item
            self._slots.release()
            yield item


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Executor:
    """Starts plans on worker threads, with per-query limits."""

    def __init__(
        self,
        limits: QueryLimits,
        batch_rows: int,
        buffered_batches: int = 3,
        header_wait_seconds: float = 0.5,
    ) -> None:
        self.header_wait_seconds = header_wait_seconds
        self.workers = WorkerPool("query")
        self.limits = limits
        self.batch_rows = batch_rows
        self.buffered_batches = buffered_batches

    async def start(
        self,
        plan: Plan,
        record: QueryRecord,
        encode: Encoder = _identity,
        engine_done: Callable[[], None] | None = None,
    ) -> RunningQuery:
        """Start the plan; return once its schema is known, or raise its error.

        ``engine_done`` is called on the worker thread once the engine is done with the query
        (its last batch handed over, or its error): it gives the engine slot back while the
        answer still travels to the client."""
        loop = asyncio.get_running_loop()
        handover = Handover(loop)
        slots = threading.Semaphore(self.buffered_batches)
        record.start()
        timer = loop.call_later(self.limits.timeout_seconds, self._timeout, record)

        def put(item: Item) -> bool:
            # Block the worker while the buffer is full, but wake up if the query is canceled.
            # The last item (the end, or an error) always goes through, so the loop never waits
            # for a worker that has stopped.
            terminal = item is None or isinstance(item, LakegateError)
            while not terminal and not slots.acquire(timeout=0.05):
                if record.cancellation.canceled:
                    return False
            handover.put(item)
            return True

        self.workers.submit(lambda: self._run(plan, record, put, encode, timer.cancel, loop, engine_done))
        first = handover.first
        if not first.done():
            # Wait a moment for the schema, so that most failures still get a proper error
            # status; a query still computing after that gets its response (and id) at once,
            # body later. (A plain future and a timer: no task, nothing canceled on timeout.)
            waiter: asyncio.Future[None] = loop.create_future()
            first.add_done_callback(lambda _: _wake(waiter))
            wait = loop.call_later(self.header_wait_seconds, _wake, waiter)
            try:
                await waiter
            finally:
                wait.cancel()
        if first.done() and isinstance(first.result(), LakegateError):
            raise first.result()
        return RunningQuery(record, handover, slots)

    def join(self, timeout: float) -> None:
        """Wait for worker threads (already told to stop) to leave the engine."""
        self.workers.join(timeout)
        self.workers.close()

    def _timeout(self, record: QueryRecord) -> None:
        record.cancellation.cancel(f"timeout: the query ran longer than {self.limits.timeout_seconds:g} s")

    def _run(
        self,
        plan: Plan,
        record: QueryRecord,
        put: Callable[[Item], bool],
        encode: Encoder,
        stop_timer: Callable[[], Any],
        loop: asyncio.AbstractEventLoop,
        engine_done: Callable[[], None] | None = None,
    ) -> None:
        batches: Any = None
        try:
            if plan.kind == "local":
                assert plan.local_result is not None
                table = plan.local_result
                schema, batches = table.schema, iter(table.to_batches(max_chunksize=self.batch_rows))
            else:
                assert plan.connector is not None
                assert plan.engine_sql is not None
                hints = replace(
                    record.hints or RoutingHints(user=record.user, groups=record.groups),
                    catalogs=tuple(sorted({table[0] for table in plan.tables})),
                    tables=plan.tables,
                )
                result = plan.connector.execute(plan.engine_sql, record.cancellation, self.batch_rows, hints)
                schema, batches = result.schema, result.batches
            sent = batches
            if plan.result_types or plan.result_names:
                schema, sent = conform(schema, batches, plan.result_types, plan.result_names)
            if put(plain_schema(schema)) and self._send_batches(sent, record, put, encode):
                put(None)
        except BaseException as exc:
            error = lakegate_error(exc, record)
            if isinstance(exc, ConnectorError) and exc.kind == "unavailable" and plan.connector is not None:
                error = _unreadable_tables_error(plan, error)
            if record.cancellation.canceled and not isinstance(exc, LakegateError):
                error = _cancel_error(record)
            put(error)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:
                    log.debug("closing the result of %s failed", record.id)
            if engine_done is not None:
                try:
                    engine_done()
                except Exception:
                    log.exception("giving back the engine slot of %s failed", record.id)
            loop_calls(loop).call(stop_timer)

    def _send_batches(
        self, batches: Any, record: QueryRecord, put: Callable[[Item], bool], encode: Encoder
    ) -> bool:
        rows = nbytes = 0
        limits = self.limits
        for batch in batches:
            if batch.num_rows == 0:
                continue
            rows += batch.num_rows
            nbytes += batch.nbytes
            if rows > limits.max_rows or nbytes > limits.max_bytes:
                limit = f"{limits.max_rows} rows" if rows > limits.max_rows else f"{limits.max_bytes} bytes"
                record.cancellation.cancel(f"result exceeds the limit of {limit}")
                raise LakegateError(
                    ErrorCode.RESULT_TOO_LARGE,
                    f"the result exceeds the limit of {limit}; add a LIMIT or aggregate",
                )
            payload = encode(plain_batch(batch))
            record.add(batch.num_rows, payload_size(payload))
            if not put(payload):
                return False
        return True


def payload_size(payload: Any) -> int:
    if isinstance(payload, pa.RecordBatch):
        return int(payload.nbytes)
    if isinstance(payload, pa.Buffer):
        return int(payload.size)
    if isinstance(payload, list):
        return sum(memoryview(part).nbytes for part in payload)
    return len(payload)


def finish_state(error: LakegateError | None) -> QueryState:
    if error is None:
        return QueryState.FINISHED
    if error.code in (ErrorCode.QUERY_CANCELED,):
        return QueryState.CANCELED
    return QueryState.FAILED
