"""Lakegate over HTTPS, with the demo's real users: the way BI tools must send passwords."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest
import yaml

import lakegate
from gateway.app import create_app
from gateway.cli import tls_options
from gateway.config import parse_config
from tests.server import LiveServer
from tests.tls import self_signed


def test_https_with_basic_credentials(demo_dir: Path, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
    raw["server"]["tls"] = {"certfile": str(cert), "keyfile": str(key)}
    config = parse_config(raw, demo_dir / "lakegate.yaml")
    with LiveServer(create_app(config), **tls_options(config)) as live:
        assert live.url.startswith("https://")
        response = httpx.post(
            f"{live.url}/v1/query",
            json={"sql": "SELECT 1 AS one"},
            auth=("ada", "ada-demo-pw"),
            headers={"Accept": "application/json"},
            verify=ssl.create_default_context(cafile=str(cert)),
        )
        assert response.json()["data"] == [[1]]
        with lakegate.connect(
            live.url, user="ada", password="ada-demo-pw", verify=str(cert), progress=False
        ) as conn:
            assert conn.cursor().execute("SELECT count(*) FROM tpch.tiny.nation").fetchone() == (25,)
        # an untrusted certificate is refused by the client
        try:
            httpx.get(f"{live.url}/healthz")
        except httpx.ConnectError:
            pass
        else:
            raise AssertionError("a self-signed certificate was trusted without being configured")


def test_the_demos_https_twin_serves_the_readmes_trino_snippet(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run-tls`: the README's `trino` client snippet, with the demo's own certificate."""
    import trino

    # requests lets these override a session's own `verify` (the README says so too)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)

    config = parse_config(
        yaml.safe_load((demo_dir / "lakegate-tls.yaml").read_text()), demo_dir / "lakegate-tls.yaml"
    )
    assert config.server.port == 8443
    with LiveServer(create_app(config), **tls_options(config)) as live:
        port = int(live.url.rsplit(":", 1)[1])
        conn = trino.dbapi.connect(
            host="127.0.0.1",
            port=port,
            http_scheme="https",
            verify=str(demo_dir / "tls" / "cert.pem"),
            auth=trino.auth.BasicAuthentication("ada", "ada-demo-pw"),
            catalog="tpch",
            schema="tiny",
        )
        cursor = conn.cursor()
        cursor.execute("SELECT count(*) FROM nation")
        assert cursor.fetchall() == [[25]]
