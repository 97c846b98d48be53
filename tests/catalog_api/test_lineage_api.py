"""Lineage through the API (Atlas's shape), from the demo seed's registered queries: table and
column level, and nothing the caller may not see, shown or walked through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx


def _guid(client: httpx.Client, name: str) -> str:
    response = client.get("/v1/entities", params={"name": name})
    assert response.status_code == 200, response.text
    guid: str = response.json()["guid"]
    return guid


def _lineage(client: httpx.Client, guid: str, direction: str) -> dict[str, Any]:
    response = client.get(f"/v1/lineage/{guid}", params={"direction": direction, "depth": 3})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _qualified(body: dict[str, Any]) -> set[str]:
    return {h["attributes"]["qualifiedName"] for h in body["guidEntityMap"].values()}


def test_table_and_column_lineage_of_a_registered_query(as_user: Callable[[str], httpx.Client]) -> None:
    ada = as_user("ada")
    port_calls = _guid(ada, "lake.shipping.port_calls")
    body = _lineage(ada, port_calls, "INPUT")
    assert body["baseEntityGuid"] == port_calls
    names = _qualified(body)
    assert "lake.shipping.voyages@lakegate" in names
    processes = [h for h in body["guidEntityMap"].values() if h["typeName"] == "process"]
    assert [p["displayText"] for p in processes] == ["port calls from voyages"]
    voyages = _guid(ada, "lake.shipping.voyages")
    process = processes[0]["guid"]
    pairs = {(r["fromEntityId"], r["toEntityId"]) for r in body["relations"]}
    assert {(voyages, process), (process, port_calls)} <= pairs

    column = _guid(ada, "lake.shipping.port_calls.port_id")
    upstream = _qualified(_lineage(ada, column, "INPUT"))
    assert "lake.shipping.voyages.destination_port@lakegate" in upstream


def test_lineage_hides_what_the_caller_cannot_see(as_user: Callable[[str], httpx.Client]) -> None:
    ada, sam, eve = as_user("ada"), as_user("sam"), as_user("eve")
    customers = _guid(ada, "crm.main.customers")
    # sam reads support tickets: the registered query that feeds them is his to see
    assert "crm.main.support_tickets@lakegate" in _qualified(_lineage(sam, customers, "OUTPUT"))
    # ada does not: neither the tickets nor the process that names them appear
    hidden = _lineage(ada, customers, "OUTPUT")
    assert _qualified(hidden) == {"crm.main.customers@lakegate"}
    assert hidden["relations"] == []
    # eve sees nothing: the same answer as an entity that does not exist
    for guid in (customers, "00000000-0000-0000-0000-000000000000"):
        response = eve.get(f"/v1/lineage/{guid}")
        assert response.status_code == 404
        assert response.json()["code"] == "ENTITY_NOT_FOUND"
    assert ada.get(f"/v1/lineage/{customers}", params={"depth": 99}).status_code in (400, 422)


def _column_edges(body: dict[str, Any]) -> set[tuple[str, str]]:
    columns = body["columnLineage"]["guidEntityMap"]

    def name(guid: str) -> str:
        return str(columns[guid]["attributes"]["qualifiedName"]).removesuffix("@lakegate")

    return {(name(r["fromEntityId"]), name(r["toEntityId"])) for r in body["columnLineage"]["relations"]}


def test_column_lineage_between_the_tables_shown(as_user: Callable[[str], httpx.Client]) -> None:
    ada = as_user("ada")
    port_calls = _guid(ada, "lake.shipping.port_calls")
    response = ada.get(f"/v1/lineage/{port_calls}", params={"direction": "BOTH", "columns": "true"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (
        "lake.shipping.voyages.destination_port",
        "lake.shipping.port_calls.port_id",
    ) in _column_edges(body)
    columns = body["columnLineage"]["guidEntityMap"]
    port_id = _guid(ada, "lake.shipping.port_calls.port_id")
    assert columns[port_id]["tableGuid"] == port_calls
    assert columns[port_id]["typeName"] == "column"
    # every column edge runs along a table-level step of the answer
    steps = {(r["fromEntityId"], r["toEntityId"]) for r in body["relations"]}
    for relation in body["columnLineage"]["relations"]:
        source = columns[relation["fromEntityId"]]["tableGuid"]
        target = columns[relation["toEntityId"]]["tableGuid"]
        assert (source, relation["processId"]) in steps
        assert (relation["processId"], target) in steps
    # without the flag the answer is Atlas's shape alone
    assert "columnLineage" not in _lineage(ada, port_calls, "BOTH")


def test_column_lineage_hides_what_the_caller_cannot_see(as_user: Callable[[str], httpx.Client]) -> None:
    ada, sam = as_user("ada"), as_user("sam")
    customers = _guid(ada, "crm.main.customers")
    params = {"direction": "OUTPUT", "columns": "true"}
    shown = sam.get(f"/v1/lineage/{customers}", params=params).json()
    assert ("crm.main.customers.region", "crm.main.support_tickets.region") in _column_edges(shown)
    hidden = ada.get(f"/v1/lineage/{customers}", params=params).json()
    assert hidden["columnLineage"] == {"guidEntityMap": {}, "relations": []}
    assert "support_tickets" not in repr(hidden)
