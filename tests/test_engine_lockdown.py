"""The engine reads the tables' own files and nothing else; a table whose file is gone is named.

Findings 4 and 5 of the bypass report: the engine's allowed directories took in the folder each
table file sits in, so with the data beside the config the engine could read the config, the
users file and the policies; and a table whose file went missing answered 503 with the engine's
words about a path instead of naming the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import trino

from connectors.base import Cancellation, ConnectorError
from connectors.duckdb.engine import DuckDBConnector
from connectors.duckdb.sources import FilesSource, FileTable, SqliteSource
from gateway.app import create_app
from gateway.config import parse_config
from tests.server import LiveServer
from tests.trino.conftest import real_trino_client

SECRET = "s3cr3t-policy-value"


@pytest.fixture
def beside(tmp_path: Path) -> Path:
    """Data files in the same folder as the configuration, users and policies files."""
    pq.write_table(pa.table({"x": [1, 2, 3]}), tmp_path / "numbers.parquet")
    folder = tmp_path / "events"
    folder.mkdir()
    pq.write_table(pa.table({"y": [7]}), folder / "part-0.parquet")
    (tmp_path / "policies.json").write_text(f'{{"policies": [{{"name": "{SECRET}"}}]}}')
    (tmp_path / "users.yaml").write_text(f"users:\n  ada: {SECRET}\n")
    (tmp_path / "other.parquet").write_bytes((tmp_path / "numbers.parquet").read_bytes())
    return tmp_path


def run(connector: DuckDBConnector, sql: str) -> list[dict[str, object]]:
    result = connector.execute(sql, Cancellation(), 1024)
    return [row for batch in result.batches for row in batch.to_pylist()]


def test_the_engine_reads_its_tables_and_no_file_beside_them(beside: Path) -> None:
    tables = (
        FileTable("s", "numbers", beside / "numbers.parquet", "parquet"),
        FileTable("s", "events", beside / "events", "parquet"),
    )
    connector = DuckDBConnector([FilesSource("lake", tables)])
    try:
        assert run(connector, 'SELECT sum(x) AS s FROM "lg_lake".s.numbers') == [{"s": 6}]
        assert run(connector, 'SELECT y FROM "lg_lake".s.events') == [{"y": 7}]
        for sql in (
            f"SELECT * FROM read_json('{beside}/policies.json')",
            f"SELECT * FROM read_text('{beside}/policies.json')",
            f"SELECT * FROM read_csv('{beside}/users.yaml')",
            f"SELECT * FROM '{beside}/policies.json'",
            f"SELECT * FROM read_parquet('{beside}/other.parquet')",
            f"SELECT * FROM glob('{beside}/*')",
        ):
            with pytest.raises(ConnectorError) as raised:
                run(connector, sql)
            assert SECRET not in raised.value.message
            assert str(beside) not in raised.value.message
    finally:
        connector.close()


def test_a_sqlite_catalog_opens_its_file_alone(beside: Path, demo_dir: Path) -> None:
    crm = beside / "crm.sqlite"
    crm.write_bytes((demo_dir / "crm" / "crm.sqlite").read_bytes())
    connector = DuckDBConnector([SqliteSource("crm", crm)])
    try:
        assert run(connector, 'SELECT count(*) > 0 AS ok FROM "lg_crm".main.customers') == [{"ok": True}]
        with pytest.raises(ConnectorError):
            run(connector, f"SELECT * FROM read_json('{beside}/policies.json')")
    finally:
        connector.close()


@pytest.fixture
def vanishing(tmp_path: Path) -> Iterator[tuple[LiveServer, Path]]:
    data = tmp_path / "data"
    data.mkdir()
    pq.write_table(pa.table({"x": [1]}), data / "gone.parquet")
    pq.write_table(pa.table({"x": [2]}), data / "kept.parquet")
    raw = {
        "server": {"dev_mode": True},
        "catalogs": {
            "lake": {
                "connector": "files",
                "tables": [
                    {"schema": "s", "name": "gone", "path": "data/gone.parquet", "format": "parquet"},
                    {"schema": "s", "name": "kept", "path": "data/kept.parquet", "format": "parquet"},
                ],
            }
        },
    }
    config = parse_config(raw, tmp_path / "lakegate.yaml")
    with LiveServer(create_app(config)) as live:
        yield live, data


def test_a_table_whose_file_is_gone_is_named_without_its_path(vanishing: tuple[LiveServer, Path]) -> None:
    live, data = vanishing
    (data / "gone.parquet").unlink()
    with httpx.Client(base_url=live.url, headers={"X-Lakegate-User": "root"}) as client:
        response = client.post("/v1/query", json={"sql": "SELECT * FROM lake.s.gone"})
        assert response.status_code == 503, response.text
        problem = response.json()
        assert problem["code"] == "ENGINE_UNAVAILABLE"
        assert "lake.s.gone" in problem["detail"]
        assert str(data) not in response.text
        assert "parquet" not in problem["detail"]
        kept = client.post(
            "/v1/query", json={"sql": "SELECT x FROM lake.s.kept"}, headers={"Accept": "application/json"}
        )
        assert kept.json()["data"] == [[2]]


def test_the_trino_door_names_the_table_whose_file_is_gone(vanishing: tuple[LiveServer, Path]) -> None:
    live, data = vanishing
    (data / "gone.parquet").unlink()
    connection = real_trino_client(live.url, "root", catalog="lake", schema="s")
    try:
        with pytest.raises(trino.exceptions.TrinoQueryError) as raised:
            connection.cursor().execute("SELECT * FROM gone").fetchall()
        assert raised.value.error_name == "ENGINE_UNAVAILABLE"
        assert "lake.s.gone" in raised.value.message
        assert str(data) not in raised.value.message
        assert connection.cursor().execute("SELECT x FROM kept").fetchall() == [[2]]
    finally:
        connection.close()
