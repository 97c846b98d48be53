"""Metadata search through the HTTP API and the Python client, as the demo's users: each finds only
what they may query, in hits, totals, facets, highlights, matched columns and suggestions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

import lakegate
from tests.server import LiveServer


def _search(client: httpx.Client, q: str, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _names(body: dict[str, Any]) -> list[str]:
    return [hit["qualified_name"] for hit in body["hits"]]


def _everything(body: dict[str, Any]) -> str:
    return json.dumps(body)


def test_an_exact_table_name_ranks_first_and_its_columns_are_found(
    as_user: Callable[[str], httpx.Client],
) -> None:
    ada = as_user("ada")
    body = _search(ada, "customers")
    assert _names(body)[0] == "crm.main.customers@lakegate"
    columns = _search(ada, "segment", type="column")
    assert "crm.main.customers.segment@lakegate" in _names(columns)


def test_a_user_with_no_access_finds_nothing_not_even_counts(as_user: Callable[[str], httpx.Client]) -> None:
    """Glossary terms describe words, not data: they are all eve finds."""
    eve = as_user("eve")
    data = ["catalog", "schema", "table", "view", "column"]
    for q in ("customers", "national", "", "tpch", "PII"):
        body = _search(eve, q, type=data, facet=["type", "catalog", "classification", "owner"])
        assert body["total"] == 0, (q, body)
        assert body["hits"] == []
        assert all(counts == [] for counts in body["facets"].values()), body["facets"]
        unfiltered = _search(eve, q, facet=["type"], limit=100)
        assert {h["type"] for h in unfiltered["hits"]} <= {"glossary_term"}
        assert {c["value"] for c in unfiltered["facets"]["type"]} <= {"glossary_term"}
    suggestions = eve.get("/v1/suggest", params={"q": "cust"}).json()["suggestions"]
    assert {s["type"] for s in suggestions} <= {"glossary_term"}


def test_a_denied_column_leaves_no_trace(as_user: Callable[[str], httpx.Client]) -> None:
    sam, root = as_user("sam"), as_user("root")
    assert "crm.main.customers.national_id@lakegate" in _names(_search(root, "national id"))
    body = _search(sam, "national id", facet=["type", "classification"], limit=100)
    assert "national_id" not in _everything(body)
    table = _search(sam, "customers", limit=5)
    hit = next(h for h in table["hits"] if h["qualified_name"] == "crm.main.customers@lakegate")
    assert "national_id" not in hit["matched_columns"]
    suggestions = sam.get("/v1/suggest", params={"q": "nation"}).json()["suggestions"]
    assert all("national_id" not in s["qualified_name"] for s in suggestions)
    assert any(
        "national_id" in s["qualified_name"]
        for s in root.get("/v1/suggest", params={"q": "nation"}).json()["suggestions"]
    )


def test_a_hidden_table_is_not_found_by_those_who_cannot_read_it(
    as_user: Callable[[str], httpx.Client],
) -> None:
    ada, sam = as_user("ada"), as_user("sam")
    assert "crm.main.support_tickets@lakegate" in _names(_search(sam, "support tickets"))
    body = _search(ada, "support tickets", facet=["type", "schema"], limit=100)
    assert "support_tickets" not in _everything(body)
    counts = {
        c["value"]: c["count"] for c in _search(ada, "", facet=["catalog"], limit=1)["facets"]["catalog"]
    }
    root_counts = {
        c["value"]: c["count"]
        for c in _search(as_user("root"), "", facet=["catalog"], limit=1)["facets"]["catalog"]
    }
    assert counts["crm"] < root_counts["crm"], "facet counts must not count what ada cannot see"


def test_a_classification_added_through_the_api_is_searchable_at_once(
    as_user: Callable[[str], httpx.Client],
) -> None:
    ada = as_user("ada")
    segment = ada.get("/v1/entities", params={"name": "crm.main.customers.segment"}).json()["guid"]
    assert "crm.main.customers.segment@lakegate" not in _names(
        _search(ada, "", classification="Finance", limit=100)
    )
    assert ada.post(f"/v1/entities/{segment}/classifications", json={"name": "Finance"}).status_code == 200
    assert "crm.main.customers.segment@lakegate" in _names(
        _search(ada, "", classification="Finance", limit=100)
    )


def test_storage_format_is_for_admins_only(as_user: Callable[[str], httpx.Client]) -> None:
    refused = as_user("ada").get("/v1/search", params={"q": "", "facet": "format"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "INVALID_REQUEST"
    allowed = _search(as_user("root"), "", facet=["format"])
    assert {c["value"] for c in allowed["facets"]["format"]} >= {"parquet"}


def test_bad_searches_are_clear_errors(as_user: Callable[[str], httpx.Client]) -> None:
    ada = as_user("ada")
    for params in (
        {"q": "x" * 501},
        {"limit": "0"},
        {"offset": "-1"},
        {"facet": "colour"},
        {"sort": "random"},
    ):
        response = ada.get("/v1/search", params=params)
        assert response.status_code in (400, 422), (params, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert ada.get("/v1/search", params={"q": 'a "b (c AND OR NOT * ? ~ ^ : \\'}).status_code == 200


def test_searches_are_audited(as_user: Callable[[str], httpx.Client]) -> None:
    _search(as_user("ada"), "voyages")
    records = as_user("root").get("/v1/audit", params={"action": "browse", "user": "ada"}).json()["records"]
    assert any(r["resources"] == ["search"] for r in records)


def test_the_python_client_searches_and_suggests(catalog_server: LiveServer) -> None:
    with lakegate.connect(catalog_server.url, user="ada", progress=False) as conn:
        found = conn.search("voyages", filters={"type": ["table", "view"]}, facets=["catalog"])
        assert found["hits"][0]["qualified_name"] == "lake.shipping.voyages@lakegate"
        assert found["facets"]["catalog"]
        names = [s["name"] for s in conn.suggest("voya")]
        assert "voyages" in names


def test_a_policy_change_reaches_search_as_soon_as_queries(demo_dir: Path, tmp_path: Path) -> None:
    from gateway.app import create_app
    from gateway.demo.policies import demo_policies
    from tests.conftest import demo_config

    policies = tmp_path / "policies.json"
    doc = demo_policies()
    policies.write_text(json.dumps(doc), encoding="utf-8")
    config = demo_config(demo_dir)
    assert config.policies is not None
    config = config.model_copy(
        update={
            "policies": config.policies.model_copy(update={"file": str(policies), "reload_seconds": 0}),
            "catalog": config.catalog.model_copy(update={"path": str(tmp_path / "catalog.sqlite")}),
        }
    )
    with (
        LiveServer(create_app(config)) as live,
        httpx.Client(base_url=live.url, headers={"X-Lakegate-User": "ada"}) as ada,
    ):
        assert "lake.shipping.voyages@lakegate" in _names(_search(ada, "voyages"))
        for policy in doc["policies"]:
            if policy["id"] == 2:
                policy["resources"]["catalog"]["values"] = ["tpch"]
        policies.write_text(json.dumps(doc), encoding="utf-8")
        query = ada.post("/v1/query", json={"sql": "SELECT count(*) FROM lake.shipping.voyages"})
        assert query.status_code in (403, 404)
        assert "voyages" not in _everything(_search(ada, "voyages", facet=["catalog"]))
