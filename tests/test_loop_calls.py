"""Calls from threads onto the event loop: many per wake-up, in order, a failing one reported;
the audit record's durability awaited without canceling its write."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from concurrent.futures import Future
from typing import Any

import pytest

from gateway.loop_calls import LoopCalls, awaitable_outcome, loop_calls


def test_calls_queued_before_the_loop_runs_them_share_one_wake_up() -> None:
    asyncio.run(_calls_queued_before_the_loop_runs_them_share_one_wake_up())


async def _calls_queued_before_the_loop_runs_them_share_one_wake_up() -> None:
    loop = asyncio.get_running_loop()
    calls = LoopCalls(loop)
    wakes = 0
    original = loop.call_soon_threadsafe

    def counting(callback: Any, *args: Any) -> Any:
        nonlocal wakes
        wakes += 1
        return original(callback, *args)

    loop.call_soon_threadsafe = counting  # type: ignore[method-assign]
    seen: list[int] = []
    try:
        thread = threading.Thread(target=lambda: [calls.call(seen.append, n) for n in range(5)])
        thread.start()
        thread.join()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert seen == [0, 1, 2, 3, 4]
        assert wakes == 1
        calls.call(seen.append, 5)  # the queue was emptied: the next call wakes the loop again
        await asyncio.sleep(0)
        assert seen == [0, 1, 2, 3, 4, 5]
        assert wakes == 2
    finally:
        del loop.call_soon_threadsafe


def test_a_failing_call_is_reported_and_the_others_still_run() -> None:
    asyncio.run(_a_failing_call_is_reported_and_the_others_still_run())


async def _a_failing_call_is_reported_and_the_others_still_run() -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: reported.append(context))
    seen: list[str] = []

    def fail() -> None:
        raise ValueError("boom")

    calls = LoopCalls(loop)
    calls.call(seen.append, "before")
    calls.call(fail)
    calls.call(seen.append, "after")
    await asyncio.sleep(0)
    loop.set_exception_handler(None)
    assert seen == ["before", "after"]
    assert len(reported) == 1
    assert isinstance(reported[0]["exception"], ValueError)


def test_a_finished_loop_is_not_kept_alive() -> None:
    loop = asyncio.new_event_loop()
    loop_calls(loop)
    gone = weakref.ref(loop)
    loop.close()
    del loop
    gc.collect()
    assert gone() is None


def test_one_loop_has_one_set_of_calls() -> None:
    asyncio.run(_one_loop_has_one_set_of_calls())


async def _one_loop_has_one_set_of_calls() -> None:
    loop = asyncio.get_running_loop()
    assert loop_calls(loop) is loop_calls(loop)


def test_an_outcome_set_from_a_thread_reaches_the_loop() -> None:
    asyncio.run(_an_outcome_set_from_a_thread_reaches_the_loop())


async def _an_outcome_set_from_a_thread_reaches_the_loop() -> None:
    loop = asyncio.get_running_loop()
    good: Future[None] = Future()
    bad: Future[None] = Future()
    waiting_good, waiting_bad = awaitable_outcome(good, loop), awaitable_outcome(bad, loop)
    threading.Thread(target=lambda: (good.set_result(None), bad.set_exception(OSError("disk")))).start()
    assert await asyncio.wait_for(waiting_good, 5) is None
    with pytest.raises(OSError, match="disk"):
        await asyncio.wait_for(waiting_bad, 5)


def test_an_outcome_already_there_is_awaited_at_once() -> None:
    asyncio.run(_an_outcome_already_there_is_awaited_at_once())


async def _an_outcome_already_there_is_awaited_at_once() -> None:
    done: Future[None] = Future()
    done.set_result(None)
    waiting = awaitable_outcome(done, asyncio.get_running_loop())
    assert waiting.done()
    assert waiting.result() is None


def test_a_waiter_that_gives_up_leaves_the_write_alone() -> None:
    asyncio.run(_a_waiter_that_gives_up_leaves_the_write_alone())


async def _a_waiter_that_gives_up_leaves_the_write_alone() -> None:
    loop = asyncio.get_running_loop()
    durable: Future[None] = Future()
    waiting = awaitable_outcome(durable, loop)
    waiting.cancel()
    assert not durable.cancelled()
    assert durable.set_running_or_notify_cancel()  # the writer still writes, and says so
    durable.set_result(None)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert waiting.cancelled()
