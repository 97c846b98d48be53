"""An acknowledged audit record survives the death of the process that wrote it.

A child process appends records and prints each event id only after ``append`` returned; it is
then killed with SIGKILL (no atexit, no flush, no close), either by itself right after its N-th
acknowledgement or by the test while it is in the middle of further appends. Every printed id
must be in the store when it is opened again, and the SQLite file must be intact.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from auth.audit.postgres_store import PostgresAuditStore
from auth.audit.record import AuditRecord
from auth.audit.sqlite_store import SqliteAuditStore
from auth.audit.store import AuditFilter, AuditStore

ROOT = Path(__file__).resolve().parents[2]
ACKED = 150

CHILD = """
import os, signal, sys
from auth.audit.record import AuditRecord
from auth.audit.postgres_store import PostgresAuditStore
from auth.audit.record import AuditRecord
from auth.audit.sqlite_store import SqliteAuditStore

kind, target, table, stop_after = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
store = SqliteAuditStore(target) if kind == "sqlite" else PostgresAuditStore(target, table=table)
i = 0
while True:
    record = AuditRecord.new(user="crash", front_door="native", action="query", decision="allowed",
                             status=200, sql=f"SELECT {i}", query_id=f"q{i}")
    store.append(record)
    sys.stdout.write(record.event_id + "\\n")
    sys.stdout.flush()
    i += 1
    if i == stop_after:
        os.kill(os.getpid(), signal.SIGKILL)
"""


def run_and_kill(kind: str, target: str, table: str, *, self_kill: bool) -> list[str]:
    """The ids the child acknowledged before it was killed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    stop_after = ACKED if self_kill else 0
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, kind, target, table, str(stop_after)],
        stdout=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        text=True,
    )
    assert child.stdout is not None
    acked: list[str] = []
    try:
        while len(acked) < ACKED:
            line = child.stdout.readline()
            if not line:
                break
            acked.append(line.strip())
        if not self_kill:
            child.send_signal(signal.SIGKILL)  # while it is appending more
        acked.extend(line.strip() for line in child.stdout)  # acknowledged before it died
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert len(acked) >= ACKED
    return acked


def assert_all_there(stored: set[str], acked: list[str]) -> None:
    missing = set(acked) - stored
    assert not missing, f"{len(missing)} of {len(acked)} acknowledged records were lost"


def still_writable(store: AuditStore) -> None:
    store.append(
        AuditRecord.new(user="after", front_door="native", action="query", decision="allowed", status=200)
    )
    assert [r.user for r in store.query(AuditFilter(limit=1))] == ["after"]


@pytest.mark.parametrize("self_kill", [True, False], ids=["killed-after-ack", "killed-mid-append"])
def test_sqlite_acknowledged_records_survive_sigkill(tmp_path: Path, self_kill: bool) -> None:
    path = tmp_path / "audit.sqlite"
    acked = run_and_kill("sqlite", str(path), "-", self_kill=self_kill)
    store = SqliteAuditStore(path)  # opens (and recovers the WAL of) the crashed file
    try:
        with closing(sqlite3.connect(path)) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert_all_there({row[0] for row in raw.execute("SELECT event_id FROM audit_log")}, acked)
        still_writable(store)
    finally:
        store.close()


@pytest.mark.postgres
@pytest.mark.parametrize("self_kill", [True, False], ids=["killed-after-ack", "killed-mid-append"])
def test_postgres_acknowledged_records_survive_sigkill(pg_dsn: str, pg_table: str, self_kill: bool) -> None:
    acked = run_and_kill("postgres", pg_dsn, pg_table, self_kill=self_kill)
    store = PostgresAuditStore(pg_dsn, table=pg_table)
    try:
        with psycopg.connect(pg_dsn) as raw:
            rows = raw.execute(f"SELECT event_id::text FROM {pg_table}").fetchall()
        assert_all_there({row[0] for row in rows}, acked)
        still_writable(store)
    finally:
        store.close()
