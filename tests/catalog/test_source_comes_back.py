"""A source that is missing at start-up is reported, the others serve, and it is retried with
backoff: when it comes back it is queryable without a restart or a manual refresh."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx

from gateway.app import create_app
from gateway.config import parse_config
from tests.server import LiveServer

JSON = {"Accept": "application/json", "X-Lakegate-User": "root"}


def test_a_missing_database_is_served_once_it_appears(tmp_path: Path, demo_dir: Path) -> None:
    missing = tmp_path / "late" / "crm.sqlite"
    raw = {
        "server": {"dev_mode": True},
        "catalogs": {
            "late": {"connector": "sqlite", "path": str(missing)},
            "tpch": {"connector": "files", "root": str(demo_dir / "tpch")},
        },
        "catalog": {"refresh_seconds": 0, "retry_seconds": 0.5, "retry_max_seconds": 1},
    }
    config = parse_config(raw, tmp_path / "lakegate.yaml")
    with LiveServer(create_app(config)) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        ready = client.get("/readyz").json()
        assert "late" in str(ready), ready
        # the others serve meanwhile
        ok = client.post("/v1/query", json={"sql": "SELECT count(*) FROM tpch.tiny.nation"}, headers=JSON)
        assert ok.json()["data"] == [[25]]
        before = client.post(
            "/v1/query", json={"sql": "SELECT count(*) FROM late.main.customers"}, headers=JSON
        )
        assert before.status_code == 404
        missing.parent.mkdir()
        shutil.copy(demo_dir / "crm" / "crm.sqlite", missing)
        deadline = time.monotonic() + 20
        while True:
            answer = client.post(
                "/v1/query", json={"sql": "SELECT count(*) FROM late.main.customers"}, headers=JSON
            )
            if answer.status_code == 200:
                break
            assert time.monotonic() < deadline, f"still not served: {answer.text}"
            time.sleep(0.2)
        assert answer.json()["data"][0][0] > 0
        assert client.get("/readyz").status_code == 200
