from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from tests.conftest import demo_config
from tests.server import LiveServer


@pytest.fixture
def catalog_server(demo_dir: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """The demo with a catalog store and an audit log of its own (edits do not leak into other
    tests' servers, which share the demo folder)."""
    config = demo_config(demo_dir)
    config = config.model_copy(
        update={
            "catalog": config.catalog.model_copy(update={"path": str(tmp_path / "catalog.sqlite")}),
            "audit": config.audit.model_copy(update={"path": str(tmp_path / "audit.sqlite")}),
        }
    )
    with LiveServer(create_app(config)) as live:
        yield live


@pytest.fixture
def as_user(catalog_server: LiveServer) -> Iterator[Callable[[str], httpx.Client]]:
    clients: list[httpx.Client] = []

    def client(user: str) -> httpx.Client:
        made = httpx.Client(base_url=catalog_server.url, timeout=60, headers={"X-Lakegate-User": user})
        clients.append(made)
        return made

    yield client
    for made in clients:
        made.close()
