from __future__ import annotations

from collections.abc import Iterator

import pytest
from client_fakes import FakeGateway

import lakegate.result


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    yield fake
    fake.close()


@pytest.fixture(autouse=True)
def _no_status_poll_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lakegate.result, "STATUS_POLL_DELAYS", (0.0, 0.0, 0.0))
