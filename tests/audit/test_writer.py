"""AuditLog: what the gateway hands over becomes one record, and nothing secret gets in."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from pathlib import Path

import pytest

from auth.audit.factory import audit_log_from_config
from auth.audit.postgres_store import PostgresAuditStore
from auth.audit.record import AuditRecord
from auth.audit.sqlite_store import SqliteAuditStore
from auth.audit.store import AuditError, AuditFilter
from auth.audit.writer import AuditLog
from auth.authorizer import Decision
from auth.identity import Identity
from gateway.config import parse_config
from gateway.errors import ErrorCode, LakegateError
from gateway.queries import QueryRecord, QueryState

CARD = "4111-1111-1111-1111"
SQL = f"SELECT name FROM lake.crm.customers WHERE card = '{CARD}'"
ALICE = Identity("alice", ("analysts", "eu"))
DECISIONS = (
    Decision(True, "lake.crm.customers.name", "select", 12),
    Decision(True, "lake.crm.customers.card", "select", 15),
    Decision(True, "lake.crm.customers.name", "select", 12),
)


def finished_query(error: LakegateError | None = None, sql: str = SQL) -> QueryRecord:
    record = QueryRecord("20260301_120000_00001_abcde", "alice", sql, "native")
    record.created = time.time() - 0.25
    record.start()
    record.add(3, 96)
    record.finish(QueryState.FAILED if error else QueryState.FINISHED, error)
    return record


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.sqlite"


def test_a_finished_query(sqlite_path: Path) -> None:
    audit = AuditLog(SqliteAuditStore(sqlite_path))
    query = finished_query()
    written = audit.log_query(query, ALICE, "10.1.2.3", "native", decisions=DECISIONS)
    assert audit.query(AuditFilter()) == [written]
    assert written.query_id == query.id
    assert (written.user, written.groups) == ("alice", ("analysts", "eu"))
    assert (written.client_address, written.front_door, written.action) == ("10.1.2.3", "native", "query")
    assert written.sql == SQL
    assert written.sql_sha256 == hashlib.sha256(SQL.encode()).hexdigest() == query.sql_hash
    assert written.resources == ("lake.crm.customers.name", "lake.crm.customers.card")
    assert written.policy_ids == (12, 15)
    assert (written.decision, written.status, written.error_code) == ("allowed", 200, None)
    assert (written.rows, written.bytes) == (3, 96)
    assert 240 <= written.duration_ms < 10_000
    audit.close()


@pytest.mark.parametrize(
    ("error", "decisions", "verdict", "status"),
    [
        (
            LakegateError(ErrorCode.ACCESS_DENIED, "no"),
            (Decision(False, "hr.p.s.salary", "select", 4),),
            "denied",
            403,
        ),
        (LakegateError(ErrorCode.STATEMENT_NOT_ALLOWED, "no"), (), "denied", 403),
        (LakegateError(ErrorCode.TABLE_NOT_FOUND, "no"), (), "error", 404),
        (LakegateError(ErrorCode.QUERY_TIMEOUT, "no"), DECISIONS, "error", 408),
        (None, (Decision(False, "hr.p.s.salary", "select", -1),), "denied", 200),
    ],
)
def test_how_a_query_ended(
    sqlite_path: Path,
    error: LakegateError | None,
    decisions: tuple[Decision, ...],
    verdict: str,
    status: int,
) -> None:
    audit = AuditLog(SqliteAuditStore(sqlite_path))
    written = audit.log_query(finished_query(error), ALICE, None, "trino", decisions=decisions)
    assert (written.decision, written.status) == (verdict, status)
    assert written.error_code == (error.code.value if error else None)
    assert -1 not in written.policy_ids  # Ranger's "no policy matched" is not a policy
    audit.close()


def test_explicit_resources_policies_and_status_win(sqlite_path: Path) -> None:
    audit = AuditLog(SqliteAuditStore(sqlite_path))
    written = audit.log_query(
        finished_query(), None, "::1", "native", ["lake.crm.customers"], DECISIONS, [99], 206
    )
    assert (written.resources, written.policy_ids, written.status) == (("lake.crm.customers",), (99,), 206)
    assert (written.user, written.groups) == ("alice", ())  # from the query record
    audit.close()


def test_hash_mode_never_stores_the_sql_text(sqlite_path: Path) -> None:
    audit = AuditLog(SqliteAuditStore(sqlite_path), record_sql="hash")
    written = audit.log_query(finished_query(), ALICE, None, "native", decisions=DECISIONS)
    audit.log_event(action="browse", front_door="browse", status=200, identity=ALICE, sql=SQL)
    for record in audit.query(AuditFilter()):
        assert record.sql is None
        assert record.sql_sha256 == hashlib.sha256(SQL.encode()).hexdigest()
    assert written.sql is None
    audit.close()
    # Not in the database file, nor in its write-ahead log.
    for file in sqlite_path.parent.iterdir():
        assert CARD.encode() not in file.read_bytes(), file.name


def test_text_mode_stores_the_sql_text(sqlite_path: Path) -> None:
    audit = AuditLog(SqliteAuditStore(sqlite_path), record_sql="text")
    audit.log_query(finished_query(), ALICE, None, "native")
    audit.close()
    assert any(CARD.encode() in file.read_bytes() for file in sqlite_path.parent.iterdir())


def test_events(sqlite_path: Path) -> None:
    audit = AuditLog(SqliteAuditStore(sqlite_path))
    refused = audit.log_event(
        action="auth", front_door="trino", status=401, client_address="10.9.9.9", error_code="UNAUTHENTICATED"
    )
    assert (refused.user, refused.decision, refused.sql, refused.sql_sha256) == (
        "unknown",
        "denied",
        None,
        None,
    )
    browse = audit.log_event(
        action="browse",
        front_door="browse",
        status=200,
        identity=ALICE,
        decisions=(Decision(True, "lake.crm", "", 3),),
        rows=4,
    )
    assert (browse.user, browse.resources, browse.policy_ids, browse.rows) == (
        "alice",
        ("lake.crm",),
        (3,),
        4,
    )
    assert browse.decision == "allowed"
    assert audit.query(AuditFilter(action="auth")) == [refused]
    audit.close()


def test_no_error_message_is_recorded(sqlite_path: Path) -> None:
    # Messages can quote values (a password typed as a user name, a literal): only the code is kept.
    audit = AuditLog(SqliteAuditStore(sqlite_path), record_sql="hash")
    audit.log_query(
        finished_query(LakegateError(ErrorCode.ENGINE_DATA_ERROR, f"bad card {CARD}")), ALICE, None, "native"
    )
    audit.close()
    for file in sqlite_path.parent.iterdir():
        assert CARD.encode() not in file.read_bytes()


def test_a_record_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="action"):
        AuditRecord.new(user="a", front_door="native", action="delete", decision="allowed", status=200)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="decision"):
        AuditRecord.new(user="a", front_door="native", action="query", decision="maybe", status=200)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="record_sql"):
        AuditLog(ThreadRecordingStore(), record_sql="both")  # type: ignore[arg-type]
    long = AuditRecord.new(
        user="u" * 1000, front_door="native", action="query", decision="allowed", status=200
    )
    assert len(long.user) == 256


class ThreadRecordingStore:
    def __init__(self) -> None:
        self.records: list[AuditRecord] = []
        self.threads: list[int] = []

    def append(self, record: AuditRecord) -> None:
        time.sleep(0.05)  # a slow disk
        self.threads.append(threading.get_ident())
        self.records.append(record)

    def query(self, filters: AuditFilter) -> list[AuditRecord]:
        return self.records[::-1][: filters.limit]

    def close(self) -> None:
        pass


def test_async_writes_leave_the_event_loop_free_and_return_when_durable() -> None:
    store = ThreadRecordingStore()
    audit = AuditLog(store)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async def main() -> AuditRecord:
        task = asyncio.create_task(ticker())
        written = await audit.alog_query(finished_query(), ALICE, None, "native")
        assert store.records == [written]  # appended before alog_query returned
        await audit.alog_event(action="browse", front_door="browse", status=200, identity=ALICE)
        task.cancel()
        return written

    asyncio.run(main())
    assert len(store.records) == 2
    assert threading.get_ident() not in store.threads
    assert ticks >= 5  # the loop kept running during the two 50 ms writes


def test_async_write_failures_reach_the_caller(sqlite_path: Path) -> None:
    audit = AuditLog(SqliteAuditStore(sqlite_path))
    audit.close()
    with pytest.raises(AuditError):
        asyncio.run(audit.alog_query(finished_query(), ALICE, None, "native"))


# -- from the configuration --------------------------------------------------------------------
def test_sqlite_from_config_is_relative_to_the_config_file(tmp_path: Path) -> None:
    config = parse_config(
        {"audit": {"path": "logs/audit.sqlite", "record_sql": "hash"}}, tmp_path / "lakegate.yaml"
    )
    audit = audit_log_from_config(config)
    try:
        assert isinstance(audit.store, SqliteAuditStore)
        assert audit.store.path == tmp_path / "logs" / "audit.sqlite"
        assert audit.record_sql == "hash"
    finally:
        audit.close()


@pytest.mark.postgres
def test_postgres_from_config_reads_the_dsn_secret(tmp_path: Path, pg_dsn: str) -> None:
    (tmp_path / "audit-dsn").write_text(pg_dsn + "\n")
    config = parse_config(
        {"audit": {"store": "postgres", "dsn": "file:audit-dsn"}}, tmp_path / "lakegate.yaml"
    )
    audit = audit_log_from_config(config)
    try:
        assert isinstance(audit.store, PostgresAuditStore)
        written = audit.log_query(finished_query(), ALICE, None, "native")
        assert audit.query(AuditFilter(query_id=written.query_id)) == [written]
    finally:
        audit.close()


@pytest.mark.parametrize(
    ("audit", "message"),
    [
        ({"store": "postgres"}, "audit.dsn is required"),
        ({"store": "postgres", "dsn": "host=db password=hunter2"}, "must be references"),
        ({"store": "postgres", "dsn": "${LAKEGATE_TEST_UNSET_AUDIT_DSN}"}, "is not set"),
    ],
)
def test_bad_postgres_config(tmp_path: Path, audit: dict[str, str], message: str) -> None:
    config = parse_config({"audit": audit}, tmp_path / "lakegate.yaml")
    with pytest.raises(AuditError, match=message) as caught:
        audit_log_from_config(config)
    assert "hunter2" not in str(caught.value)
