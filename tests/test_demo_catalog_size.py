"""`lakegate demo --catalog-size N` fills the catalog with N synthetic entities, found by search."""

from __future__ import annotations

from pathlib import Path

import httpx

from gateway import cli
from gateway.app import create_app
from gateway.config import load_config
from tests.server import LiveServer


def test_a_synthetic_catalog_of_the_asked_size_is_searchable(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert cli.main(["demo", "--out", str(out), "--catalog-size", "2000"]) == 0
    config = load_config(out / "lakegate.yaml")
    config = config.model_copy(update={"server": config.server.model_copy(update={"dev_mode": True})})
    with (
        LiveServer(create_app(config)) as live,
        httpx.Client(base_url=live.url, headers={"X-Lakegate-User": "root"}) as root,
    ):
        everything = root.get("/v1/search", params={"q": "", "limit": 1}).json()["total"]
        assert everything >= 2000
        # and nobody else sees entities no policy grants
        eve = root.get("/v1/search", params={"q": ""}, headers={"X-Lakegate-User": "eve"}).json()
        assert {h["type"] for h in eve["hits"]} <= {"glossary_term"}
