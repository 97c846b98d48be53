"""The real Trino server the oracle tests use: it answers, with the catalogs they rely on."""

from __future__ import annotations

import httpx
import trino

from tests.trino_server import TRINO_VERSION, TrinoServer


def test_the_server_reports_its_version_and_is_started(trino_server: TrinoServer) -> None:
    info = httpx.get(f"{trino_server.url}/v1/info", timeout=10).json()
    assert info["nodeVersion"]["version"] == TRINO_VERSION
    assert info["starting"] is False
    print(f"Trino {TRINO_VERSION} started in {trino_server.startup_seconds:.1f} s")


def test_tpch_tiny_has_the_standard_names_and_scale(trino_server: TrinoServer) -> None:
    connection = trino.dbapi.connect(
        host=trino_server.host, port=trino_server.port, user="test", catalog="tpch", schema="tiny"
    )
    cursor = connection.cursor()
    cursor.execute("SELECT count(*), sum(o_totalprice) FROM orders")
    count, total = cursor.fetchone()
    assert count == 15000
    assert total > 0
    cursor.execute("SHOW CATALOGS")
    assert {"tpch", "memory", "system"} <= {row[0] for row in cursor.fetchall()}
    connection.close()
