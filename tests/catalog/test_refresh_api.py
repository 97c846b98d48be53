"""Refreshing a running gateway: a new lake file is queryable without a restart; only admins
may refresh; the outcome shows in /readyz, the metrics and the CLI."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from gateway.app import create_app
from gateway.cli import main as cli
from gateway.config import parse_config
from gateway.connector_factory import build_connectors
from gateway.planner.context import QueryRequest
from gateway.service import Gateway
from tests.server import LiveServer

JSON = {"Accept": "application/json"}


def write_parquet(path: Path, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"COPY (SELECT i AS id FROM range({rows}) t(i)) TO '{path.as_posix()}' (FORMAT parquet)")


@pytest.fixture
def lake_server(tmp_path: Path, demo_dir: Path) -> Iterator[tuple[LiveServer, Path]]:
    root = tmp_path / "lake"
    write_parquet(root / "sales" / "orders.parquet", 3)
    raw = {
        "server": {"dev_mode": True},
        "catalogs": {"lake": {"connector": "files", "root": "lake", "comment": "Sales lake"}},
        "policies": {"file": str(demo_dir / "policies.json"), "admins": {"users": ["root"]}},
        "catalog": {"refresh_seconds": 0},
    }
    config = parse_config(raw, tmp_path / "lakegate.yaml")
    with LiveServer(create_app(config)) as live:
        yield live, root


def query(client: httpx.Client, sql: str, user: str = "ada") -> httpx.Response:
    return client.post("/v1/query", json={"sql": sql}, headers={**JSON, "X-Lakegate-User": user})


def test_a_new_parquet_file_is_queryable_after_a_refresh(lake_server: tuple[LiveServer, Path]) -> None:
    live, root = lake_server

    def found(client: httpx.Client, q: str) -> list[str]:
        body = client.get("/v1/search", params={"q": q}, headers={"X-Lakegate-User": "ada"}).json()
        return [hit["qualified_name"] for hit in body["hits"]]

    with httpx.Client(base_url=live.url, timeout=60) as client:
        assert query(client, "SELECT count(*) FROM lake.sales.orders").json()["data"] == [[3]]
        before = query(client, "SELECT count(*) FROM lake.sales.returns")
        assert before.status_code == 404, before.text
        assert "lake.sales.returns@lakegate" not in found(client, "returns")

        write_parquet(root / "sales" / "returns.parquet", 7)
        write_parquet(root / "finance" / "ledger.parquet", 2)  # a new schema folder too
        refused = client.post("/v1/admin/catalog/refresh", headers={"X-Lakegate-User": "ada"})
        assert refused.status_code == 403
        assert query(client, "SELECT count(*) FROM lake.sales.returns").status_code == 404
        assert "lake.sales.returns@lakegate" not in found(client, "returns"), "and is no longer found"

        refreshed = client.post("/v1/admin/catalog/refresh", headers={"X-Lakegate-User": "root"})
        assert refreshed.status_code == 200, refreshed.text
        body = refreshed.json()
        assert body["ok"] is True
        (lake,) = [s for s in body["sources"] if s["name"] == "lake"]
        assert (lake["status"], lake["added"], lake["removed"]) == (
            "ok",
            5,
            0,
        )  # 2 tables, 1 schema, 2 columns

        assert query(client, "SELECT count(*) FROM lake.sales.returns").json()["data"] == [[7]]
        assert found(client, "returns")[0] == "lake.sales.returns@lakegate", "search finds the new file"
        assert query(client, "SELECT count(*) FROM lake.finance.ledger").json()["data"] == [[2]]
        assert query(client, "SELECT count(*) FROM lake.sales.orders").json()["data"] == [[3]]
        tables = client.get("/v1/catalogs/lake/schemas/sales/tables", headers={"X-Lakegate-User": "ada"})
        assert sorted(t["name"] for t in tables.json()["tables"]) == ["orders", "returns"]

        # a removed file disappears from the metadata at the next refresh
        (root / "sales" / "returns.parquet").unlink()
        again = client.post("/v1/admin/catalog/refresh", headers={"X-Lakegate-User": "root"}).json()
        (lake,) = [s for s in again["sources"] if s["name"] == "lake"]
        assert lake["removed"] == 2
        assert query(client, "SELECT count(*) FROM lake.sales.returns").status_code == 404
        assert "lake.sales.returns@lakegate" not in found(client, "returns"), "and is no longer found"


def test_readyz_and_metrics_show_each_source(lake_server: tuple[LiveServer, Path]) -> None:
    live, _ = lake_server
    with httpx.Client(base_url=live.url, timeout=60) as client:
        ready = client.get("/readyz").json()
        assert ready["catalog"]["sources"] == {"lake": "ok"}
        assert ready["catalog"]["failed"] == []
        metrics = client.get("/metrics").text
        assert 'lakegate_catalog_source_up{source="lake"} 1.0' in metrics
        assert "lakegate_catalog_refreshes_total" in metrics


def test_a_source_that_fails_shows_in_readyz_and_metrics(tmp_path: Path, demo_dir: Path) -> None:
    crm = tmp_path / "crm.sqlite"
    crm.write_bytes((demo_dir / "crm" / "crm.sqlite").read_bytes())
    write_parquet(tmp_path / "lake" / "sales" / "orders.parquet", 3)
    raw = {
        "server": {"dev_mode": True},
        "catalogs": {
            "lake": {"connector": "files", "root": "lake"},
            "crm": {"connector": "sqlite", "path": "crm.sqlite"},
        },
        "policies": {"file": str(demo_dir / "policies.json"), "admins": {"users": ["root"]}},
        "catalog": {"refresh_seconds": 0},
    }
    config = parse_config(raw, tmp_path / "lakegate.yaml")
    with LiveServer(create_app(config)) as live, httpx.Client(base_url=live.url, timeout=60) as client:
        crm.unlink()
        body = client.post("/v1/admin/catalog/refresh", headers={"X-Lakegate-User": "root"}).json()
        statuses = {s["name"]: s["status"] for s in body["sources"]}
        assert statuses == {"lake": "ok", "crm": "failed"}
        assert body["ok"] is False
        (failed,) = [s for s in body["sources"] if s["status"] == "failed"]
        assert str(tmp_path) not in failed["message"]
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["catalog"]["failed"] == ["crm"]
        assert 'lakegate_catalog_source_up{source="crm"} 0.0' in client.get("/metrics").text
        # the lake is still served and queryable
        assert query(client, "SELECT count(*) FROM lake.sales.orders").json()["data"] == [[3]]


def test_the_cli_refreshes_the_running_server(
    lake_server: tuple[LiveServer, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    live, root = lake_server
    write_parquet(root / "sales" / "refunds.parquet", 4)
    assert cli(["catalog", "refresh", "--url", live.url, "--user", "root"]) == 0
    out = capsys.readouterr().out
    assert "lake" in out
    assert "ok" in out
    assert "+2" in out
    with httpx.Client(base_url=live.url, timeout=60) as client:
        assert query(client, "SELECT count(*) FROM lake.sales.refunds").json()["data"] == [[4]]
    assert cli(["catalog", "refresh", "--url", live.url, "--user", "ada"]) == 1
    assert "403" in capsys.readouterr().err


def test_the_scheduled_refresh_finds_new_files(tmp_path: Path, demo_dir: Path) -> None:
    write_parquet(tmp_path / "lake" / "sales" / "orders.parquet", 3)
    raw = {
        "server": {"dev_mode": True},
        "catalogs": {"lake": {"connector": "files", "root": "lake"}},
        "policies": {"file": str(demo_dir / "policies.json"), "admins": {"users": ["root"]}},
        "catalog": {"refresh_seconds": 0.2},
    }
    config = parse_config(raw, tmp_path / "lakegate.yaml")
    with LiveServer(create_app(config)) as live, httpx.Client(base_url=live.url, timeout=60) as client:
        assert query(client, "SELECT count(*) FROM lake.sales.returns").status_code == 404
        write_parquet(tmp_path / "lake" / "sales" / "returns.parquet", 5)
        deadline = time.monotonic() + 30
        while (response := query(client, "SELECT count(*) FROM lake.sales.returns")).status_code != 200:
            assert time.monotonic() < deadline, response.text
            time.sleep(0.1)
        assert response.json()["data"] == [[5]]


def test_the_plan_cache_survives_a_refresh_that_changed_nothing(tmp_path: Path) -> None:
    write_parquet(tmp_path / "lake" / "sales" / "orders.parquet", 3)
    raw = {"catalogs": {"lake": {"connector": "files", "root": "lake"}}, "catalog": {"refresh_seconds": 0}}
    config = parse_config(raw, tmp_path / "lakegate.yaml")
    gateway = Gateway(config, build_connectors(config), rebuild_engines=True)
    try:
        request = QueryRequest("SELECT count(*) FROM lake.sales.orders", user="ada")
        plan = gateway.plan(request)
        gateway.refresh_catalog()
        assert gateway.planner.lookup(request) is plan
        write_parquet(tmp_path / "lake" / "sales" / "returns.parquet", 1)
        result = gateway.refresh_catalog()
        assert result.sources[0].added == 2
        assert gateway.planner.lookup(request) is None  # new engines: the old plans are not reused
        assert gateway.plan(request).connector is not plan.connector
        assert gateway.plan(QueryRequest("SELECT * FROM lake.sales.returns", user="ada")).tables == (
            ("lake", "sales", "returns"),
        )
    finally:
        gateway.close()
