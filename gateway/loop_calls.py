"""Calls from other threads onto the event loop, many per wake-up.

``loop.call_soon_threadsafe`` wakes the loop (a byte through its self-pipe: a system call on the
calling thread, a read and a turn of the loop on the loop's side) for every call, even when the
loop is already awake with calls queued. Under load each small query made several such calls
from threads (its schema and batches handed over, its timer stopped, its audit record durable).
Here the calls queued by any thread are run together: only the first call queued since the loop
last ran them wakes it; the others ride along, in the order they were queued.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

log = logging.getLogger(__name__)

Call = tuple[Callable[..., Any], tuple[Any, ...]]


class LoopCalls:
    __slots__ = ("__weakref__", "_calls", "_lock", "_loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        #: weakly: the loop's entry in _BY_LOOP must not keep a finished loop alive
        self._loop = weakref.ref(loop)
        self._lock = threading.Lock()
        self._calls: list[Call] = []

    def call(self, func: Callable[..., Any], *args: Any) -> None:
        """Run ``func(*args)`` on the loop soon (from any thread; raises RuntimeError as
        ``call_soon_threadsafe`` does once the loop is closed)."""
        with self._lock:
            self._calls.append((func, args))
            wake = len(self._calls) == 1
        if wake:
            loop = self._loop()
            if loop is None:
                raise RuntimeError("Event loop is closed")
            loop.call_soon_threadsafe(self._run, loop)

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            calls, self._calls = self._calls, []
        for func, args in calls:
            try:
                func(*args)
            except Exception as exc:  # as the loop treats a failing callback: reported, not fatal
                loop.call_exception_handler(
                    {"message": f"a call from another thread failed: {func!r}", "exception": exc}
                )


_BY_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopCalls] = weakref.WeakKeyDictionary()
_BY_LOOP_LOCK = threading.Lock()


def loop_calls(loop: asyncio.AbstractEventLoop) -> LoopCalls:
    """The loop's own :class:`LoopCalls` (one per loop, so every caller's calls share wake-ups)."""
    calls = _BY_LOOP.get(loop)
    if calls is None:
        with _BY_LOOP_LOCK:
            calls = _BY_LOOP.get(loop)
            if calls is None:
                calls = _BY_LOOP[loop] = LoopCalls(loop)
    return calls


def _copy_outcome(source: Future[None], target: asyncio.Future[None]) -> None:
    if target.done():  # its waiter gave up (canceled): nobody listens
        return
    if source.cancelled():
        target.cancel()
        return
    exc = source.exception()
    if exc is not None:
        target.set_exception(exc)
    else:
        target.set_result(None)


def awaitable_outcome(source: Future[None], loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
    """A loop future with ``source``'s outcome (a result or an exception; ``source`` is never
    canceled). Canceling the returned future leaves ``source`` alone, as ``asyncio.shield``
    around ``asyncio.wrap_future`` would, with one future instead of three."""
    target: asyncio.Future[None] = loop.create_future()
    if source.done():
        _copy_outcome(source, target)
        return target
    calls = loop_calls(loop)

    def copy_soon(done: Future[None]) -> None:
        if not loop.is_closed():  # a server stopping: nobody waits any more
            calls.call(_copy_outcome, done, target)

    source.add_done_callback(copy_soon)
    return target
