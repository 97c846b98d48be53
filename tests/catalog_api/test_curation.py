"""Curation through the API: policy-authorised (Ranger's alter), audited, and a classification
put on a column changes query results through the tag policy from the next query on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

SEGMENT = "crm.main.customers.segment"
SQL = {"sql": "SELECT segment FROM crm.main.customers ORDER BY customer_id LIMIT 5"}
JSON = {"Accept": "application/json"}


def _entity(client: httpx.Client, name: str) -> dict[str, Any]:
    response = client.get("/v1/entities", params={"name": name})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _segments(client: httpx.Client) -> list[str]:
    response = client.post("/v1/query", json=SQL, headers=JSON)
    assert response.status_code == 200, response.text
    return [row[0] for row in response.json()["data"]]


def test_a_pii_classification_masks_the_column_from_the_next_query_on(
    as_user: Callable[[str], httpx.Client],
) -> None:
    ada, root = as_user("ada"), as_user("root")
    before = _segments(ada)
    assert before
    assert all(any(ch.isupper() for ch in s) or "x" not in s for s in before)
    guid = _entity(ada, SEGMENT)["guid"]

    response = ada.post(f"/v1/entities/{guid}/classifications", json={"name": "PII"})
    assert response.status_code == 200, response.text
    assert [c["name"] for c in response.json()["classifications"]] == ["PII"]

    after = _segments(ada)
    # The demo's tag policy redacts PII for analysts (Trino's MASK: letters become x/X).
    assert after != before
    assert all(set(s) <= {"x", "X", "-", " "} for s in after), after
    assert _segments(root) == before, "admins see it unmasked"

    audit = root.get("/v1/audit", params={"action": "metadata"}).json()
    records = audit["records"]
    assert any(r["user"] == "ada" and SEGMENT in r["resources"] and r["status"] == 200 for r in records)

    removed = ada.delete(f"/v1/entities/{guid}/classifications/PII")
    assert removed.status_code == 200
    assert _segments(ada) == before


def test_edits_need_alter_and_are_audited_when_refused(as_user: Callable[[str], httpx.Client]) -> None:
    sam, root = as_user("sam"), as_user("root")
    guid = _entity(sam, "crm.main.customers")["guid"]
    refused = sam.patch(f"/v1/entities/{guid}", json={"description": "mine now"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "ACCESS_DENIED"
    assert "alter" in refused.json()["detail"]
    assert _entity(sam, "crm.main.customers")["description"] != "mine now"
    records = root.get("/v1/audit", params={"action": "metadata", "user": "sam"}).json()["records"]
    assert [(r["status"], r["decision"]) for r in records] == [(403, "denied")]


def test_curation_survives_a_refresh_and_description_falls_back_to_the_comment(
    as_user: Callable[[str], httpx.Client],
) -> None:
    ada, root = as_user("ada"), as_user("root")
    table = _entity(ada, "crm.main.customers")
    original = table["description"]
    patched = ada.patch(
        f"/v1/entities/{table['guid']}",
        json={"description": "Every customer of the shipping line", "owners": ["ada", "crm-team"]},
    )
    assert patched.status_code == 200, patched.text
    assert root.post("/v1/admin/catalog/refresh").status_code == 200
    again = _entity(ada, "crm.main.customers")
    assert again["description"] == "Every customer of the shipping line"
    assert again["owners"] == ["ada", "crm-team"]
    reset = ada.patch(f"/v1/entities/{table['guid']}", json={"description": None})
    # back to the source's own comment: SQLite keeps none (the demo seed's text was a curation)
    assert original is not None
    assert reset.json()["description"] is None


def test_entities_the_caller_cannot_see_are_not_found(as_user: Callable[[str], httpx.Client]) -> None:
    eve, sam, root = as_user("eve"), as_user("sam"), as_user("root")
    table = _entity(root, "crm.main.customers")
    national_id = _entity(root, "crm.main.customers.national_id")
    unknown = "00000000-0000-0000-0000-000000000000"
    for client, guid in ((eve, table["guid"]), (sam, national_id["guid"]), (eve, unknown)):
        response = client.get(f"/v1/entities/{guid}")
        assert response.status_code == 404
        assert response.json()["code"] == "ENTITY_NOT_FOUND"
        edit = client.post(f"/v1/entities/{guid}/classifications", json={"name": "PII"})
        assert edit.status_code == 404, "an invisible entity cannot be edited either"
    # sam sees the table, but not its denied column among the children
    children = [c["name"] for c in _entity(sam, "crm.main.customers")["children"]]
    assert "email" in children
    assert "national_id" not in children
    # storage details are for admins only
    assert _entity(sam, "crm.main.customers")["location"] is None
    assert _entity(root, "crm.main.customers")["location"] is not None


def test_glossary_terms_are_created_by_admins_and_assigned_by_stewards(
    as_user: Callable[[str], httpx.Client],
) -> None:
    ada, root, sam = as_user("ada"), as_user("root"), as_user("sam")
    assert ada.post("/v1/glossary/terms", json={"name": "Payer"}).status_code == 403
    created = root.post("/v1/glossary/terms", json={"name": "Payer", "short_description": "Who pays"})
    assert created.status_code == 201, created.text
    term = created.json()["guid"]
    table = _entity(ada, "crm.main.customers")["guid"]
    assigned = ada.put(f"/v1/entities/{table}/terms/{term}")
    assert assigned.status_code == 200, assigned.text
    assert "Payer" in [t["name"] for t in assigned.json()["terms"]]
    used = sam.get(f"/v1/glossary/terms/{term}").json()["assigned_entities"]
    assert [e["qualified_name"] for e in used] == ["crm.main.customers@lakegate"]
    assert as_user("eve").get(f"/v1/glossary/terms/{term}").json()["assigned_entities"] == []


def test_bad_edits_are_clear_errors(as_user: Callable[[str], httpx.Client]) -> None:
    ada = as_user("ada")
    guid = _entity(ada, "crm.main.customers")["guid"]
    for body in ({}, {"owners": None}, {"colour": "red"}, {"description": "x" * 20_001}):
        response = ada.patch(f"/v1/entities/{guid}", json=body)
        assert response.status_code in (400, 422), (body, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
    bad_name = ada.post(f"/v1/entities/{guid}/classifications", json={"name": "<script>"})
    assert bad_name.status_code in (400, 422)
    assert ada.get("/v1/entities/not-a-guid!").status_code in (400, 404, 422)
