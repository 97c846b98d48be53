"""``lakegate serve --workers 2``: two worker processes accept from one port and share a
PostgreSQL state store; a query's follow-ups reach its owner whichever worker takes them, the
metrics add up over the workers, signals reach every worker, a worker that dies is replaced and
fails only its own queries (gateway/worker_processes.py)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
import trino
import yaml

from tests.postgres_databases import scratch_database
from tests.server import free_port, stop, wait_until_ready
from tests.test_query_lifecycle import ENDLESS

ROOT = {"X-Lakegate-User": "root"}
TRINO = {"X-Trino-User": "root", **ROOT}
SERVE = (sys.executable, "-m", "gateway.cli", "serve")
STARTED = re.compile(r"worker (\d+) \(node ([a-z0-9]+)\) started as process (\d+)")


@dataclass
class Workers:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    dsn: str

    def live(self) -> dict[str, str]:
        """Registered live workers: node id -> private address."""
        with psycopg.connect(self.dsn) as conn:
            rows = conn.execute(
                "SELECT node_id, address FROM lakegate_catalog.lakegate_instances "
                "WHERE state = 'up' AND heartbeat_at > extract(epoch from now()) - 2"
            ).fetchall()
        return dict(rows)

    def pids(self) -> dict[str, int]:
        """Node id -> process id, of every worker started so far."""
        return {node: int(pid) for _, node, pid in STARTED.findall(self.log.read_text())}


def _config(demo_dir: Path, name: str, drain_seconds: float = 30) -> Path:
    raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
    raw["server"] = {
        **raw.get("server", {}),
        "dev_mode": True,
        "drain_seconds": drain_seconds,
        # the host the workers listen on for each other; fast heartbeats, so a dead worker is
        # counted gone soon
        "cluster": {"internal_address": "http://127.0.0.1:1", "heartbeat_seconds": 0.5, "stale_seconds": 2},
    }
    raw["audit"] = {"store": "postgres", "dsn": "${LAKEGATE_WORKERS_DSN}"}
    raw["catalog"] = {**raw.get("catalog", {}), "store": "postgres", "dsn": "${LAKEGATE_WORKERS_DSN}"}
    raw["catalog"]["refresh_seconds"] = 0
    raw["catalog"].pop("path", None)
    config = demo_dir / name  # beside the demo: its paths are relative
    config.write_text(yaml.safe_dump(raw))
    return config


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with scratch_database("lakegate_workers_test") as dsn:
        yield dsn


def _serve(config: Path, dsn: str, log: Path) -> Workers:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*SERVE, "--config", str(config), "--port", str(port), "--workers", "2"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LAKEGATE_WORKERS_DSN": dsn, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(url, process, "lakegate serve --workers 2")
    workers = Workers(url, port, process, log, dsn)
    deadline = time.monotonic() + 30
    while "2 workers serve" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.1)
    return workers


@pytest.fixture(scope="module")
def workers(demo_dir: Path, database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    log = tmp_path_factory.mktemp("workers") / "serve.log"
    served = _serve(_config(demo_dir, "lakegate-workers.yaml"), database, log)
    try:
        yield served
    finally:
        stop(served.process)


def _owner(query_id: str) -> str:
    return query_id.rsplit("_", 1)[1]


def test_both_workers_take_connections_on_the_one_port(workers: Workers) -> None:
    live = workers.live()
    assert len(live) == 2
    owners = set()
    for n in range(60):
        # a connection each: the kernel gives it to whichever worker accepts first
        response = httpx.post(
            f"{workers.url}/v1/query",
            json={"sql": f"SELECT n_name FROM tpch.tiny.nation WHERE n_nationkey = {n % 25}"},
            headers={**ROOT, "Accept": "application/json"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        owners.add(_owner(response.headers["x-lakegate-query-id"]))
        if len(owners) == 2:
            break
    assert owners == set(live)


def test_each_worker_registers_its_own_private_address(workers: Workers) -> None:
    live = workers.live()
    addresses = set(live.values())
    assert len(addresses) == 2
    for node, address in live.items():
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", address)
        assert address != workers.url  # not the shared port
        ready = httpx.get(f"{address}/readyz", timeout=10)
        assert ready.status_code == 200
        answered = httpx.post(
            f"{address}/v1/query", json={"sql": "SELECT 1"}, headers={**ROOT, "Accept": "application/json"}
        )
        assert _owner(answered.headers["x-lakegate-query-id"]) == node


def test_trino_pages_and_status_reach_the_owner_from_the_other_worker(workers: Workers) -> None:
    live = workers.live()
    with httpx.Client(timeout=30) as client:
        first = client.post(f"{workers.url}/v1/statement", content=ENDLESS, headers=TRINO).json()
        owner = _owner(first["id"])
        other = next(address for node, address in live.items() if node != owner)
        path = first["nextUri"][len(workers.url) :]
        page = client.get(f"{other}{path}", headers=TRINO)
        assert page.status_code == 200, page.text
        assert page.headers["x-lakegate-answered-by"] == owner
        status = client.get(f"{other}/v1/queries/{first['id']}", headers=TRINO)
        assert status.json()["state"] == "RUNNING"
        assert client.delete(f"{other}/v1/queries/{first['id']}", headers=TRINO).status_code == 204
        # the client's next page, through the other worker, says the query was canceled
        last = page.json()
        while "nextUri" in last:
            last = client.get(f"{other}{last['nextUri'][len(other) :]}", headers=TRINO).json()
        assert last["error"]["errorName"] == "USER_CANCELED"
        assert client.get(f"{other}/v1/queries/{first['id']}", headers=TRINO).json()["state"] == "CANCELED"


def test_the_trino_client_reads_many_pages_on_new_connections(workers: Workers) -> None:
    for _ in range(3):
        with trino.dbapi.connect(
            host="127.0.0.1", port=workers.port, user="root", http_scheme="http"
        ) as conn:
            cursor = conn.cursor()
            cursor.execute("SELECT l_orderkey, l_comment FROM tpch.tiny.lineitem")
            assert len(cursor.fetchall()) == 60175
    # pages fetched each on a connection of its own land on either worker
    with httpx.Client(timeout=30, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        page = client.post(
            f"{workers.url}/v1/statement", content="SELECT l_orderkey FROM tpch.tiny.lineitem", headers=TRINO
        ).json()
        rows = len(page.get("data") or [])
        while "nextUri" in page:
            response = client.get(page["nextUri"], headers=TRINO)
            assert response.status_code == 200, response.text
            page = response.json()
            rows += len(page.get("data") or [])
        assert "error" not in page
        assert rows == 60175


def _queries_total(text: str) -> float:
    return sum(
        float(value)
        for value in re.findall(
            r'^lakegate_queries_total\{source="native",state="FINISHED"\} (\S+)$', text, re.M
        )
    )


def test_metrics_add_up_over_the_workers(workers: Workers) -> None:
    live = workers.live()
    before = _queries_total(httpx.get(f"{workers.url}/metrics").text)
    for address in live.values():
        for _ in range(3):
            httpx.post(
                f"{address}/v1/query",
                json={"sql": "SELECT 1"},
                headers={**ROOT, "Accept": "application/json"},
            ).raise_for_status()
    # whichever worker answers /metrics counts both workers' queries
    totals = {_queries_total(httpx.get(f"{address}/metrics").text) for address in live.values()}
    assert totals == {before + 6}
    text = httpx.get(f"{workers.url}/metrics").text
    assert re.search(r"^lakegate_running_queries 0\.0$", text, re.M), "running: one summed gauge"


def test_sighup_reloads_every_worker_and_drops_none(workers: Workers) -> None:
    pids = workers.pids()
    workers.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 20
    while workers.log.read_text().count("SIGHUP: reloading users, tokens, policies") < 2:
        assert time.monotonic() < deadline, workers.log.read_text()[-2000:]
        time.sleep(0.1)
    assert workers.pids() == pids
    assert len(workers.live()) == 2
    response = httpx.post(
        f"{workers.url}/v1/query", json={"sql": "SELECT 1"}, headers={**ROOT, "Accept": "application/json"}
    )
    assert response.status_code == 200


def test_a_killed_worker_fails_only_its_queries_and_is_replaced(workers: Workers) -> None:
    page = httpx.post(f"{workers.url}/v1/statement", content=ENDLESS, headers=TRINO, timeout=30).json()
    victim = _owner(page["id"])
    os.kill(workers.pids()[victim], signal.SIGKILL)
    with httpx.Client(timeout=30) as client:  # new connections: the victim's died with it
        # the survivor answers for it: the query is gone, clearly
        deadline = time.monotonic() + 10
        while True:
            gone = client.get(page["nextUri"], headers=TRINO)
            if gone.status_code == 503:
                break
            assert time.monotonic() < deadline, gone.text
            time.sleep(0.2)
        assert gone.json()["code"] == "ENGINE_UNAVAILABLE"
        assert f"that ran query {page['id']} is gone" in gone.json()["detail"]
        for n in range(10):
            response = client.post(
                f"{workers.url}/v1/query",
                json={"sql": f"SELECT {n} AS n"},
                headers={**ROOT, "Accept": "application/json"},
            )
            assert response.status_code == 200, response.text
        # started again, under a new node id
        deadline = time.monotonic() + 60
        while len(workers.live()) < 2 or victim in workers.live():
            assert time.monotonic() < deadline, workers.log.read_text()[-3000:]
            time.sleep(0.2)
        assert workers.process.poll() is None
        assert f"died (exit code -{int(signal.SIGKILL)})" in workers.log.read_text()


def test_sigterm_drains_every_worker_then_the_supervisor_exits(demo_dir: Path, tmp_path: Path) -> None:
    config = _config(demo_dir, "lakegate-workers-drain.yaml", drain_seconds=2)
    with scratch_database("lakegate_workers_drain_test") as database:
        _drain(_serve(config, database, tmp_path / "log"), tmp_path / "log")


def _drain(served: Workers, log_file: Path) -> None:
    try:
        live = served.live()
        with httpx.Client(timeout=30) as client:
            page = client.post(f"{served.url}/v1/statement", content=ENDLESS, headers=TRINO).json()
            started = time.monotonic()
            served.process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            # the worker running the query drains: not ready, new queries refused (retryable)
            assert client.get(f"{live[_owner(page['id'])]}/readyz").status_code == 503
            # the idle one had nothing to drain: gone already, or not ready either
            idle = next(address for node, address in live.items() if node != _owner(page["id"]))
            with contextlib.suppress(httpx.TransportError):
                assert httpx.get(f"{idle}/readyz", timeout=1).status_code == 503
            refused = httpx.post(  # a new connection: the shared port's draining worker takes it
                f"{served.url}/v1/query",
                json={"sql": "SELECT 1"},
                headers={**ROOT, "Accept": "application/json"},
                timeout=30,
            )
            assert refused.status_code == 503
            assert refused.json()["code"] == "SERVER_SHUTTING_DOWN"
            assert served.process.wait(timeout=20) == 0
            assert time.monotonic() - started < 2 + 8  # drain + connection grace + start-up slack
        log = log_file.read_text()
        assert "Traceback" not in log
        assert "drain period over: canceled 1 running queries" in log
    finally:
        stop(served.process)


def test_a_worker_that_cannot_start_stops_the_server_with_its_exit_code(
    demo_dir: Path, database: str, tmp_path: Path
) -> None:
    config = _config(demo_dir, "lakegate-workers-broken.yaml")
    raw = yaml.safe_load(config.read_text())
    raw["auth"]["basic"]["users_file"] = "missing-users.yaml"  # read by the workers, at start-up
    config.write_text(yaml.safe_dump(raw))
    done = subprocess.run(
        [*SERVE, "--config", str(config), "--workers", "2", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LAKEGATE_WORKERS_DSN": database},
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "missing-users.yaml" in done.stderr
    assert "worker 0 stopped while starting (exit code 2)" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_list_of_queries_spans_every_worker(workers: Workers) -> None:
    ran = set()
    for address in workers.live().values():
        response = httpx.post(
            f"{address}/v1/query",
            json={"sql": "SELECT 42 AS n"},
            headers={**ROOT, "Accept": "application/json"},
        )
        ran.add(response.headers["x-lakegate-query-id"])
    assert len({_owner(query_id) for query_id in ran}) == 2
    for address in workers.live().values():  # whichever worker is asked
        listed = httpx.get(f"{address}/v1/queries", params={"limit": 1000}, headers=ROOT, timeout=30)
        assert listed.status_code == 200
        assert "x-lakegate-unanswered-instances" not in listed.headers
        ids = [status["id"] for status in listed.json()]
        assert ran <= set(ids)
        assert len(ids) == len(set(ids))
        created = [status["created"] for status in listed.json()]
        assert created == sorted(created, reverse=True)
    # another user sees none of root's queries on any worker
    sam = httpx.get(f"{workers.url}/v1/queries", headers={"X-Lakegate-User": "sam"}, timeout=30)
    assert not ran & {status["id"] for status in sam.json()}
