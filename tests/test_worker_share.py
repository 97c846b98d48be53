"""``server.workers``: what each worker process gets of the configuration, and the configurations
several workers cannot serve (gateway/worker_share.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.config import ConfigError, LakegateConfig, parse_config
from gateway.worker_share import share, size_bytes, worker_config, workers_problem

SHARED = {
    "audit": {"store": "postgres", "dsn": "${LAKEGATE_TEST_DSN}"},
    "catalog": {"store": "postgres", "dsn": "${LAKEGATE_TEST_DSN}"},
}


@pytest.fixture(autouse=True)
def _dsn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEGATE_TEST_DSN", "host=127.0.0.1 dbname=unused")


def _config(tmp_path: Path, **server: Any) -> LakegateConfig:
    return parse_config({"server": server, **SHARED}, tmp_path / "lakegate.yaml")


@pytest.mark.parametrize(("total", "workers"), [(16, 2), (17, 2), (5, 3), (3, 3), (100, 7)])
def test_the_shares_add_up_to_the_limit(total: int, workers: int) -> None:
    parts = [share(total, workers, i) for i in range(workers)]
    assert sum(parts) == total
    assert max(parts) - min(parts) <= 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("8GiB", 8 * 2**30), ("500MB", 500 * 10**6), ("1.5 GB", 1_500_000_000), ("4096", 4096), ("80%", None)],
)
def test_memory_sizes(text: str, expected: int | None) -> None:
    assert size_bytes(text) == expected


def test_each_worker_gets_its_share_its_node_id_and_its_private_address(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        workers=3,
        engine={"max_concurrent_queries": 16, "memory_limit": "3GiB"},
        admission={
            "max_queued_per_user": 7,
            "root_groups": [
                {
                    "name": "bi",
                    "hard_concurrency_limit": 10,
                    "max_queued": 50,
                    "subgroups": [{"name": "${USER}", "hard_concurrency_limit": 4, "max_queued": 9}],
                }
            ],
            "selectors": [{"resource_group": "bi.${USER}"}],
        },
    )
    shares = [
        worker_config(config, index=i, workers=3, node_id=f"w{i}", private_port=9000 + i) for i in range(3)
    ]
    assert [c.server.engine.max_concurrent_queries for c in shares] == [6, 5, 5]
    assert {c.server.engine.memory_limit for c in shares} == {"1024MiB"}
    assert {c.server.engine.threads for c in shares} == {max(1, (os.cpu_count() or 1) // 3)}
    groups = [c.server.admission.root_groups for c in shares]
    assert [g[0].hard_concurrency_limit for g in groups if g] == [4, 3, 3]
    assert [g[0].subgroups[0].hard_concurrency_limit for g in groups if g] == [2, 1, 1]
    # queue lengths are each worker's own (not split)
    assert {c.server.admission.max_queued_per_user for c in shares} == {7}
    assert {g[0].max_queued for g in groups if g} == {50}
    for i, worker in enumerate(shares):
        assert worker.server.workers == 1
        assert worker.server.node_id == f"w{i}"
        assert worker.server.cluster is not None
        assert worker.server.cluster.internal_address == f"http://127.0.0.1:{9000 + i}"


def test_a_worker_listens_on_the_cluster_s_internal_host(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        workers=2,
        cluster={"internal_address": "http://10.1.2.3:8080", "heartbeat_seconds": 1, "stale_seconds": 5},
    )
    worker = worker_config(config, index=1, workers=2, node_id="a", private_port=4321)
    assert worker.server.cluster is not None
    assert worker.server.cluster.internal_address == "http://10.1.2.3:4321"
    assert worker.server.cluster.heartbeat_seconds == 1  # the rest of the cluster settings kept


def test_without_a_memory_limit_the_workers_share_duckdb_s_default(tmp_path: Path) -> None:
    config = _config(tmp_path, workers=2)
    limits = {
        size_bytes(
            worker_config(config, index=i, workers=2, node_id="a", private_port=1).server.engine.memory_limit
            or ""
        )
        for i in range(2)
    }
    (limit,) = limits
    assert limit is not None
    machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert 0.35 * machine < limit <= 0.4 * machine


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"server": {"workers": 2}}, "audit.store and catalog.store must be postgres"),
        (
            {"server": {"workers": 2}, "audit": SHARED["audit"]},
            "catalog.store must be postgres",
        ),
        (
            {"server": {"workers": 4, "engine": {"max_concurrent_queries": 3}}, **SHARED},
            "server.engine.max_concurrent_queries is 3, fewer than the 4 workers",
        ),
        (
            {
                "server": {
                    "workers": 2,
                    "admission": {
                        "root_groups": [{"name": "etl", "hard_concurrency_limit": 1, "max_queued": 5}],
                        "selectors": [{"resource_group": "etl"}],
                    },
                },
                **SHARED,
            },
            "resource group etl: hard_concurrency_limit is 1, fewer than the 2 workers",
        ),
        (
            {"server": {"workers": 2, "engine": {"memory_limit": "half"}}, **SHARED},
            "server.engine.memory_limit must be a size",
        ),
        (
            {
                "server": {"workers": 2},
                "audit": SHARED["audit"],
                "catalog": {**SHARED["catalog"], "search": {"index_path": "index"}},
            },
            "catalog.search.index_path",
        ),
        (
            {"server": {"workers": 2, "tls": {"certfile": "c.pem", "keyfile": "k.pem"}}, **SHARED},
            "server.cluster.internal_address is needed with tls",
        ),
    ],
)
def test_configurations_several_workers_cannot_serve_are_refused(
    tmp_path: Path, raw: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(raw, tmp_path / "lakegate.yaml")
    assert "server.workers" in str(refused.value)
    assert message in str(refused.value)
    assert workers_problem(_config(tmp_path), 1) is None


def test_serve_with_workers_on_sqlite_state_exits_2_naming_the_keys(demo_dir: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "serve",
            "--config",
            str(demo_dir / "lakegate.yaml"),
            "--workers",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "configuration error" in done.stderr
    assert (
        "--workers 2: 2 workers share their state: audit.store and catalog.store must be postgres"
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_workers_in_the_file_on_sqlite_state_exit_2(demo_dir: Path, tmp_path: Path) -> None:
    raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
    raw["server"]["workers"] = 3
    config = demo_dir / "lakegate-workers-sqlite.yaml"
    config.write_text(yaml.safe_dump(raw))
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "server.workers: 3 workers share their state" in done.stderr
    assert "Traceback" not in done.stderr
