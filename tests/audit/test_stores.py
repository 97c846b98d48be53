"""Both audit stores: what goes in comes out, filters, newest first, and no rewriting history."""

from __future__ import annotations

import dataclasses
import sqlite3
import stat
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest

from auth.audit.postgres_store import PostgresAuditStore
from auth.audit.record import AuditRecord
from auth.audit.sqlite_store import SqliteAuditStore
from auth.audit.store import APPEND_ONLY, AuditError, AuditFilter, AuditStore
from tests.audit.conftest import StoreFactory

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make(i: int = 0, *, at: datetime | None = None, **fields: Any) -> AuditRecord:
    values: dict[str, Any] = {
        "user": "alice",
        "front_door": "native",
        "action": "query",
        "decision": "allowed",
        "status": 200,
        "groups": ["analysts"],
        "client_address": "10.0.0.7",
        "query_id": f"q{i}",
        "sql": f"SELECT {i} FROM lake.shipping.ports",
        "resources": ["lake.shipping.ports", "lake.shipping.ports.name"],
        "policy_ids": [3, 7],
        "rows": 10 * i,
        "bytes": 100 * i,
        "duration_ms": 1.25 * i,
    }
    values.update(fields)
    record = AuditRecord.new(**values)
    moment = at if at is not None else T0 + timedelta(seconds=i)
    return dataclasses.replace(record, time=moment.isoformat(timespec="microseconds"))


def test_a_record_comes_back_as_written(store: AuditStore) -> None:
    record = make(
        1,
        error_code="ACCESS_DENIED",
        decision="denied",
        status=403,
        sql="SELECT 'Zoë ✓' -- ünïcode",
        groups=["analysts", "eu"],
    )
    store.append(record)
    assert store.query(AuditFilter()) == [record]


def test_newest_first_and_limit(store: AuditStore) -> None:
    records = [make(i) for i in range(5)]
    for record in (records[2], records[0], records[4], records[1], records[3]):
        store.append(record)
    assert [r.query_id for r in store.query(AuditFilter())] == ["q4", "q3", "q2", "q1", "q0"]
    assert [r.query_id for r in store.query(AuditFilter(limit=2))] == ["q4", "q3"]


def test_same_time_keeps_append_order_newest_first(store: AuditStore) -> None:
    for i in range(3):
        store.append(make(i, at=T0))
    assert [r.query_id for r in store.query(AuditFilter())] == ["q2", "q1", "q0"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (AuditFilter(user="bob"), ["q3"]),
        (AuditFilter(query_id="q2"), ["q2"]),
        (AuditFilter(decision="denied"), ["q4"]),
        (AuditFilter(action="browse"), ["q5"]),
        (AuditFilter(error_code="ACCESS_DENIED"), ["q4"]),
        (AuditFilter(since=T0 + timedelta(seconds=4)), ["q5", "q4"]),  # inclusive
        (AuditFilter(until=T0 + timedelta(seconds=1)), ["q0"]),  # exclusive
        (AuditFilter(since=T0 + timedelta(seconds=1), until=T0 + timedelta(seconds=3)), ["q2", "q1"]),
        # the same instant written in another zone, and a naive time taken as UTC
        (
            AuditFilter(since=datetime(2026, 3, 1, 13, 0, 4, tzinfo=timezone(timedelta(hours=1)))),
            ["q5", "q4"],
        ),
        (AuditFilter(until=datetime(2026, 3, 1, 12, 0, 1)), ["q0"]),
        (AuditFilter(resource="hr.people.salaries"), ["q4"]),
        (AuditFilter(resource="lake.shipping"), ["q5", "q3", "q2", "q1", "q0"]),  # prefix
        (AuditFilter(resource="ports.name"), ["q3", "q2", "q1", "q0"]),  # substring
        (AuditFilter(resource="LAKE.SHIPPING.PORTS"), ["q3", "q2", "q1", "q0"]),  # any case
        (AuditFilter(resource="lake_shipping"), []),  # _ is a character, not a wildcard
        (AuditFilter(resource="%"), []),
        (AuditFilter(resource='ports", "lake'), []),  # never matches across two resources
        (AuditFilter(user="alice", decision="allowed", resource="ports", limit=2), ["q2", "q1"]),
        (AuditFilter(user="nobody"), []),
    ],
)
def test_filters(store: AuditStore, filters: AuditFilter, expected: list[str]) -> None:
    store.append(make(0))
    store.append(make(1))
    store.append(make(2))
    store.append(make(3, user="bob"))
    store.append(
        make(
            4,
            decision="denied",
            status=403,
            error_code="ACCESS_DENIED",
            resources=["hr.people.salaries"],
            policy_ids=[],
        )
    )
    store.append(make(5, action="browse", sql=None, query_id="q5", resources=["lake.shipping"]))
    assert [r.query_id for r in store.query(filters)] == expected


def test_text_every_store_accepts(store: AuditStore) -> None:
    record = make(1, sql="SELECT 'a\x00b', '\ud800'", user="eve\x00")
    assert record.sql == "SELECT 'a\ufffdb', '?'"
    assert record.user == "eve\ufffd"
    store.append(record)
    assert store.query(AuditFilter(user="eve\x00")) == [record]


def test_records_survive_reopening(open_store: StoreFactory) -> None:
    first = open_store()
    records = [make(i) for i in range(3)]
    for record in records:
        first.append(record)
    first.close()
    assert open_store().query(AuditFilter()) == records[::-1]


