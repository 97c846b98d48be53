"""Reused threads for running queries: an idle worker takes the next query at once.

Starting a thread per query costs the event loop a wait for the new thread to be scheduled
(``Thread.start`` blocks until it runs); under load that wait dominated a small query. Here a
query goes to a parked worker when there is one, and a new worker is started only when all are
busy, so there is no cap: as many queries run at once as before (admission limits them), and a
query never waits behind another for a thread. Workers idle for ``idle_seconds`` leave.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Task = Callable[[], None]


class WorkerPool:
    def __init__(self, name: str = "query", idle_seconds: float = 60.0) -> None:
        self.name = name
        self.idle_seconds = idle_seconds
        self._tasks: queue.SimpleQueue[Task | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        #: workers parked on the queue; a submit takes one (or starts a worker when none is left)
        self._idle = 0
        self._workers: set[threading.Thread] = set()
        self._busy = 0
        self._all_idle = threading.Condition(self._lock)
        self._started = 0

    def submit(self, task: Task) -> None:
        """Run ``task`` on a worker thread: a parked one if any, else a new one."""
        with self._lock:
            if self._idle > 0:
                self._idle -= 1  # claimed: this task is that worker's
                self._busy += 1
                spawn = False
            else:
                self._busy += 1
                self._started += 1
                spawn = True
                number = self._started
        if spawn:
            worker = threading.Thread(
                target=self._work, args=(task,), name=f"{self.name}-{number}", daemon=True
            )
            with self._lock:
                self._workers.add(worker)
            worker.start()
        else:
            self._tasks.put(task)

    def _work(self, task: Task | None) -> None:
        while task is not None:
            try:
                task()
            except BaseException:  # a task handles its own errors; a worker outlives a bug
                log.exception("a %s worker's task failed", self.name)
            with self._lock:
                self._busy -= 1
                self._idle += 1
                if self._busy == 0:
                    self._all_idle.notify_all()
            try:
                task = self._tasks.get(timeout=self.idle_seconds)
            except queue.Empty:
                with self._lock:
                    if self._idle > 0:
                        # an unclaimed worker may leave: the parked ones left are at least as
                        # many as the tasks claimed and not yet taken, so none is lost
                        self._idle -= 1
                        self._workers.discard(threading.current_thread())
                        return
                task = self._tasks.get()  # every parked worker is claimed: a task is on its way
        with self._lock:
            self._workers.discard(threading.current_thread())

    @property
    def busy(self) -> int:
        with self._lock:
            return self._busy

    @property
    def threads(self) -> int:
        with self._lock:
            return len(self._workers)

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until no task runs (tasks told to stop finish)."""
        with self._lock:
            return self._all_idle.wait_for(lambda: self._busy == 0, timeout)

    def close(self) -> None:
        """Let the parked workers go (running tasks finish first)."""
        with self._lock:
            idle, self._idle = self._idle, 0
        for _ in range(idle):
            self._tasks.put(None)
