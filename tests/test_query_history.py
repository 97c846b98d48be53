"""A finished query stays known by its id after the server restarts: its status comes back from
the audit log, to its owner and to admins only."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from gateway.app import create_app
from gateway.config import LakegateConfig, parse_config
from tests.server import LiveServer


def _config(demo_dir: Path, tmp_path: Path) -> LakegateConfig:
    path = demo_dir / "lakegate.yaml"
    raw = yaml.safe_load(path.read_text())
    raw.setdefault("server", {})["dev_mode"] = True
    raw["audit"] = {"store": "sqlite", "path": str(tmp_path / "audit.sqlite")}
    raw["catalog"] = {**raw.get("catalog", {}), "path": str(tmp_path / "catalog.sqlite")}
    return parse_config(raw, path)


def _as(live: LiveServer, user: str) -> httpx.Client:
    return httpx.Client(base_url=live.url, timeout=30, headers={"X-Lakegate-User": user})


def test_a_query_is_known_by_its_id_after_a_restart(demo_dir: Path, tmp_path: Path) -> None:
    config = _config(demo_dir, tmp_path)
    with LiveServer(create_app(config)) as live, _as(live, "ada") as ada:
        ok = ada.post("/v1/query", json={"sql": "SELECT n_name FROM tpch.tiny.nation"})
        assert ok.status_code == 200
        failed = ada.post("/v1/query", json={"sql": "SELECT * FROM tpch.tiny.no_such_table"})
        assert failed.status_code == 404
        ids = ok.headers["x-lakegate-query-id"], failed.json()["query_id"]
        before = [ada.get(f"/v1/queries/{i}").json() for i in ids]
    with LiveServer(create_app(config)) as live:
        with _as(live, "ada") as ada:
            after = [ada.get(f"/v1/queries/{i}") for i in ids]
        assert [a.status_code for a in after] == [200, 200]
        finished, refused = (a.json() for a in after)
        assert finished["state"] == "FINISHED"
        assert finished["rows"] == before[0]["rows"] == 25
        assert finished["sql"] == "SELECT n_name FROM tpch.tiny.nation"
        assert refused["state"] == "FAILED"
        assert refused["error"]["code"] == before[1]["error"]["code"] == "TABLE_NOT_FOUND"
        with _as(live, "sam") as sam:
            # another user's query is as unknown as none, after a restart too
            assert sam.get(f"/v1/queries/{ids[0]}").status_code == 404
        with _as(live, "root") as root:
            assert root.get(f"/v1/queries/{ids[0]}").json()["state"] == "FINISHED"
            assert root.get("/v1/queries/20261205_000000_00001_zzzzz").status_code == 404
