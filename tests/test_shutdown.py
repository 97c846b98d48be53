"""SIGTERM drains a real `lakegate serve` process: readiness turns 503 at once, new queries are
refused with a retryable error, running ones get the drain period, then the process exits."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

ENDLESS = (
    "SELECT count(*) AS n FROM tpch.tiny.lineitem a, tpch.tiny.lineitem b, tpch.tiny.nation c "
    "WHERE (a.l_partkey * 7 + b.l_suppkey * 13 + c.n_nationkey) % 1000003 = 17"
)
USER = {"X-Lakegate-User": "root"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Served:
    def __init__(self, process: subprocess.Popen[bytes], url: str, state: Path) -> None:
        self.process = process
        self.url = url
        #: the state store (SQLite), where the instance registers itself (server.cluster)
        self.state = state


@pytest.fixture
def served(demo_dir: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Served]:
    drain_seconds = getattr(request, "param", 2.0)
    raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
    port = _free_port()
    raw.setdefault("server", {}).update(
        {
            "dev_mode": True,
            "drain_seconds": drain_seconds,
            "node_id": "s1",
            "cluster": {"internal_address": f"127.0.0.1:{port}"},
        }
    )
    # stores of its own: this process is stopped hard in one test
    raw["audit"] = {"store": "sqlite", "path": str(tmp_path / "audit.sqlite")}
    raw["catalog"] = {**raw.get("catalog", {}), "path": str(tmp_path / "catalog.sqlite")}
    # beside the demo's own config: its relative paths resolve against this folder
    config = demo_dir / f"shutdown-{os.getpid()}-{time.monotonic_ns()}.yaml"
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--config", str(config), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield Served(process, url, tmp_path / "catalog.sqlite")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        config.unlink()


def _start_endless(url: str) -> tuple[str, threading.Thread]:
    """An endless query streamed on a thread; returns its id once it runs."""
    started: dict[str, str] = {}
    ready = threading.Event()

    def read() -> None:
        with (
            httpx.Client(base_url=url, timeout=120, headers=USER) as client,
            client.stream("POST", "/v1/query", json={"sql": ENDLESS}) as response,
        ):
            started["id"] = response.headers["x-lakegate-query-id"]
            ready.set()
            with contextlib.suppress(httpx.HTTPError):  # cut when the query is canceled
                response.read()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert ready.wait(30), "the query did not start"
    return started["id"], reader


def test_sigterm_drains_then_exits_within_the_drain_period(served: Served) -> None:
    query_id, reader = _start_endless(served.url)
    sent = time.monotonic()
    served.process.send_signal(signal.SIGTERM)

    ready = httpx.get(f"{served.url}/readyz", timeout=5)
    assert ready.status_code == 503
    assert ready.json()["status"] == "draining"
    refused = httpx.post(f"{served.url}/v1/query", json={"sql": "SELECT 1"}, headers=USER, timeout=5)
    assert refused.status_code == 503
    assert refused.json()["code"] == "SERVER_SHUTTING_DOWN"
    status = httpx.get(f"{served.url}/v1/queries/{query_id}", headers=USER, timeout=5).json()
    assert status["state"] == "RUNNING", "a running query keeps its drain period"

    assert _instance_state(served) == "up"  # still serving its running query's follow-ups

    assert served.process.wait(timeout=20) == 0
    took = time.monotonic() - sent
    assert 2.0 <= took < 2.0 + 6, f"exited after {took:.1f} s (drain 2 s)"
    reader.join(timeout=10)
    assert not reader.is_alive()
    # the other instances are told: its queries are gone with it (gateway/instances.py)
    assert _instance_state(served) == "gone"


def _instance_state(served: Served) -> str:
    with contextlib.closing(sqlite3.connect(served.state)) as conn:
        ((state,),) = conn.execute("SELECT state FROM lakegate_instances WHERE node_id = 's1'").fetchall()
    return str(state)


@pytest.mark.parametrize("served", [600.0], indirect=True)
def test_a_second_sigterm_stops_at_once(served: Served) -> None:
    _start_endless(served.url)
    served.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    sent = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    served.process.wait(timeout=20)
    assert time.monotonic() - sent < 8


def test_a_server_with_nothing_running_stops_at_once(served: Served) -> None:
    sent = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=20) == 0
    assert time.monotonic() - sent < 3
