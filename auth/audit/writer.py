"""The audit log the gateway writes to: one call at the end of each request.

``log_query`` turns a finished query into an :class:`AuditRecord`; ``log_event`` records
everything else (browsing, admin reads, refused sign-ins). The ``a``-prefixed variants run the
store's blocking write in a worker thread and return once it is durable, so the event loop never
waits on a disk or a database, and an acknowledged request always has its record.

With ``record_sql="hash"`` the SQL text is never stored, only its SHA-256 (the text may hold
literal values such as names or card numbers). Nothing else that could hold a secret or a row of
data is accepted: the caller passes names, counts and codes, never headers, payloads or messages.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from typing import Any, Literal, Protocol

from auth.audit.record import UNKNOWN_USER, Action, AuditRecord, Verdict, sha256_text
from auth.audit.store import AuditError, AuditFilter, AuditStore
from auth.authorizer import Decision
from auth.identity import Identity

RecordSql = Literal["text", "hash"]
#: error codes that mean "refused by security", recorded as decision "denied"
DENIED_CODES = frozenset(
    {"ACCESS_DENIED", "UNAUTHENTICATED", "STATEMENT_NOT_ALLOWED", "FUNCTION_NOT_ALLOWED"}
)


log = logging.getLogger(__name__)


class ErrorLike(Protocol):
    """What the audit log reads from an error: its code and HTTP status, never its message."""

    @property
    def code(self) -> str: ...

    @property
    def status(self) -> int: ...


class QueryLike(Protocol):
    """What the audit log reads from a query record (``gateway.queries.QueryRecord``)."""

    @property
    def id(self) -> str: ...

    @property
    def user(self) -> str: ...

    @property
    def sql(self) -> str: ...

    @property
    def created(self) -> float: ...

    @property
    def finished(self) -> float | None: ...

    @property
    def rows(self) -> int: ...

    @property
    def bytes(self) -> int: ...

    @property
    def error(self) -> ErrorLike | None: ...


def verdict_for(error_code: str | None, decisions: Iterable[Decision] = ()) -> Verdict:
    if (error_code is not None and error_code in DENIED_CODES) or any(not d.allowed for d in decisions):
        return "denied"
    return "error" if error_code is not None else "allowed"


def resources_of(decisions: Iterable[Decision]) -> list[str]:
    return list(dict.fromkeys(d.resource for d in decisions))


def policy_ids_of(decisions: Iterable[Decision]) -> list[int]:
    """The deciding policies (Ranger reports -1 when no policy matched)."""
    return list(dict.fromkeys(d.policy_id for d in decisions if d.policy_id >= 0))


def _settle(done: Future[None], outcome: AuditError | None) -> None:
    """Tell a record's waiter how its write went (a waiter that gave up no longer listens)."""
    if not done.set_running_or_notify_cancel():
        return  # canceled: nobody waits for it
    if outcome is None:
        done.set_result(None)
    else:
        done.set_exception(outcome)


