"""Three gateway instances behind a real nginx (Debian's package), sharing a PostgreSQL audit log
and metadata catalog: new work is spread, a query's follow-ups reach its owner, and killing one
instance fails only its own queries."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trino
import yaml

from gateway.balancer import Instance, nginx_conf
from tests.conftest import server_missing
from tests.postgres_databases import scratch_database
from tests.server import free_port, stop, wait_until_ready
from tests.test_query_lifecycle import ENDLESS

NODES = ("n1", "n2", "n3")
ROOT = {"X-Lakegate-User": "root"}


@dataclass
class Cluster:
    url: str
    port: int
    processes: dict[str, subprocess.Popen[bytes]]


@pytest.fixture(scope="module")
def cluster(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        server_missing("nginx is not installed (apt-get install nginx-light)")
        return
    with scratch_database("lakegate_balancer_test") as dsn:
        yield from _run_cluster(demo_dir, tmp_path_factory, nginx, dsn)


def _run_cluster(
    demo_dir: Path, tmp_path_factory: pytest.TempPathFactory, nginx: str, dsn: str
) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("balancer")
    env = {**os.environ, "LAKEGATE_BALANCER_DSN": dsn}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    instances = []
    try:
        for node in NODES:
            raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
            raw["server"] = {**raw.get("server", {}), "dev_mode": True, "node_id": node}
            raw["audit"] = {"store": "postgres", "dsn": "${LAKEGATE_BALANCER_DSN}"}
            raw["catalog"] = {
                **raw.get("catalog", {}),
                "store": "postgres",
                "dsn": "${LAKEGATE_BALANCER_DSN}",
                "refresh_seconds": 0,
            }
            raw["catalog"].pop("path", None)
            config = demo_dir / f"lakegate-{node}.yaml"  # beside the demo: its paths are relative
            config.write_text(yaml.safe_dump(raw))
            port = free_port()
            processes[node] = subprocess.Popen(
                [sys.executable, "-m", "gateway.cli", "serve", "--config", str(config), "--port", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
            )
            instances.append(Instance(node, f"127.0.0.1:{port}"))
            # one at a time: the first creates the shared stores' tables
            wait_until_ready(f"http://127.0.0.1:{port}", processes[node], f"instance {node}")
        temp = folder / "temp"
        temp.mkdir()
        temp.chmod(0o777)
        port = free_port()
        conf = folder / "nginx.conf"
        paths = {"pid": str(folder / "nginx.pid"), "error_log": str(folder / "error.log"), "temp": str(temp)}
        conf.write_text(nginx_conf(instances, f"127.0.0.1:{port}", paths))
        processes["nginx"] = subprocess.Popen(
            [nginx, "-c", str(conf), "-p", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(url, processes["nginx"], "nginx")
        yield Cluster(url, port, processes)
    finally:
        for process in processes.values():
            stop(process)


def _owner(query_id: str) -> str:
    return query_id.rsplit("_", 1)[1]


def test_new_queries_are_spread_over_the_instances(cluster: Cluster) -> None:
    owners = set()
    with httpx.Client(base_url=cluster.url, timeout=30, headers=ROOT) as client:
        for n in range(30):
            response = client.post(
                "/v1/query",
                json={"sql": f"SELECT n_name FROM tpch.tiny.nation WHERE n_nationkey = {n % 25}"},
                headers={"Accept": "application/json"},
            )
            assert response.status_code == 200
            assert response.json()["rows"] == 1
            owners.add(_owner(response.headers["x-lakegate-query-id"]))
    assert owners <= set(NODES)
    assert len(owners) >= 2, "the balancer sent every query to one instance"


def test_trino_paging_follows_each_query_to_its_owner(cluster: Cluster) -> None:
    owners = set()
    for _ in range(4):
        with trino.dbapi.connect(
            host="127.0.0.1", port=cluster.port, user="root", http_scheme="http"
        ) as conn:
            cursor = conn.cursor()
            # many pages: every nextUri must reach the instance that runs the query
            cursor.execute("SELECT l_orderkey, l_comment FROM tpch.tiny.lineitem")
            assert len(cursor.fetchall()) == 60175
            owners.add(_owner(cursor.query_id))
    assert len(owners) >= 2


def test_status_and_cancel_reach_the_owner(cluster: Cluster) -> None:
    with (
        httpx.Client(base_url=cluster.url, timeout=30, headers=ROOT) as client,
        client.stream("POST", "/v1/query", json={"sql": ENDLESS}) as response,
    ):
        query_id = response.headers["x-lakegate-query-id"]
        for _ in range(6):  # the others do not know it: only the owner answers RUNNING
            assert client.get(f"/v1/queries/{query_id}").json()["state"] == "RUNNING"
        assert client.delete(f"/v1/queries/{query_id}").status_code == 204
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()
        deadline = time.monotonic() + 10
        while client.get(f"/v1/queries/{query_id}").json()["state"] != "CANCELED":
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_killing_an_instance_fails_only_its_queries(cluster: Cluster) -> None:
    headers = {"X-Trino-User": "root", **ROOT}
    with httpx.Client(base_url=cluster.url, timeout=30, headers=ROOT) as client:
        finished = client.post("/v1/query", json={"sql": "SELECT 1"}, headers={"Accept": "application/json"})
        finished_id = finished.headers["x-lakegate-query-id"]
        victim = _owner(finished_id)
        # a long query on the same instance (least connections sends this one there too, or
        # another: keep asking until one lands there)
        for _ in range(20):
            page = client.post("/v1/statement", content=ENDLESS, headers=headers).json()
            if _owner(page["id"]) == victim:
                break
            client.delete(page["nextUri"], headers=headers)
        assert _owner(page["id"]) == victim
        cluster.processes[victim].send_signal(signal.SIGKILL)
        cluster.processes[victim].wait(timeout=10)

        gone = client.get(page["nextUri"], headers=headers)
        assert gone.status_code == 503
        assert gone.headers["content-type"].startswith("application/problem+json")
        assert "gone" in gone.json()["detail"]

        # the others carry on: new queries are answered, none is lost to the dead instance
        for n in range(20):
            response = client.post(
                "/v1/query", json={"sql": f"SELECT {n} AS n"}, headers={"Accept": "application/json"}
            )
            assert response.status_code == 200, response.text
            assert _owner(response.headers["x-lakegate-query-id"]) != victim
        # a finished query of the dead instance is still known: the shared audit log answers
        status = client.get(f"/v1/queries/{finished_id}")
        assert status.status_code == 200
        assert status.json()["state"] == "FINISHED"
