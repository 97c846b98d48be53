"""EXPLAIN in Trino's shapes: the IO plan Superset's cost estimate parses, VALIDATE, and a clear
refusal for formats Lakegate does not produce — through both doors, authorised like the query."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import trino

from tests.server import LiveServer
from tests.trino.conftest import real_trino_client

IO = "EXPLAIN (TYPE IO, FORMAT JSON) SELECT o_orderkey FROM tpch.tiny.orders o JOIN tpch.tiny.customer c ON o.o_custkey = c.c_custkey"


@pytest.fixture
def door(server: LiveServer) -> Iterator[trino.dbapi.Connection]:
    connection = real_trino_client(server.url, "ada")
    yield connection
    connection.close()


def _native(server: LiveServer, sql: str, user: str = "ada") -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/query",
        json={"sql": sql},
        headers={"X-Lakegate-User": user, "Accept": "application/json"},
        timeout=30,
    )


def _tables(document: dict[str, object]) -> set[tuple[str, str, str]]:
    infos = document["inputTableColumnInfos"]
    assert isinstance(infos, list)
    return {
        (i["table"]["catalog"], i["table"]["schemaTable"]["schema"], i["table"]["schemaTable"]["table"])
        for i in infos
    }


def test_the_io_plan_is_trinos_json_document_at_both_doors(
    server: LiveServer, door: trino.dbapi.Connection
) -> None:
    native = _native(server, IO)
    assert native.status_code == 200
    assert [c["name"] for c in native.json()["columns"]] == ["Query Plan"]
    document = json.loads(native.json()["data"][0][0])
    assert _tables(document) == {("tpch", "tiny", "orders"), ("tpch", "tiny", "customer")}
    assert set(document["estimate"]) == {
        "outputRowCount",
        "outputSizeInBytes",
        "cpuCost",
        "maxMemory",
        "networkCost",
    }
    cursor = door.cursor()
    cursor.execute(IO)
    (row,) = cursor.fetchall()
    assert _tables(json.loads(row[0])) == _tables(document)


def test_explain_is_authorised_like_the_query(server: LiveServer) -> None:
    refused = _native(server, "EXPLAIN (TYPE IO, FORMAT JSON) SELECT * FROM crm.main.customers", user="eve")
    assert refused.status_code in (403, 404)
    assert "customers" not in json.dumps(refused.json().get("data", ""))


def test_validate_and_unsupported_formats(server: LiveServer) -> None:
    valid = _native(server, "EXPLAIN (TYPE VALIDATE) SELECT 1")
    assert valid.json()["data"] == [[True]]
    assert [c["name"] for c in valid.json()["columns"]] == ["Valid"]
    graph = _native(server, "EXPLAIN (FORMAT GRAPHVIZ) SELECT 1")
    assert graph.status_code == 400
    assert graph.json()["code"] == "NOT_SUPPORTED"
    text = _native(server, "EXPLAIN (TYPE DISTRIBUTED) SELECT n_name FROM tpch.tiny.nation")
    assert text.status_code == 200
    assert "tpch.tiny.nation" in text.json()["data"][0][0]
