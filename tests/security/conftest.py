"""Fixtures of the security suites: the demo extended with ``crm_lake`` (Parquet), served live."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from tests.security.attack_demo import build_attack_demo, load_attack_config
from tests.security.attack_model import Env
from tests.security.oracle import HiddenObjects, Truth
from tests.server import LiveServer


@pytest.fixture(scope="session")
def attack_dir(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("attack")
    build_attack_demo(demo_dir, out)
    return out


@pytest.fixture(scope="session")
def attack_server(attack_dir: Path) -> Iterator[LiveServer]:
    with LiveServer(create_app(load_attack_config(attack_dir))) as live:
        yield live


@pytest.fixture(scope="session")
def attack_client(attack_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=attack_server.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
def attack_truth(attack_dir: Path) -> Truth:
    truth = Truth(attack_dir / "crm" / "crm.sqlite")
    assert len(truth.customers) > len(truth.emea) > 10
    assert len(truth.tickets) > len(truth.emea_tickets) > 10
    return truth


@pytest.fixture(scope="session")
def attack_hidden(attack_dir: Path) -> HiddenObjects:
    return HiddenObjects(attack_dir, load_attack_config(attack_dir).catalogs)


@pytest.fixture(scope="session")
def attack_env(attack_dir: Path) -> Env:
    return Env(attack_dir, Path.cwd())
