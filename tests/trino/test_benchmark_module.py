"""benchmarks/trino_frontdoor.py works against a live server (tiny sizes, not timings)."""

from __future__ import annotations

from benchmarks import trino_frontdoor
from tests.server import LiveServer

NATION = "SELECT * FROM tpch.tiny.nation"


def test_every_reader_of_the_benchmark_gets_the_rows(server: LiveServer) -> None:
    assert trino_frontdoor._native(server.url, NATION) == 25
    assert trino_frontdoor._trino_client(server.url, NATION) == 25
    assert trino_frontdoor._trino_client(server.url, NATION, legacy_primitive_types=True) == 25
    assert trino_frontdoor._raw_protocol(server.url, NATION) == 25


def test_select_one_latency_row(server: LiveServer) -> None:
    [(name, value)] = trino_frontdoor.select_one(server.url, count=5)
    assert "SELECT 1" in name
    assert value.startswith("p50 ")
