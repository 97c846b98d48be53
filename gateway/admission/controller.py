"""Admission: a query runs at once, waits its turn in its resource group's queue, or is refused
because that queue is full.

Queues are served fairly: when a slot frees, the engine looks among the groups that have
queries waiting and room to run one, and at each level of the tree picks the group running the
fewest queries (ties: the one served longest ago), down to a leaf, whose oldest query starts. A
dashboard's 30 tiles queue behind each other rather than in front of everybody else's queries.

A waiting query leaves the queue when it is canceled (DELETE, ``kill_query``, a client that
went away, shutdown) or when it has waited ``queue_timeout_seconds``. State changes under one
lock, so slots can be given back from any thread; waiters are woken on their own event loop.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from gateway.admission.groups import Group, GroupTree
from gateway.config import AdmissionSettings
from gateway.errors import ErrorCode, LakegateError
from gateway.queries import QueryRecord


@dataclass(eq=False)
class Ticket:
    """One query's place: in a queue, then holding a slot until it is released."""

    record: QueryRecord
    group: Group
    loop: asyncio.AbstractEventLoop
    waiter: asyncio.Future[None]
    enqueued: float = field(default_factory=time.monotonic)
    admitted: bool = False
    released: bool = False


@dataclass(frozen=True, slots=True)
class GroupStatus:
    name: str
    running: int
    queued: int
    hard_concurrency_limit: int
    max_queued: int


class Admission:
    def __init__(
        self,
        settings: AdmissionSettings,
        engine_limit: int,
        on_change: Callable[[int, int], None] | None = None,
    ) -> None:
        self.tree = GroupTree(settings, engine_limit)
        self.queue_timeout = settings.queue_timeout_seconds
        self._lock = threading.Lock()
        self._turns = itertools.count(1)
        self._tickets: dict[str, Ticket] = {}
        #: told (running, queued) after each change, for the metrics
        self._on_change = on_change

    # -- admitting ----------------------------------------------------------------------------
    async def admit(self, record: QueryRecord, user: str, groups: tuple[str, ...], source: str) -> Ticket:
        """Wait until ``record`` may run; the returned ticket must be :meth:`release` d once."""
        if record.cancellation.canceled:
            raise LakegateError(ErrorCode.QUERY_CANCELED, record.cancellation.reason)
        loop = asyncio.get_running_loop()
        with self._lock:
            group = self.tree.select(user, groups, source)
            if group is None:
                raise LakegateError(
                    ErrorCode.QUERY_REJECTED,
                    f"no resource group accepts queries from user {user!r} (source {source!r})",
                )
            record.resource_group = group.full_name
            ticket = Ticket(record, group, loop, loop.create_future())
            if not group.queue and self._room(group):
                self._start(ticket)
                self._changed()
                return ticket
            full = next((g for g in group.path() if g.queued >= g.max_queued and g.parent), None)
            if full is not None:
                group.prune()
                raise LakegateError(
                    ErrorCode.TOO_MANY_QUERIES,
                    f"too many queued queries for resource group {full.full_name!r} "
                    f"(at most {full.max_queued}); retry shortly",
                )
            group.queue.append(ticket)
            for g in group.path():
                g.queued += 1
            self._tickets[record.id] = ticket
            self._changed()
        record.cancellation.on_cancel(lambda: self._wake(ticket))
        # A waiter of its own, woken by the ticket or by the queue timeout: the ticket's future
        # is never canceled (as with wait_for and shield, without their task and futures).
        waiter = loop.create_future()

        def wake(_: object = None) -> None:
            if not waiter.done():
                waiter.set_result(None)

        ticket.waiter.add_done_callback(wake)
        timer = loop.call_later(self.queue_timeout, wake)
        try:
            await waiter
        except BaseException:
            self._leave(ticket)
            raise
        finally:
            timer.cancel()
            ticket.waiter.remove_done_callback(wake)
        if not ticket.waiter.done():
            self._leave(ticket)
            raise LakegateError(
                ErrorCode.QUEUE_TIMEOUT,
                f"the query waited {self.queue_timeout:g} s in resource group "
                f"{group.full_name!r} without a free slot; retry later",
            )
        if record.cancellation.canceled:
            self._leave(ticket)
            raise LakegateError(ErrorCode.QUERY_CANCELED, record.cancellation.reason)
        return ticket

    def _room(self, group: Group) -> bool:
        return all(g.running < g.limit for g in group.path())

    def _start(self, ticket: Ticket) -> None:
        ticket.admitted = True
        turn = next(self._turns)
        for g in ticket.group.path():
            g.running += 1
            g.last_served = turn

    def _wake(self, ticket: Ticket) -> None:
        """The query was canceled while it waited: its waiter returns (and sees the cancel)."""
        ticket.loop.call_soon_threadsafe(_resolve, ticket.waiter)

    def _leave(self, ticket: Ticket) -> None:
        """A waiter that gave up (timeout, its task canceled): out of the queue, or, if it was
        admitted meanwhile, its slot back."""
        with self._lock:
            admitted = ticket.admitted
            if not admitted:
                self._dequeue(ticket)
                ticket.group.prune()
                self._changed()
        if admitted:
            self.release(ticket)

    def _dequeue(self, ticket: Ticket) -> None:
        group = ticket.group
        try:
            group.queue.remove(ticket)
        except ValueError:
            return
        for g in group.path():
            g.queued -= 1
        self._tickets.pop(ticket.record.id, None)

    # -- releasing ----------------------------------------------------------------------------
    def release(self, ticket: Ticket) -> None:
        """Give the slot back (once) and start whichever waiting queries now fit."""
        with self._lock:
            if ticket.released or not ticket.admitted:
                return
            ticket.released = True
            for g in ticket.group.path():
                g.running -= 1
            ticket.group.prune()
            self._dispatch()
            self._changed()

    def _dispatch(self) -> None:
        while True:
            leaf = self._pick(self.tree.engine)
            if leaf is None:
                return
            ticket = leaf.queue[0]
            self._dequeue(ticket)
            self._start(ticket)
            ticket.loop.call_soon_threadsafe(_resolve, ticket.waiter)

    def _pick(self, group: Group) -> Group | None:
        """The leaf whose oldest query starts next, or None when nothing waiting fits."""
        if group.running >= group.limit or group.queued == 0:
            return None
        if group.queue:
            return group
        candidates = sorted(
            (c for c in group.children.values() if c.queued and c.running < c.limit),
            key=lambda c: (c.running, c.last_served),
        )
        for child in candidates:
            leaf = self._pick(child)
            if leaf is not None:
                return leaf
        return None

    # -- looking --------------------------------------------------------------------------------
    def position(self, query_id: str) -> int | None:
        """1 for the next query of its group to start; None when the query is not waiting."""
        with self._lock:
            ticket = self._tickets.get(query_id)
            if ticket is None:
                return None
            for index, queued in enumerate(ticket.group.queue):
                if queued is ticket:
                    return index + 1
            return None

    def status(self) -> list[GroupStatus]:
        with self._lock:
            return [
                GroupStatus(g.full_name, g.running, g.queued, g.limit, g.max_queued)
                for g in self.tree.groups()
            ]

    @property
    def queued(self) -> int:
        return self.tree.engine.queued

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self.tree.engine.running, self.tree.engine.queued)


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
