"""Kill requests through the state store: the owner answers what it was asked, an owner that is
gone leaves the query not found, and nothing stays behind."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from catalog.store.store import CatalogStore
from gateway.kill_requests import TABLE, KillRequests, Outcome

QUERY = "20261205_081500_00042_n2"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    CatalogStore.sqlite(tmp_path / "state.sqlite").close()
    return tmp_path / "state.sqlite"


def _instance(path: Path, node: str, wait: float = 5.0) -> KillRequests:
    return KillRequests(CatalogStore.sqlite(path).backend, node, poll_seconds=0.05, wait_seconds=wait)


def test_only_another_instances_query_is_forwarded(store: Path) -> None:
    n1 = _instance(store, "n1")
    assert n1.owner_elsewhere(QUERY) == "n2"
    assert n1.owner_elsewhere("20261205_081500_00042_n1") is None  # its own
    assert n1.owner_elsewhere("20261205_081500_00042_N2") is None  # not a query id
    assert n1.owner_elsewhere("x'; DROP TABLE t; --_n2") is None
    with pytest.raises(ValueError, match="not another instance's"):
        n1.request("20261205_081500_00042_n1", "ada", False, "why")


def test_the_owner_decides_and_answers(store: Path) -> None:
    n1, n2 = _instance(store, "n1"), _instance(store, "n2")
    asked: list[tuple[str, str, bool, str]] = []

    def handle(query_id: str, user: str, admin: bool, reason: str) -> Outcome:
        asked.append((query_id, user, admin, reason))
        return "killed" if user == "ada" or admin else "not_found"

    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            n2.serve_once(handle)
            stop.wait(n2.poll_seconds)

    owner = threading.Thread(target=serve)
    owner.start()
    try:
        assert n1.request(QUERY, "ada", False, "too slow") == "killed"
        assert n1.request(QUERY, "sam", False, "mine") == "not_found"
        assert n1.request(QUERY, "root", True, "maintenance") == "killed"
    finally:
        stop.set()
        owner.join()
    assert asked == [
        (QUERY, "ada", False, "too slow"),
        (QUERY, "sam", False, "mine"),
        (QUERY, "root", True, "maintenance"),
    ]
    with sqlite3.connect(store) as conn:
        assert conn.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone() == (0,)  # answered, removed


def test_an_owner_that_is_gone_leaves_the_query_not_found(store: Path) -> None:
    n1 = _instance(store, "n1", wait=0.5)
    assert n1.request("20261205_081500_00042_n9", "ada", True, "stop") == "not_found"
    with sqlite3.connect(store) as conn:
        assert conn.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone() == (0,)
    # a request meant for another node is not this one's to answer
    n3 = _instance(store, "n3")
    assert n3.serve_once(lambda *_: "killed") == 0
