"""Tests against a real Trino server (tests/trino_server.py), the oracle of Lakegate's answers.

They need Java 24+ and Maven (Trino is fetched into .cache/trino), so they run in
``make test-trino`` (``LAKEGATE_TRINO_ORACLE=1``), which ``.ci/run`` runs after ``make test``;
``make test`` on a machine with only Python skips them, saying so.
"""

from __future__ import annotations

import os

import pytest

ENABLED = os.environ.get("LAKEGATE_TRINO_ORACLE") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="needs a real Trino (Java 24+, Maven): run `make test-trino`")
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(skip)
