"""Idle DuckDB cursors kept for the next query, instead of one new cursor per query.

A new cursor is a new DuckDB client context, and a small query's first statement on it costs
more than on a context used before (about a fifth of a point lookup's engine time). A cursor is
given back only when nothing of its query can reach the next one:

- its result was read to the end (no pending result), and its query was not canceled (an
  interrupt meant for it is never delivered to a later query: ``Interrupt`` stops forwarding
  once the query is over);
- the engine runs read-only queries with its configuration locked, and the functions that keep
  per-context state (``setseed``, ``getvariable``, sequences) are not allowed, so a finished
  query leaves no state on its cursor for another user's query to see.

Any other cursor (failed, canceled, not read to the end, a statement without a result) is closed.
"""

from __future__ import annotations

import threading

import duckdb

#: idle cursors kept at most (more than the engine's concurrent queries is never needed)
MAX_IDLE = 64


class CursorPool:
    def __init__(self, db: duckdb.DuckDBPyConnection, max_idle: int = MAX_IDLE) -> None:
        self._db = db
        self._max_idle = max_idle
        self._idle: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()
        self._closed = False

    def take(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._db.cursor()

    def give_back(self, cursor: duckdb.DuckDBPyConnection, reusable: bool) -> None:
        """Keep ``cursor`` for another query if ``reusable``, else close it."""
        if reusable:
            with self._lock:
                if not self._closed and len(self._idle) < self._max_idle:
                    self._idle.append(cursor)
                    return
        cursor.close()

    @property
    def idle(self) -> int:
        with self._lock:
            return len(self._idle)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for cursor in idle:
            cursor.close()


class Interrupt:
    """A query's cancel callback: interrupts its cursor while the query runs, and never after."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self._cursor: duckdb.DuckDBPyConnection | None = cursor
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            if self._cursor is not None:
                self._cursor.interrupt()

    def detach(self) -> None:
        """The query is over: later cancels do nothing (the cursor may serve another query)."""
        with self._lock:
            self._cursor = None