def test_concurrent_appends_all_land(store: AuditStore) -> None:
    records = [make(i) for i in range(200)]

    def write(part: list[AuditRecord]) -> None:
        for record in part:
            store.append(record)

    threads = [threading.Thread(target=write, args=(records[k::8],)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found = store.query(AuditFilter(limit=1000))
    assert sorted(r.event_id for r in found) == sorted(r.event_id for r in records)


def test_a_closed_store_refuses(store: AuditStore) -> None:
    store.close()
    with pytest.raises(AuditError, match="closed"):
        store.append(make())
    with pytest.raises(AuditError, match="closed"):
        store.query(AuditFilter())
    store.close()  # twice is fine


def test_filter_limits() -> None:
    with pytest.raises(ValueError, match="between 1 and 1000"):
        AuditFilter(limit=1001)
    with pytest.raises(ValueError, match="between 1 and 1000"):
        AuditFilter(limit=0)
    with pytest.raises(ValueError, match="years"):
        AuditFilter(since=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))))


# -- SQLite ------------------------------------------------------------------------------------
def test_sqlite_is_durable_wal_and_private(tmp_path: Path) -> None:
    store = SqliteAuditStore(tmp_path / "sub" / "audit.sqlite")
    try:
        writer = store._writer
        assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert writer.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert stat.S_IMODE((tmp_path / "sub" / "audit.sqlite").stat().st_mode) == 0o600
    finally:
        store.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET user_name = 'mallory'",
        "UPDATE audit_log SET decision = 'denied' WHERE user_name = 'alice'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE user_name = 'alice'",
        # REPLACE deletes the old row without firing delete triggers; it is refused up front
        "INSERT OR REPLACE INTO audit_log SELECT * FROM audit_log",
        "REPLACE INTO audit_log (seq, event_id, event_time, user_name, groups, front_door, action,"
        " resources, decision, policy_ids, row_count, byte_count, duration_ms, status)"
        " VALUES (1, 'x', 't', 'mallory', '[]', 'native', 'query', '[]', 'allowed', '[]', 0, 0, 0, 200)",
    ],
)
def test_sqlite_refuses_rewriting_history(tmp_path: Path, statement: str) -> None:
    path = tmp_path / "audit.sqlite"
    store = SqliteAuditStore(path)
    record = make(1)
    store.append(record)
    with closing(sqlite3.connect(path)) as raw, pytest.raises(sqlite3.DatabaseError, match=APPEND_ONLY):
        raw.execute(statement)
    assert store.query(AuditFilter()) == [record]
    store.append(make(2))  # the store still works
    store.close()


def test_sqlite_refuses_a_duplicate_event(tmp_path: Path) -> None:
    store = SqliteAuditStore(tmp_path / "audit.sqlite")
    record = make(1)
    store.append(record)
    with pytest.raises(AuditError, match=APPEND_ONLY):
        store.append(record)
    store.append(make(2))  # the failed transaction was rolled back
    assert len(store.query(AuditFilter())) == 2
    store.close()


def test_sqlite_unusable_path(tmp_path: Path) -> None:
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(AuditError, match="cannot open the audit log"):
        SqliteAuditStore(tmp_path / "dir.sqlite")


# -- PostgreSQL --------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {t} SET user_name = 'mallory'",
        "DELETE FROM {t}",
        "TRUNCATE {t}",
        "INSERT INTO {t} (event_id, event_time, user_name, groups, front_door, action, resources,"
        " decision, policy_ids, row_count, byte_count, duration_ms, status)"
        " SELECT event_id, now(), 'mallory', '{{}}', 'native', 'query', '{{}}', 'allowed', '{{}}', 0, 0, 0, 200"
        " FROM {t} ON CONFLICT (event_id) DO UPDATE SET user_name = 'mallory'",
    ],
)
def test_postgres_refuses_rewriting_history(pg_dsn: str, pg_table: str, statement: str) -> None:
    store = PostgresAuditStore(pg_dsn, table=pg_table)
    record = make(1)
    store.append(record)
    with psycopg.connect(pg_dsn, autocommit=True) as raw, pytest.raises(psycopg.Error, match=APPEND_ONLY):
        raw.execute(statement.format(t=pg_table))
    assert store.query(AuditFilter()) == [record]
    store.close()


@pytest.mark.postgres
def test_postgres_commits_synchronously_and_hides_the_dsn(pg_dsn: str, pg_table: str) -> None:
    store = PostgresAuditStore(pg_dsn + " application_name=secret-7f3a", table=f"audit.{pg_table}")
    try:
        assert store._writer.execute("SHOW synchronous_commit").fetchone() == ("on",)
        assert "secret-7f3a" not in repr(store)
        assert store.table == f"audit.{pg_table}"
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_reconnects_after_a_lost_connection(pg_dsn: str, pg_table: str) -> None:
    store = PostgresAuditStore(pg_dsn, table=pg_table)
    store.append(make(1))
    pid = store._writer.info.backend_pid
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    store.append(make(2))
    assert [r.query_id for r in store.query(AuditFilter())] == ["q2", "q1"]
    store.close()


@pytest.mark.postgres
def test_postgres_errors_hold_no_secret() -> None:
    with pytest.raises(AuditError) as caught:
        PostgresAuditStore("host=127.0.0.1 port=1 user=postgres password=hunter2-7f3a connect_timeout=2")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(AuditError, match="lower case"):
        PostgresAuditStore("host=127.0.0.1", table="Robert'); DROP TABLE students;--")
