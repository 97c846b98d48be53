"""``lakegate serve PATH…`` as a process: files, a folder and a SQLite database, no config, one user."""

from __future__ import annotations

import getpass
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gateway.instant import local_user
from tests.server import instant_process


def _lakegate(*args: str) -> list[str]:
    return [sys.executable, "-m", "gateway.cli", "serve", *args]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("instant")
    folder = root / "folder"
    folder.mkdir()
    (folder / "things.csv").write_text("id,name\n1,alpha\n2,beta\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not data", encoding="utf-8")  # a folder's other files are left out
    (folder / ".hidden.csv").write_text("a\n1\n", encoding="utf-8")
    nested = folder / "nested"
    nested.mkdir()
    (nested / "deep.csv").write_text("a\n1\n", encoding="utf-8")  # top-level files only
    with sqlite3.connect(folder / "shop.db") as db:  # found by its header, not its extension
        db.execute("CREATE TABLE items (id INTEGER, label TEXT)")
        db.execute("INSERT INTO items VALUES (7, 'seven')")
    pq.write_table(pa.table({"x": [1, 2, 3]}), root / "nums.parquet")
    return root


@pytest.fixture(scope="module")
def instant(data: Path) -> Iterator[tuple[str, str, str]]:
    with instant_process(str(data / "folder"), str(data / "nums.parquet")) as served:
        yield served.sign_in_url, served.url, served.token


def test_the_printed_address_signs_the_local_user_in(instant: tuple[str, str, str]) -> None:
    url, base, _ = instant
    with httpx.Client(base_url=base, timeout=30) as browser:
        answer = browser.get(url, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/ui/sql"
        assert "httponly" in answer.headers["set-cookie"].lower()
        session = browser.get("/auth/session").json()
        assert session["signed_in"] is True
        assert session["user"] == local_user(getpass.getuser())
        assert browser.get("/ui/sql").status_code == 200
    wrong = httpx.get(f"{base}/auth/token-sign-in?token=lg_wrong", follow_redirects=False, timeout=30)
    assert wrong.status_code == 401
    assert "set-cookie" not in wrong.headers
    anonymous = httpx.post(f"{base}/v1/query", json={"sql": "SELECT 1"}, timeout=30)
    assert anonymous.status_code == 401


def test_files_a_folder_and_a_sqlite_database_are_served(instant: tuple[str, str, str]) -> None:
    _, base, token = instant
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    sql = (
        "SELECT t.name, i.label, (SELECT sum(x) FROM files.main.nums) AS total "
        "FROM files.main.things t CROSS JOIN shop.main.items i ORDER BY t.id"
    )
    answer = httpx.post(f"{base}/v1/query", json={"sql": sql}, headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == [["alpha", "seven", 6], ["beta", "seven", 6]]
    tables = httpx.post(
        f"{base}/v1/query", json={"sql": "SHOW TABLES FROM files.main"}, headers=headers, timeout=60
    ).json()["data"]
    assert sorted(row[0] for row in tables) == ["nums", "things"]


def test_beyond_loopback_needs_a_config(data: Path) -> None:
    refused = subprocess.run(
        _lakegate(str(data / "nums.parquet"), "--host", "0.0.0.0", "--no-browser"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2
    assert "127.0.0.1 only" in refused.stderr


def test_what_cannot_be_served_is_refused_by_name(data: Path) -> None:
    database = data / "analytics.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS a")
    refused = subprocess.run(
        _lakegate(str(database), "--no-browser"), capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 2
    assert "analytics.duckdb" in refused.stderr
    assert "NOT_SUPPORTED" in refused.stderr
    missing = subprocess.run(
        _lakegate(str(data / "nope.csv"), "--no-browser"), capture_output=True, text=True, timeout=120
    )
    assert missing.returncode == 2
    assert "no such file" in missing.stderr
