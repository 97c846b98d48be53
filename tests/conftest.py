from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from gateway.app import create_app
from gateway.config import LakegateConfig, parse_config
from gateway.demo import generate_demo
from tests.server import LiveServer

# The session-scoped `solr_server` fixture: a real Apache Solr 9 (tests/solr_server.py).
pytest_plugins = ["tests.solr_server", "tests.trino_server"]

logging.getLogger("sqlglot").setLevel(logging.ERROR)


def server_missing(reason: str) -> None:
    """Skip a test whose server is missing; in CI (``.ci/run`` sets LAKEGATE_CI=1) fail instead."""
    if os.environ.get("LAKEGATE_CI") == "1":
        pytest.fail(f"CI must run every test: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out)
    return out


def demo_config(demo_dir: Path, **server: Any) -> LakegateConfig:
    """The demo's config, with server settings overridden (e.g. limits).

    Tests run it in development mode (the user named by X-Lakegate-User), so a test can act as
    any demo user without passwords; tests/auth and test_demo_users exercise real credentials.
    """
    path = demo_dir / "lakegate.yaml"
    raw = yaml.safe_load(path.read_text())
    raw.setdefault("server", {}).update({"dev_mode": True, **server})
    return parse_config(raw, path)


@pytest.fixture(scope="session")
def server(demo_dir: Path) -> Iterator[LiveServer]:
    with LiveServer(create_app(demo_config(demo_dir))) as live:
        yield live


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60, headers={"X-Lakegate-User": "root"}) as client:
        yield client
