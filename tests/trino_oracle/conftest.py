"""Tests against a real Trino server (tests/trino_server.py), the oracle of Lakegate's answers.

They need Java 24+ and Maven (Trino is fetched into .cache/trino), so they run in
``make test-trino`` (``LAKEGATE_TRINO_ORACLE=1``), which ``.ci/run`` runs after ``make test``;
``make test`` on a machine with only Python skips them, saying so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
import trino

from tests.server import LiveServer
from tests.trino_oracle.differential import trino_connection
from tests.trino_server import TrinoServer

ENABLED = os.environ.get("LAKEGATE_TRINO_ORACLE") == "1"
#: who asks Lakegate, through both doors (the demo's analyst: her policies apply)
USER = "ada"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="needs a real Trino (Java 24+, Maven): run `make test-trino`")
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(skip)


# A module that compares Lakegate with the oracle defines ``server`` (its Lakegate); these give
# the real Trino and Lakegate's two doors.
@pytest.fixture(scope="module")
def oracle(trino_server: TrinoServer) -> Iterator[trino.dbapi.Connection]:
    connection = trino_connection(trino_server.host, trino_server.port, "lakegate-oracle")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def door(server: LiveServer) -> Iterator[trino.dbapi.Connection]:
    host, port = server.url.removeprefix("http://").split(":")
    connection = trino_connection(host, int(port), USER)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def native(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120, headers={"X-Lakegate-User": USER}) as client:
        yield client
