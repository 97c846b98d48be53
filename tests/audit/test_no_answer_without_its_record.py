"""No answered query lacks its audit record: the server is killed (SIGKILL) under load, again and
again, and every query a client got a complete answer for is found in the audit log.

Answers are complete JSON documents, Arrow streams up to their end-of-stream marker, and Trino
protocol results whose last page said FINISHED. Records are still group-committed (many queries'
records in one transaction); an answer's last byte leaves only once its record is durable.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyarrow as pa
import pytest
import trino
import yaml

from tests.test_shutdown import _free_port

CLIENTS = 8
KILLS = 4
ANSWERS_BEFORE_KILL = 100


def _serve(config: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--config", str(config), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        assert process.poll() is None, "the server exited"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)


class Load:
    """Clients sending small queries through three kinds of answer; collects answered ids."""

    def __init__(self, port: int, process: subprocess.Popen[bytes]) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.process = process
        self.answered: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def _native(self, client: httpx.Client, n: int) -> None:
        sql = f"SELECT n_name, {n} AS n FROM tpch.tiny.nation WHERE n_nationkey = {n % 25}"
        if n % 2:
            response = client.post("/v1/query", json={"sql": sql}, headers={"Accept": "application/json"})
            if response.status_code == 200 and response.json()["rows"]:
                self._answered(response.headers["x-lakegate-query-id"])
            return
        response = client.post("/v1/query", json={"sql": sql})
        if response.status_code == 200:
            # a complete Arrow stream (with its end-of-stream marker) reads without error
            pa.ipc.open_stream(response.content).read_all()
            self._answered(response.headers["x-lakegate-query-id"])

    def _trino(self, n: int) -> None:
        with trino.dbapi.connect(host="127.0.0.1", port=self.port, user="root", http_scheme="http") as conn:
            cursor = conn.cursor()
            cursor.execute(f"SELECT n_name, {n} FROM tpch.tiny.nation WHERE n_nationkey = {n % 25}")
            if cursor.fetchall():
                self._answered(cursor.query_id)

    def _answered(self, query_id: str) -> None:
        with self.lock:
            if self.stop.is_set():
                return
            self.answered.append(query_id)
            if len(self.answered) >= ANSWERS_BEFORE_KILL:
                # The instant an answer is complete: the worst moment for its record.
                self.process.send_signal(signal.SIGKILL)
                self.stop.set()

    def run(self, worker: int) -> None:
        n = worker
        with httpx.Client(base_url=self.url, timeout=30, headers={"X-Lakegate-User": "root"}) as client:
            while not self.stop.is_set():
                n += CLIENTS
                try:
                    if n % 5 == 0:
                        self._trino(n)
                    else:
                        self._native(client, n)
                except Exception:
                    if self.stop.is_set():
                        return
                    time.sleep(0.01)


def _recorded_ids(audit: Path) -> set[str]:
    with sqlite3.connect(audit) as db:
        return {row[0] for row in db.execute("SELECT query_id FROM audit_log WHERE query_id IS NOT NULL")}


def test_every_answered_query_has_its_record_after_a_kill(demo_dir: Path, tmp_path: Path) -> None:
    raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
    raw.setdefault("server", {})["dev_mode"] = True
    audit = tmp_path / "audit.sqlite"
    raw["audit"] = {"store": "sqlite", "path": str(audit)}
    raw["catalog"] = {**raw.get("catalog", {}), "path": str(tmp_path / "catalog.sqlite")}
    config = demo_dir / f"kill-{time.monotonic_ns()}.yaml"
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    answered: list[str] = []
    try:
        for _ in range(KILLS):
            port = _free_port()
            process = _serve(config, port)
            load = Load(port, process)
            workers = [threading.Thread(target=load.run, args=(i,), daemon=True) for i in range(CLIENTS)]
            for worker in workers:
                worker.start()
            load.stop.wait(timeout=60)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            for worker in workers:
                worker.join(timeout=30)
            with load.lock:
                answered.extend(load.answered)
            assert len(load.answered) >= ANSWERS_BEFORE_KILL, "the load did not get going"
    finally:
        config.unlink()
    missing = set(answered) - _recorded_ids(audit)
    assert not missing, f"{len(missing)} of {len(answered)} answered queries have no audit record"


@pytest.mark.parametrize("kind", ["json", "arrow"])
def test_an_answer_is_withheld_when_its_record_cannot_be_written(
    demo_dir: Path, tmp_path: Path, kind: str
) -> None:
    """Fail closed: with the audit log unwritable, a query's answer never completes."""
    from gateway.app import create_app
    from tests.conftest import demo_config
    from tests.server import LiveServer

    config = demo_config(demo_dir)
    with LiveServer(create_app(config)) as live:
        gateway = live.app.state.gateway
        store = gateway.audit.store

        def broken(records: object) -> None:
            from auth.audit.store import AuditError

            raise AuditError("disk full")

        store.append_many = broken
        with httpx.Client(base_url=live.url, timeout=30, headers={"X-Lakegate-User": "root"}) as client:
            sql = {"sql": "SELECT 1 AS one"}
            if kind == "json":
                response = client.post("/v1/query", json=sql, headers={"Accept": "application/json"})
                assert response.status_code == 503
                assert response.json()["code"] == "AUDIT_UNAVAILABLE"
            else:
                with pytest.raises(httpx.RemoteProtocolError):
                    client.post("/v1/query", json=sql).read()
