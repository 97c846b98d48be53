"""Fixtures: stand-in "clusters" (Lakegates serving their Trino front door) and a Lakegate whose
catalogs are served by them through the Trino connector."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from connectors.base import Cancellation, RoutingHints
from connectors.trino import TrinoConnector
from gateway.app import create_app
from gateway.config import LakegateConfig, parse_config
from gateway.connector_factory import trino_connector
from tests.server import LiveServer
from tests.trino_connector.standin import SERVICE_USER, StandIn, warm_up, write_lake

ARROW = "application/vnd.apache.arrow.stream"


@pytest.fixture(scope="session")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_lake(tmp_path_factory.mktemp("trino-lake"))


@pytest.fixture(scope="session")
def cluster(lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    """The shared stand-in cluster ("alpha"), for tests that do not stop it."""
    standin = StandIn("alpha", lake, tmp_path_factory.mktemp("alpha")).start()
    yield standin
    standin.stop()


@pytest.fixture
def make_standin(lake: Path, tmp_path: Path) -> Iterator[Callable[..., StandIn]]:
    """Start a stand-in of this test's own (to stop, freeze or protect with a password)."""
    started: list[StandIn] = []

    def make(name: str, **options: Any) -> StandIn:
        standin = StandIn(name, lake, tmp_path, **options).start()
        started.append(standin)
        return standin

    yield make
    for standin in started:
        standin.stop()


def cluster_spec(standin: StandIn, group: str = "adhoc", **extra: Any) -> dict[str, Any]:
    return {"name": standin.name, "url": standin.url, "user": SERVICE_USER, "group": group, **extra}


def lakegate_config(
    work: Path,
    clusters: list[dict[str, Any]],
    *,
    catalogs: dict[str, Any] | None = None,
    routing: dict[str, Any] | None = None,
    **settings: Any,
) -> LakegateConfig:
    trino: dict[str, Any] = {
        "clusters": clusters,
        "health_check_seconds": 0.5,
        "connect_timeout_seconds": 1,
        "request_timeout_seconds": 5,
        **settings,
    }
    if routing is not None:
        trino["routing"] = routing
    raw = {
        "server": {"dev_mode": True},
        "catalogs": catalogs or {"remote": {"connector": "trino", "catalog": "lake", "comment": "via Trino"}},
        "audit": {"path": str(work / "lakegate-audit.sqlite")},
        "trino": trino,
    }
    return parse_config(raw, work / "lakegate.yaml")


class Lakegate:
    """The Lakegate under test (its Trino catalogs served by stand-ins), on a real socket."""

    def __init__(self, config: LakegateConfig) -> None:
        self.app = create_app(config)
        self.server = LiveServer(self.app)
        self.server.__enter__()
        warm_up(self.url)

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, user: str = "alice", timeout: float = 60) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout, headers={"X-Lakegate-User": user})

    def query(self, sql: str, user: str = "alice") -> pa.Table:
        """Run through the native API; the Arrow table, or AssertionError with the problem."""
        with self.client(user) as http:
            response = http.post("/v1/query", json={"sql": sql}, headers={"Accept": ARROW})
        assert response.status_code == 200, response.text
        return ipc.open_stream(io.BytesIO(response.content)).read_all()

    def problem(self, sql: str, user: str = "alice") -> tuple[int, dict[str, Any]]:
        with self.client(user) as http:
            response = http.post("/v1/query", json={"sql": sql}, headers={"Accept": "application/json"})
        assert response.status_code != 200, response.text
        body: dict[str, Any] = response.json()
        return response.status_code, body

    def engine_health(self) -> dict[str, Any]:
        with self.client() as http:
            trino: dict[str, Any] = http.get("/readyz").json()["engines"]["trino"]
            return trino

    def stop(self) -> None:
        self.server.__exit__(None, None, None)


@pytest.fixture
def make_lakegate(tmp_path: Path) -> Iterator[Callable[..., Lakegate]]:
    started: list[Lakegate] = []

    def make(clusters: list[dict[str, Any]], **options: Any) -> Lakegate:
        lakegate = Lakegate(lakegate_config(tmp_path, clusters, **options))
        started.append(lakegate)
        return lakegate

    yield make
    for lakegate in started:
        lakegate.stop()


@pytest.fixture
def make_connector(tmp_path: Path) -> Iterator[Callable[..., TrinoConnector]]:
    """The connector as the gateway builds it, called directly (with routing hints)."""
    built: list[TrinoConnector] = []

    def make(clusters: list[dict[str, Any]], **options: Any) -> TrinoConnector:
        connector = trino_connector(lakegate_config(tmp_path, clusters, **options))
        assert connector is not None
        built.append(connector)
        return connector

    yield make
    for connector in built:
        connector.close()


def run(connector: TrinoConnector, sql: str, **hints: Any) -> pa.Table:
    """Execute on the connector (SQL with the clusters' catalog names) as the hinted user."""
    result = connector.execute(sql, Cancellation(), 1000, RoutingHints(**hints))
    return pa.Table.from_batches(list(result.batches), schema=result.schema)