class AuditLog:
    def __init__(self, store: AuditStore, *, record_sql: RecordSql = "text") -> None:
        self._pending: queue.SimpleQueue[tuple[AuditRecord, Future[None]] | None] = queue.SimpleQueue()
        self._background: threading.Thread | None = None
        self._background_lock = threading.Lock()
        if record_sql not in ("text", "hash"):
            raise ValueError("record_sql must be 'text' or 'hash'")
        self.store = store
        self.record_sql = record_sql

    # -- building records -------------------------------------------------------------------
    def query_record(
        self,
        record: QueryLike,
        identity: Identity | None,
        client_address: str | None,
        front_door: str,
        resources: Iterable[str] | None = None,
        decisions: Sequence[Decision] = (),
        policy_ids: Iterable[int] | None = None,
        status: int | None = None,
    ) -> AuditRecord:
        """The audit record of a finished (or refused) query.

        ``resources`` and ``policy_ids`` default to those of ``decisions``; ``status`` defaults
        to the error's HTTP status, or 200.
        """
        error = record.error
        code = str(error.code) if error is not None else None
        finished = record.finished if record.finished is not None else time.time()
        return AuditRecord.new(
            user=identity.user if identity is not None else record.user,
            groups=identity.groups if identity is not None else (),
            client_address=client_address,
            front_door=front_door,
            action="query",
            query_id=record.id,
            sql=record.sql if self.record_sql == "text" else None,
            sql_sha256=sha256_text(record.sql),
            resources=resources if resources is not None else resources_of(decisions),
            decision=verdict_for(code, decisions),
            policy_ids=policy_ids if policy_ids is not None else policy_ids_of(decisions),
            rows=record.rows,
            bytes=record.bytes,
            duration_ms=max(finished - record.created, 0.0) * 1000,
            error_code=code,
            status=status if status is not None else (error.status if error is not None else 200),
        )

    def event_record(
        self,
        *,
        action: Action,
        front_door: str,
        status: int,
        identity: Identity | None = None,
        user: str | None = None,
        client_address: str | None = None,
        decision: Verdict | None = None,
        resources: Iterable[str] = (),
        decisions: Sequence[Decision] = (),
        policy_ids: Iterable[int] | None = None,
        error_code: str | None = None,
        sql: str | None = None,
        rows: int = 0,
        duration_ms: float = 0.0,
    ) -> AuditRecord:
        """A non-query record. ``user`` is for refused sign-ins: leave it None to record
        ``unknown`` (what was typed as a user name may be a password)."""
        resources = list(resources) or resources_of(decisions)
        return AuditRecord.new(
            user=identity.user if identity is not None else (user or UNKNOWN_USER),
            groups=identity.groups if identity is not None else (),
            client_address=client_address,
            front_door=front_door,
            action=action,
            sql=sql if self.record_sql == "text" else None,
            sql_sha256=sha256_text(sql) if sql is not None else None,
            resources=resources,
            decision=decision if decision is not None else verdict_for(error_code, decisions),
            policy_ids=policy_ids if policy_ids is not None else policy_ids_of(decisions),
            rows=rows,
            duration_ms=duration_ms,
            error_code=error_code,
            status=status,
        )

    # -- writing ------------------------------------------------------------------------------
    def append(self, record: AuditRecord) -> AuditRecord:
        self.store.append(record)
        return record

    def submit(self, record: AuditRecord) -> Future[None]:
        """Queue a record for the background writer, which commits whatever has queued up in
        one transaction (group commit: one fsync for many queries' records).

        The returned future is done once the record is durable (or holds the AuditError that
        kept it from being written): a query's answer completes only after that, so no answered
        query lacks its record, while concurrent queries still share one commit.
        """
        done: Future[None] = Future()
        with self._background_lock:
            if self._background is None:
                self._background = threading.Thread(target=self._drain, name="audit-writer", daemon=True)
                self._background.start()
        self._pending.put((record, done))
        return done

    def _drain(self) -> None:
        while True:
            first = self._pending.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < 500:
                try:
                    item = self._pending.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            outcome: AuditError | None = None
            try:
                self.store.append_many([record for record, _ in batch])
            except AuditError as exc:
                log.exception("%d audit records could not be written", len(batch))
                outcome = exc
            except Exception as exc:  # the writer thread must outlive a store bug
                log.exception("%d audit records could not be written", len(batch))
                outcome = AuditError(f"the audit store failed: {type(exc).__name__}")
            for _, done in batch:
                _settle(done, outcome)
            if stop:
                return

    def flush(self) -> None:
        """Write everything queued, and stop the background writer."""
        with self._background_lock:
            writer, self._background = self._background, None
        if writer is not None:
            self._pending.put(None)
            writer.join(timeout=30)

    async def aappend(self, record: AuditRecord) -> AuditRecord:
        # The write goes on in its thread even if the awaiting task is cancelled.
        await asyncio.to_thread(self.store.append, record)
        return record

    # The four calls below take exactly the arguments of query_record / event_record.
    def log_query(self, *args: Any, **fields: Any) -> AuditRecord:
        """Record a query; returns once the record is durable (raises AuditError if it is not)."""
        return self.append(self.query_record(*args, **fields))

    async def alog_query(self, *args: Any, **fields: Any) -> AuditRecord:
        """:meth:`log_query` without blocking the event loop; returns once durable."""
        return await self.aappend(self.query_record(*args, **fields))

    def log_event(self, **fields: Any) -> AuditRecord:
        """Record a non-query event (see :meth:`event_record`); returns once durable."""
        return self.append(self.event_record(**fields))

    async def alog_event(self, **fields: Any) -> AuditRecord:
        """:meth:`log_event` without blocking the event loop; returns once durable."""
        return await self.aappend(self.event_record(**fields))

    # -- reading ------------------------------------------------------------------------------
    def query(self, filters: AuditFilter) -> list[AuditRecord]:
        return self.store.query(filters)

    async def aquery(self, filters: AuditFilter) -> list[AuditRecord]:
        return await asyncio.to_thread(self.store.query, filters)

    def close(self) -> None:
        self.flush()
        self.store.close()
