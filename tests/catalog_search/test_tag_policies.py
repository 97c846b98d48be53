"""Classifications from the catalog feed tag policies, and search follows them at the next search."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from auth.authorizer import Authorizer
from auth.identity import Identity
from auth.search_visibility import AuthorizerVisibility
from catalog.search import CatalogSearch, SearchQuery
from catalog.search.backend import SearchBackend
from tests.catalog_search.judged_catalog import ListReader, by_name, judged_entities

ANA = Identity("ana", ("analysts",))
POLICIES = {
    "serviceName": "lakegate",
    "serviceType": "trino",
    "policies": [
        {
            "id": 1,
            "name": "analysts read sales",
            "service": "lakegate",
            "policyType": 0,
            "isEnabled": True,
            "resources": {
                "catalog": {"values": ["sales"]},
                "schema": {"values": ["*"]},
                "table": {"values": ["*"]},
                "column": {"values": ["*"]},
            },
            "policyItems": [{"groups": ["analysts"], "accesses": [{"type": "select", "isAllowed": True}]}],
        }
    ],
    "tagPolicyInfo": {
        "serviceName": "tags",
        "tagPolicies": [
            {
                "id": 100,
                "name": "secrets are not for analysts",
                "service": "tags",
                "policyType": 0,
                "isEnabled": True,
                "resources": {"tag": {"values": ["Secret"]}},
                "denyPolicyItems": [
                    {"groups": ["analysts"], "accesses": [{"type": "trino:select", "isAllowed": True}]}
                ],
            }
        ],
    },
}


def test_a_tagged_column_disappears_from_search_at_the_next_search(
    backend_factory: Callable[[], SearchBackend], tmp_path: Path
) -> None:
    path = tmp_path / "policies.json"
    path.write_text(json.dumps(POLICIES))
    authorizer = Authorizer(path, reload_seconds=0)
    reader = ListReader(judged_entities())
    search = CatalogSearch(backend_factory(), AuthorizerVisibility(authorizer))
    search.sync(reader)
    email = by_name(reader.items, "sales.public.customers.email")
    assert email.guid in {h.guid for h in search.search(ANA, SearchQuery("email")).hits}

    authorizer.set_catalog_tags({"sales.public.customers.email": ["Secret"]}, "v1")

    assert not authorizer.can_see(ANA, "sales", "public", "customers", "email")
    result = search.search(ANA, SearchQuery("email", limit=50))
    assert result.total == 0
    assert search.suggest(ANA, "emai") == []
    customers = search.search(ANA, SearchQuery("customers", limit=50)).hits
    table = next(h for h in customers if h.name == "customers")
    assert "email" not in table.matched_columns
    assert authorizer.can_see(ANA, "sales", "public", "customers", "full_name")
    assert search.search(ANA, SearchQuery("full_name")).total == 1

    # every entity, page by page, is exactly what the authorizer lets ana see
    seen = {t.guid for t in reader.glossary} | {
        e.guid
        for e in reader.items
        if authorizer.can_see(ANA, e.path.catalog or "", e.path.schema, e.path.table, e.path.column)
    }
    total = search.search(ANA, SearchQuery("", limit=1)).total
    found = set()
    for offset in range(0, total, 100):
        found |= {h.guid for h in search.search(ANA, SearchQuery("", offset=offset, limit=100)).hits}
    assert total == len(seen)
    assert found == seen

    authorizer.set_catalog_tags({}, "v2")
    assert email.guid in {h.guid for h in search.search(ANA, SearchQuery("email")).hits}
