"""Three gateway instances behind a real nginx (Debian's package), sharing a PostgreSQL audit log,
metadata catalog and instance table: nginx spreads every request round robin (no stickiness, no
routing by query id), each instance forwards a query's follow-ups to its owner
(gateway/owner_forwarding.py), and killing one instance fails only its own queries. A second
nginx routes by query id (``lakegate balancer-config`` without ``--any-instance``)."""

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
from typing import Any

import httpx
import psycopg
import pytest
import sqlalchemy
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
    #: each instance's own address (node id -> URL), for what must reach one that is not the owner
    instances: dict[str, str]
    #: the nginx that routes a query's follow-ups by query id
    routed_port: int
    dsn: str


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
            port = free_port()
            raw["server"] = {
                **raw.get("server", {}),
                "dev_mode": True,
                "node_id": node,
                # fast heartbeats, so the test sees a dead instance counted gone soon
                "cluster": {
                    "internal_address": "http://127.0.0.1:${LAKEGATE_TEST_PORT}",
                    "heartbeat_seconds": 0.5,
                    "stale_seconds": 2,
                },
            }
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
            processes[node] = subprocess.Popen(
                [sys.executable, "-m", "gateway.cli", "serve", "--config", str(config), "--port", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**env, "LAKEGATE_TEST_PORT": str(port)},
            )
            instances.append(Instance(node, f"127.0.0.1:{port}"))
            # one at a time: the first creates the shared stores' tables
            wait_until_ready(f"http://127.0.0.1:{port}", processes[node], f"instance {node}")
        temp = folder / "temp"
        temp.mkdir()
        temp.chmod(0o777)
        ports = {}
        for name, routing in (("nginx", False), ("nginx_routed", True)):
            ports[name] = port = free_port()
            conf = folder / f"{name}.conf"
            paths = {
                "pid": str(folder / f"{name}.pid"),
                "error_log": str(folder / f"{name}.error.log"),
                "temp": str(temp),
            }
            conf.write_text(nginx_conf(instances, f"127.0.0.1:{port}", paths, owner_routing=routing))
            processes[name] = subprocess.Popen(
                [nginx, "-c", str(conf), "-p", str(folder)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_until_ready(f"http://127.0.0.1:{port}", processes[name], name)
        url = f"http://127.0.0.1:{ports['nginx']}"
        addresses = {i.node_id: f"http://{i.address}" for i in instances}
        yield Cluster(url, ports["nginx"], processes, addresses, ports["nginx_routed"], dsn)
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
        # a query takes a fixed number of requests: one more shifts round robin's turn, so the
        # next query starts on another instance
        httpx.get(f"{cluster.url}/healthz")
        with trino.dbapi.connect(
            host="127.0.0.1", port=cluster.port, user="root", http_scheme="http"
        ) as conn:
            cursor = conn.cursor()
            # many pages: every nextUri must reach the instance that runs the query
            cursor.execute("SELECT l_orderkey, l_comment FROM tpch.tiny.lineitem")
            assert len(cursor.fetchall()) == 60175
            owners.add(_owner(cursor.query_id))
    assert len(owners) >= 2


def test_the_instances_are_registered_with_their_addresses(cluster: Cluster) -> None:
    with psycopg.connect(cluster.dsn) as conn:
        rows = conn.execute(
            "SELECT node_id, address, state FROM lakegate_catalog.lakegate_instances"
        ).fetchall()
    assert sorted(rows) == sorted((node, url, "up") for node, url in cluster.instances.items())


def test_a_query_s_follow_ups_sent_to_another_instance_are_forwarded_to_its_owner(cluster: Cluster) -> None:
    headers = {"X-Trino-User": "root", **ROOT}
    with httpx.Client(timeout=30) as client:
        first = client.post(f"{cluster.url}/v1/statement", content=ENDLESS, headers=headers).json()
        owner = _owner(first["id"])
        other = next(url for node, url in cluster.instances.items() if node != owner)
        # the owner's nextUri names the address the client used (the balancer), not an instance
        assert first.get("nextUri", "").startswith(f"{cluster.url}/v1/statement/"), first
        path = first["nextUri"][len(cluster.url) :]
        # a request already forwarded once is answered where it lands: no loop, not found there
        marked = client.get(f"{other}{path}", headers={**headers, "X-Lakegate-Forwarded-By": "n9"})
        assert marked.status_code == 404
        assert marked.text == "Query not found"
        page = client.get(f"{other}{path}", headers=headers)
        assert page.status_code == 200
        assert page.headers["x-lakegate-answered-by"] == owner
        assert page.json()["id"] == first["id"]
        assert page.json()["nextUri"].startswith(f"{other}/v1/statement/")  # the address used
        status = client.get(f"{other}/v1/queries/{first['id']}", headers=headers)
        assert status.headers["x-lakegate-answered-by"] == owner
        assert status.json()["state"] == "RUNNING"
        # another user's query is as unknown on the owner as anywhere
        sam = client.get(f"{other}/v1/queries/{first['id']}", headers={"X-Lakegate-User": "sam"})
        assert sam.status_code == 404
        assert client.delete(page.json()["nextUri"], headers=headers).status_code == 204
        last = _drain(client, page.json(), headers)
        assert last["error"]["errorName"] == "USER_CANCELED"


def test_trino_paging_through_a_balancer_that_routes_by_query_id(cluster: Cluster) -> None:
    with trino.dbapi.connect(
        host="127.0.0.1", port=cluster.routed_port, user="root", http_scheme="http"
    ) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT l_orderkey FROM tpch.tiny.lineitem")
        assert len(cursor.fetchall()) == 60175


def test_status_and_cancel_reach_the_owner(cluster: Cluster) -> None:
    with (
        httpx.Client(base_url=cluster.url, timeout=30, headers=ROOT) as client,
        client.stream("POST", "/v1/query", json={"sql": ENDLESS}) as response,
    ):
        query_id = response.headers["x-lakegate-query-id"]
        for _ in range(6):  # the others do not know it: they forward to the owner, which answers
            assert client.get(f"/v1/queries/{query_id}").json()["state"] == "RUNNING"
        assert client.delete(f"/v1/queries/{query_id}").status_code == 204
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()
        deadline = time.monotonic() + 10
        while client.get(f"/v1/queries/{query_id}").json()["state"] != "CANCELED":
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_superset_style_traffic(cluster: Cluster) -> None:
    """What Superset does with a Trino database: the SQLAlchemy dialect's inspector for the
    schema browser, a preview with a LIMIT, and a larger result fetched in pages; every statement
    may land on any instance, and its pages follow it to its owner."""
    engine = sqlalchemy.create_engine(f"trino://root@127.0.0.1:{cluster.port}/tpch")
    try:
        inspector = sqlalchemy.inspect(engine)
        assert "tiny" in inspector.get_schema_names()
        tables = inspector.get_table_names(schema="tiny")
        assert {"nation", "lineitem", "orders"} <= set(tables)
        assert inspector.get_view_names(schema="tiny") == []
        columns = inspector.get_columns("nation", schema="tiny")
        assert [c["name"] for c in columns] == ["n_nationkey", "n_name", "n_regionkey", "n_comment"]
        with engine.connect() as conn:
            preview = conn.execute(
                sqlalchemy.text("SELECT n_name FROM tiny.nation ORDER BY n_nationkey LIMIT 5")
            ).fetchall()
            assert [row[0] for row in preview] == ["ALGERIA", "ARGENTINA", "BRAZIL", "CANADA", "EGYPT"]
            result = conn.execution_options(stream_results=True).execute(
                sqlalchemy.text("SELECT l_orderkey, l_linenumber FROM tiny.lineitem")
            )
            total, keys = 0, set()
            while batch := result.fetchmany(5000):
                total += len(batch)
                keys.update((row[0], row[1]) for row in batch)
            assert total == len(keys) == 60175
    finally:
        engine.dispose()


def test_a_web_ui_session_works_on_every_instance_and_ends_on_all(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.url, timeout=30) as client:
        signed_in = client.post("/auth/sign-in", json={"user": "ada", "password": "ada-demo-pw"})
        assert signed_in.status_code == 200, signed_in.text
        token = signed_in.json()["csrf_token"]
        cookie = {"lakegate_session": str(client.cookies.get("lakegate_session"))}
        owners = set()
        for n in range(12):
            answer = client.post(
                "/v1/query",
                json={"sql": f"SELECT {n} AS n"},
                headers={"Accept": "application/json", "X-CSRF-Token": token},
            )
            assert answer.status_code == 200, answer.text
            query_id = answer.headers["x-lakegate-query-id"]
            owners.add(_owner(query_id))
            # ada's query is visible to ada only: the owner knew the session
            assert client.get(f"/v1/queries/{query_id}").json()["user"] == "ada"
        assert len(owners) >= 2, "the balancer sent every request to one instance"
        for url in cluster.instances.values():
            assert httpx.get(f"{url}/auth/session", cookies=cookie).json()["user"] == "ada"
        assert client.post("/auth/sign-out", headers={"X-CSRF-Token": token}).status_code == 204
    # every instance forgets it within the cache bound (server.ui.session_cache_seconds: 5)
    deadline = time.monotonic() + 5 + 2
    for node, url in cluster.instances.items():
        while httpx.get(f"{url}/auth/session", cookies=cookie).json()["signed_in"]:
            assert time.monotonic() < deadline, f"instance {node} still knows the session"
            time.sleep(0.2)


def _drain(client: httpx.Client, document: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    """Follow a Trino query's nextUri to its last document."""
    deadline = time.monotonic() + 30
    while "nextUri" in document:
        assert time.monotonic() < deadline
        document = client.get(document["nextUri"], headers=headers).json()
    return document


def test_kill_query_sent_to_another_instance_kills_it_on_its_owner(cluster: Cluster) -> None:
    ada = {"X-Trino-User": "ada"}
    with httpx.Client(base_url=cluster.url, timeout=30) as client:
        running = client.post("/v1/statement", content=ENDLESS, headers=ada).json()
        query_id = running["id"]
        owner = _owner(query_id)
        other = next(url for node, url in cluster.instances.items() if node != owner)

        # sam may not kill ada's query: to him it does not exist (as on one instance)
        sam = {"X-Trino-User": "sam"}
        call = f"CALL system.runtime.kill_query(query_id => '{query_id}', message => 'too slow')"
        refused = _drain(client, client.post(f"{other}/v1/statement", content=call, headers=sam).json(), sam)
        assert refused["error"]["errorName"] == "NOT_FOUND"

        killed = _drain(client, client.post(f"{other}/v1/statement", content=call, headers=ada).json(), ada)
        assert "error" not in killed, killed
        assert _owner(killed["id"]) != owner  # answered by another instance
        last = _drain(client, running, ada)
        assert last["error"]["errorName"] == "ADMINISTRATIVELY_KILLED"
        assert "too slow" in last["error"]["message"]
        again = _drain(client, client.post(f"{other}/v1/statement", content=call, headers=ada).json(), ada)
        assert again["error"]["errorName"] == "NOT_SUPPORTED"  # not running any more

        # the native API's cancel sent to an instance directly (no balancer to route it) by an
        # admin reaches the owner as well
        native = client.post("/v1/statement", content=ENDLESS, headers=ada).json()
        other = next(url for node, url in cluster.instances.items() if node != _owner(native["id"]))
        assert client.delete(f"{other}/v1/queries/{native['id']}", headers=ROOT).status_code == 204
        assert _drain(client, native, ada)["error"]["errorName"] == "USER_CANCELED"
        unknown = f"{native['id'][:-2]}n9"
        asked = time.monotonic()
        assert client.delete(f"{other}/v1/queries/{unknown}", headers=ROOT).status_code == 404
        assert time.monotonic() - asked < 2, "no instance n9 was ever registered: nobody to ask"


def test_a_second_instance_with_a_live_instance_s_node_id_is_refused(
    cluster: Cluster, demo_dir: Path
) -> None:
    port = free_port()
    config = str(demo_dir / "lakegate-n1.yaml")
    twin = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "serve", "--config", config, "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LAKEGATE_BALANCER_DSN": cluster.dsn, "LAKEGATE_TEST_PORT": str(port)},
    )
    assert twin.returncode != 0
    assert "node id n1 is in use by a live instance at http://127.0.0.1:" in twin.stderr
    with psycopg.connect(cluster.dsn) as conn:
        (address,) = conn.execute(
            "SELECT address FROM lakegate_catalog.lakegate_instances WHERE node_id = 'n1'"
        ).fetchone() or (None,)
    assert address == cluster.instances["n1"]  # the live one keeps its place


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

        # at once (the dead instance refuses the forwarded request) and once its heartbeat is
        # stale (server.cluster.stale_seconds: 2): its running query is gone, clearly
        for wait in (0.0, 2.5):
            time.sleep(wait)
            gone = client.get(page["nextUri"], headers=headers)
            assert gone.status_code == 503
            assert gone.headers["content-type"].startswith("application/problem+json")
            assert gone.json()["code"] == "ENGINE_UNAVAILABLE"
            assert f"instance {victim} that ran query {page['id']} is gone" in gone.json()["detail"]
            status = client.get(f"/v1/queries/{page['id']}", headers=headers)
            assert status.status_code == 503, status.text
            assert "is gone" in status.json()["detail"]
            cancel = client.delete(page["nextUri"], headers=headers)
            assert cancel.status_code == 503

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
        metrics = "".join(
            httpx.get(f"{url}/metrics").text for node, url in cluster.instances.items() if node != victim
        )
        assert 'lakegate_forwarded_requests_total{outcome="owner_gone"}' in metrics
        assert 'lakegate_forwarded_requests_total{outcome="forwarded"}' in metrics
