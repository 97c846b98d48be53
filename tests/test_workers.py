"""Query workers: reused when idle, started when all are busy (no cap), gone when idle long."""

from __future__ import annotations

import threading
import time

from gateway.workers import WorkerPool


def _until(condition: object, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def test_an_idle_worker_takes_the_next_task() -> None:
    pool = WorkerPool("test")
    ran: list[str] = []
    for _ in range(5):
        done = threading.Event()

        def task(done: threading.Event = done) -> None:
            ran.append(threading.current_thread().name)
            done.set()

        pool.submit(task)
        assert done.wait(10)
        assert _until(lambda: pool.busy == 0)
    assert len(set(ran)) == 1  # one thread ran all five, one after the other
    assert pool.threads == 1
    pool.close()


def test_tasks_never_wait_for_each_other() -> None:
    """As many run at once as are submitted: a blocked task never holds up another."""
    pool = WorkerPool("test")
    release = threading.Event()
    started = threading.Semaphore(0)

    def blocked() -> None:
        started.release()
        release.wait(10)

    for _ in range(20):
        pool.submit(blocked)
    assert all(started.acquire(timeout=10) for _ in range(20))
    assert pool.busy == 20
    release.set()
    assert pool.join(10)
    assert pool.busy == 0
    pool.close()


def test_a_failing_task_leaves_its_worker_alive() -> None:
    pool = WorkerPool("test")

    def fails() -> None:
        raise RuntimeError("a bug")

    pool.submit(fails)
    assert pool.join(10)
    done = threading.Event()
    pool.submit(done.set)
    assert done.wait(10)
    assert pool.threads == 1
    pool.close()


def test_workers_idle_too_long_leave_and_new_ones_start() -> None:
    pool = WorkerPool("test", idle_seconds=0.05)
    release = threading.Event()

    def blocked() -> None:
        release.wait(10)

    for _ in range(3):
        pool.submit(blocked)
    release.set()
    assert pool.join(10)
    assert _until(lambda: pool.threads == 0)
    done = threading.Event()
    pool.submit(done.set)
    assert done.wait(10)
    pool.close()
