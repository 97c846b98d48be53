"""Fixtures for the Trino front door: real `trino` client connections to a live Lakegate.

The session's demo server (tests/conftest.py) serves most tests; ``quick_server`` is a second
live server whose Trino door gives up on silent clients after a second, for the reaper tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trino

from gateway.app import create_app
from gateway.frontdoors.trino import TrinoSettings, configure
from tests.conftest import demo_config
from tests.server import LiveServer
from tests.test_tpch import answers  # noqa: F401 - the TPC-H answers fixture, shared

Connect = Callable[..., trino.dbapi.Connection]
QUICK = TrinoSettings(client_timeout_seconds=1.0, max_wait_seconds=0.5, retain_finished_seconds=30)


def host_port(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def real_trino_client(url: str, user: str = "ada", **kwargs: Any) -> trino.dbapi.Connection:
    """A connection of the real `trino` Python client (DB-API) to a live Lakegate."""
    host, port = host_port(url)
    kwargs.setdefault("catalog", "tpch")
    kwargs.setdefault("schema", "tiny")
    return trino.dbapi.connect(host=host, port=port, user=user, http_scheme="http", **kwargs)


@pytest.fixture
def connect(server: LiveServer) -> Iterator[Connect]:
    opened: list[trino.dbapi.Connection] = []

    def open_connection(user: str = "ada", **kwargs: Any) -> trino.dbapi.Connection:
        connection = real_trino_client(server.url, user, **kwargs)
        opened.append(connection)
        return connection

    yield open_connection
    for connection in opened:
        connection.close()


@pytest.fixture
def trino_http(server: LiveServer) -> Iterator[httpx.Client]:
    """Raw protocol requests (httpx), as user ada."""
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Trino-User": "ada"}) as client:
        yield client


@pytest.fixture(scope="module")
def quick_server(demo_dir: Path) -> Iterator[LiveServer]:
    app = create_app(demo_config(demo_dir, engine={"batch_rows": 2048}))
    configure(app, QUICK)
    with LiveServer(app) as live:
        yield live
