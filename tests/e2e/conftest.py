"""End-to-end tests against real third-party tools, each installed in its own virtual environment.

They are slow and need the PyPI registry, so each module skips unless its variable is set (the
Superset test: ``LAKEGATE_E2E_SUPERSET=1``). The marker is registered here so that
``--strict-markers`` accepts it wherever pytest is started.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "superset: end-to-end test with Apache Superset (needs LAKEGATE_E2E_SUPERSET=1)"
    )
