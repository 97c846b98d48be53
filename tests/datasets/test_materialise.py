"""Materialised tables: a refresh is atomic under concurrent readers, a failed refresh keeps the
old data and reports the error, and old versions are removed once no query can read them."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.datasets.materialise import next_version, remove_old_versions
from gateway.demo.lake_tables import LAKE_DIR
from tests.server import LiveServer
from tests.workspace import Sql, workspace_server

KEEP_SECONDS = 2.0
MAX_ROWS = 50_000  # tpch.tiny.lineitem has 60,175


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("materialise")


@pytest.fixture(scope="module")
def live(demo: Path) -> Iterator[LiveServer]:
    limits = {"max_rows": MAX_ROWS}
    with workspace_server(demo, {"keep_old_versions_seconds": KEEP_SECONDS}, limits=limits) as server:
        yield server


@pytest.fixture(scope="module")
def sql(live: LiveServer) -> Iterator[Sql]:
    with httpx.Client(base_url=live.url, timeout=120) as client:
        yield Sql(client)


ONES = "SELECT 1 AS v FROM tpch.tiny.orders LIMIT 1000"
TWOS = "SELECT 2 AS v FROM tpch.tiny.lineitem LIMIT 3000"
CONSISTENT = {(1000, 1, 1), (3000, 2, 2)}


def test_readers_see_the_old_or_the_new_version_never_a_mix(live: LiveServer, sql: Sql) -> None:
    sql.ok("ada", f"CREATE TABLE workspace.ada.flip AS {ONES}")
    seen: list[tuple[int, int, int]] = []
    errors: list[str] = []
    stop = threading.Event()

    def read() -> None:
        with httpx.Client(base_url=live.url, timeout=120) as client:
            reader = Sql(client)
            while not stop.is_set():
                response = reader.run("ada", "SELECT count(*), min(v), max(v) FROM workspace.ada.flip")
                if response.status_code != 200:
                    errors.append(response.text)
                    continue
                n, lo, hi = response.json()["data"][0]
                seen.append((int(n), int(lo), int(hi)))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        for round_ in range(4):
            body = TWOS if round_ % 2 == 0 else ONES
            sql.ok("ada", f"CREATE OR REPLACE TABLE workspace.ada.flip AS {body}")
            sql.ok("ada", "REFRESH MATERIALIZED VIEW workspace.ada.flip")
    finally:
        stop.set()
        for thread in readers:
            thread.join(60)
    assert not errors, errors[:3]
    assert len(seen) > 10
    assert set(seen) <= CONSISTENT
    assert set(seen) == CONSISTENT  # both versions were read while they were current


def test_a_failed_refresh_keeps_the_old_version_and_reports(demo: Path, sql: Sql) -> None:
    sql.ok("ada", "CREATE TABLE workspace.ada.port_list AS SELECT port_id, name FROM lake.shipping.ports")
    before = sql.ok("ada", "SELECT port_id, name FROM workspace.ada.port_list ORDER BY 1")
    headers = {"X-Lakegate-User": "ada"}
    version = sql.client.get("/v1/datasets/workspace.ada.port_list", headers=headers).json()["version"]
    source = demo / LAKE_DIR / "ports.csv"
    hidden = source.with_name("ports.csv.away")
    source.rename(hidden)
    try:
        failed = sql.client.post("/v1/datasets/workspace.ada.port_list/refresh", headers=headers)
        assert failed.status_code >= 400
        assert failed.json()["code"] in {"ENGINE_UNAVAILABLE", "ENGINE_ERROR"}
        assert "Traceback" not in failed.text
        assert sql.ok("ada", "SELECT port_id, name FROM workspace.ada.port_list ORDER BY 1") == before
        described = sql.client.get("/v1/datasets/workspace.ada.port_list", headers=headers).json()
        assert described["version"] == version
        assert described["last_error"].startswith(failed.json()["code"])
    finally:
        hidden.rename(source)
    recovered = sql.client.post("/v1/datasets/workspace.ada.port_list/refresh", headers=headers).json()
    assert recovered["version"] == version + 1
    assert recovered["last_error"] is None


def test_old_versions_go_once_no_query_can_read_them(demo: Path, sql: Sql) -> None:
    sql.ok("ada", "CREATE TABLE workspace.ada.gc AS SELECT 1 AS a")
    sql.ok("ada", "REFRESH MATERIALIZED VIEW workspace.ada.gc")
    folder = demo / "workspace" / "ada" / "gc"
    assert "v2.parquet" in {p.name for p in folder.iterdir()}
    time.sleep(KEEP_SECONDS + 0.5)
    sql.ok("ada", "REFRESH MATERIALIZED VIEW workspace.ada.gc")
    names = {p.name for p in folder.iterdir()}
    assert "v3.parquet" in names
    assert "v1.parquet" not in names  # replaced long enough ago
    sql.ok("ada", "DROP TABLE workspace.ada.gc")
    time.sleep(KEEP_SECONDS + 0.5)
    sql.ok("ada", "CREATE VIEW workspace.ada.other AS SELECT 1 AS a")  # any change collects
    assert not folder.exists()


def test_which_old_versions_are_removed(tmp_path: Path) -> None:
    now = time.time()
    for version, written in ((1, now - 100), (2, now - 50), (3, now - 5), (4, now - 1)):
        path = tmp_path / f"v{version}.parquet"
        path.write_bytes(b"x")
        os.utime(path, (written, written))
    stale, fresh = tmp_path / ".v9.parquet.tmp", tmp_path / ".v5.parquet.tmp"
    for path, age in ((stale, 7200), (fresh, 10)):
        path.write_bytes(b"x")
        os.utime(path, (now - age, now - age))
    removed = remove_old_versions(tmp_path, "v4.parquet", keep_seconds=10)
    # v1 was replaced 50 s ago: removed; v2 and v3 only 5 and 1 s ago: kept (and a fresh partial)
    assert sorted(removed) == [".v9.parquet.tmp", "v1.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".v5.parquet.tmp",
        "v2.parquet",
        "v3.parquet",
        "v4.parquet",
    ]
    assert next_version(tmp_path, 1) == 5


def test_a_result_over_the_limits_is_refused_and_nothing_kept(sql: Sql, demo: Path) -> None:
    problem = sql.refused(
        "ada",
        "CREATE TABLE workspace.ada.huge AS SELECT l_orderkey FROM tpch.tiny.lineitem",
        "RESULT_TOO_LARGE",
    )
    assert "workspace.ada.huge" in problem["detail"]
    sql.refused("ada", "SELECT * FROM workspace.ada.huge", "TABLE_NOT_FOUND")
    assert sql.ok("ada", "SELECT count(*) FROM tpch.tiny.lineitem") == [[60175]]
    assert not list((demo / "workspace" / "ada" / "huge").glob("*.parquet"))
