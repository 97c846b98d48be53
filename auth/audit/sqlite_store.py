"""The default audit store: one SQLite file in WAL mode, every append fsynced before it returns.

One writer connection, guarded by a lock, commits each record in its own transaction with
``synchronous=FULL``: once :meth:`SqliteAuditStore.append` returns, the record survives a crash
of the process and of the machine. Triggers refuse UPDATE, DELETE and INSERT OR REPLACE, so
nothing that talks SQL to the file can rewrite history (only someone who can write the file
itself can, which is what file permissions are for: the file is created readable by its owner
only).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auth.audit.record import AuditRecord
from auth.audit.store import APPEND_ONLY, COLUMNS, AuditError, AuditFilter, count_tables

TABLE = "audit_log"
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    event_time TEXT NOT NULL,
    query_id TEXT,
    user_name TEXT NOT NULL,
    groups TEXT NOT NULL,
    client_address TEXT,
    front_door TEXT NOT NULL,
    action TEXT NOT NULL,
    sql_text TEXT,
    sql_sha256 TEXT,
    resources TEXT NOT NULL,
    decision TEXT NOT NULL,
    policy_ids TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    byte_count INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    error_code TEXT,
    status INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS {TABLE}_time ON {TABLE} (event_time);
CREATE INDEX IF NOT EXISTS {TABLE}_user ON {TABLE} (user_name, event_time);
CREATE INDEX IF NOT EXISTS {TABLE}_query ON {TABLE} (query_id);
CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END;
CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END;
-- INSERT OR REPLACE deletes the old row without firing delete triggers: refuse it up front.
CREATE TRIGGER IF NOT EXISTS {TABLE}_no_replace BEFORE INSERT ON {TABLE}
WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE event_id = NEW.event_id OR seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END;
"""
_INSERT = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM {TABLE}"


class SqliteAuditStore:
    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Owner-only from the first byte: the SQL text may hold literal values.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            self._writer = self._connect(busy_timeout)
            mode = self._writer.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise AuditError(f"the audit log {self.path} cannot use WAL mode (got {mode})")
            self._writer.execute("PRAGMA synchronous=FULL")
            self._writer.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}COMMIT;")
            self._reader = self._connect(busy_timeout)
            self._reader.execute("PRAGMA query_only=ON")
        except (OSError, sqlite3.Error) as exc:
            raise AuditError(f"cannot open the audit log {self.path}: {exc}") from None

    def _connect(self, busy_timeout: float) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions; append spells out BEGIN and COMMIT.
        conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        return conn

    def append(self, record: AuditRecord) -> None:
        """Write one record; returns only after COMMIT (fsynced), raises AuditError otherwise."""
        self.append_many([record])

    def append_many(self, records: Sequence[AuditRecord]) -> None:
        """Write records in one transaction (one fsync); returns only after COMMIT."""
        rows = [_to_row(record) for record in records]
        with self._lock:
            if self._closed:
                raise AuditError("the audit log is closed")
            try:
                self._writer.execute("BEGIN IMMEDIATE")
                self._writer.executemany(_INSERT, rows)
                self._writer.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._writer.in_transaction:
                    self._writer.execute("ROLLBACK")
                raise AuditError(f"cannot write the audit log: {exc}") from None

    def query(self, filters: AuditFilter) -> list[AuditRecord]:
        where: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("user_name", filters.user),
            ("query_id", filters.query_id),
            ("decision", filters.decision),
            ("action", filters.action),
            ("error_code", filters.error_code),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if filters.since is not None:
            where.append("event_time >= ?")
            params.append(filters.since_text)
        if filters.until is not None:
            where.append("event_time < ?")
            params.append(filters.until_text)
        if filters.resource_pattern is not None:
            where.append(
                f"EXISTS (SELECT 1 FROM json_each({TABLE}.resources) AS r WHERE r.value LIKE ? ESCAPE '\\')"
            )
            params.append(filters.resource_pattern)
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY event_time DESC, seq DESC LIMIT ?"
        params.append(filters.limit)
        with self._read_lock:
            if self._closed:
                raise AuditError("the audit log is closed")
            try:
                rows = self._reader.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise AuditError(f"cannot read the audit log: {exc}") from None
        return [_from_row(row) for row in rows]

    def table_popularity(self, since: float) -> dict[str, int]:
        since_text = AuditFilter(since=datetime.fromtimestamp(since, UTC)).since_text
        counts: dict[str, int] = {}
        with self._read_lock:
            if self._closed:
                raise AuditError("the audit log is closed")
            try:
                rows = self._reader.execute(
                    f"SELECT resources FROM {TABLE} WHERE action = 'query' AND event_time >= ?", (since_text,)
                )
                for (resources,) in rows:
                    count_tables(counts, json.loads(resources))
            except sqlite3.Error as exc:
                raise AuditError(f"cannot read the audit log: {exc}") from None
        return counts

    def close(self) -> None:
        with self._lock, self._read_lock:
            if self._closed:
                return
            self._closed = True
            self._reader.close()
            self._writer.close()


def _to_row(record: AuditRecord) -> tuple[Any, ...]:
    return (
        record.event_id,
        record.time,
        record.query_id,
        record.user,
        json.dumps(list(record.groups)),
        record.client_address,
        record.front_door,
        record.action,
        record.sql,
        record.sql_sha256,
        json.dumps(list(record.resources)),
        record.decision,
        json.dumps(list(record.policy_ids)),
        record.rows,
        record.bytes,
        record.duration_ms,
        record.error_code,
        record.status,
    )


def _from_row(row: tuple[Any, ...]) -> AuditRecord:
    (event_id, time, query_id, user, groups, address, front_door, action, sql, sha, resources,
     decision, policy_ids, rows, nbytes, duration_ms, error_code, status) = row  # fmt: skip
    return AuditRecord(
        event_id=event_id,
        time=time,
        query_id=query_id,
        user=user,
        groups=tuple(json.loads(groups)),
        client_address=address,
        front_door=front_door,
        action=action,
        sql=sql,
        sql_sha256=sha,
        resources=tuple(json.loads(resources)),
        decision=decision,
        policy_ids=tuple(int(p) for p in json.loads(policy_ids)),
        rows=int(rows),
        bytes=int(nbytes),
        duration_ms=float(duration_ms),
        error_code=error_code,
        status=int(status),
    )
