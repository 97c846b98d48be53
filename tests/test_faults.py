"""Faults a production gateway meets: a query past the engine's memory limit fails clearly and
alone; a client that reads slowly holds a bounded amount of the server's memory."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import psutil
import yaml

from gateway.app import create_app
from tests.conftest import demo_config
from tests.server import LiveServer, served_process

ROOT = {"X-Lakegate-User": "root"}
# a string aggregate cannot spill to disk: past the memory limit it fails
GREEDY = (
    "SELECT length(string_agg(a.l_comment || b.l_comment, ',')) "
    "FROM tpch.tiny.lineitem a, (SELECT l_comment FROM tpch.tiny.lineitem LIMIT 100) b"
)


def test_a_query_past_the_memory_limit_fails_clearly_and_alone(demo_dir: Path) -> None:
    config = demo_config(demo_dir, engine={"memory_limit": "64MB", "threads": 1})
    with (
        LiveServer(create_app(config)) as live,
        httpx.Client(base_url=live.url, timeout=120, headers=ROOT) as client,
    ):
        results: dict[str, httpx.Response] = {}

        def other() -> None:
            results["other"] = client.post(
                "/v1/query",
                json={"sql": "SELECT l_orderkey, l_partkey FROM tpch.tiny.lineitem"},
                headers={"Accept": "application/json"},
            )

        neighbour = threading.Thread(target=other)
        neighbour.start()
        greedy = client.post("/v1/query", json={"sql": GREEDY}, headers={"Accept": "application/json"})
        neighbour.join()
        assert greedy.status_code == 413
        problem = greedy.json()
        assert problem["code"] == "EXCEEDED_MEMORY_LIMIT"
        assert "engine.memory_limit" in problem["detail"]
        assert "SET " not in problem["detail"], "the engine's advice is not the user's to follow"
        assert results["other"].status_code == 200
        assert results["other"].json()["rows"] == 60175
        assert client.post("/v1/query", json={"sql": "SELECT 1"}).status_code == 200


def test_a_slow_reader_holds_a_bounded_amount_of_server_memory(demo_dir: Path, tmp_path: Path) -> None:
    raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
    raw["server"] = {**raw["server"], "dev_mode": True, "engine": {"batch_rows": 10_000}}
    raw["audit"] = {"store": "sqlite", "path": str(tmp_path / "audit.sqlite")}
    raw["catalog"] = {**raw.get("catalog", {}), "path": str(tmp_path / "catalog.sqlite")}
    config = demo_dir / f"lakegate-slow-{tmp_path.name}.yaml"  # beside the demo: relative paths
    config.write_text(yaml.safe_dump(raw))
    # about 750 MB of text if the server buffered the whole result
    sql = (
        "SELECT a.l_comment, a.l_shipinstruct, b.n_comment FROM tpch.tiny.lineitem a, "
        "tpch.tiny.nation b, (SELECT 1 FROM tpch.tiny.region) c"
    )
    try:
        with served_process(config) as (url, process):
            server = psutil.Process(process.pid)
            before = peak = server.memory_info().rss
            with (
                httpx.Client(base_url=url, timeout=60, headers=ROOT) as client,
                client.stream("POST", "/v1/query", json={"sql": sql}) as response,
            ):
                assert response.status_code == 200
                chunks = response.iter_raw(1 << 16)
                read = 0
                for _ in range(40):  # a trickle: 64 KiB every 0.1 s, while the engine could race ahead
                    read += len(next(chunks))
                    time.sleep(0.1)
                    peak = max(peak, server.memory_info().rss)
    finally:
        config.unlink(missing_ok=True)
    grown = (peak - before) / 2**20
    assert grown < 400, f"the server grew by {grown:.0f} MiB for a reader that took {read >> 20} MiB"
