"""The grant compiled with grouped policy decisions equals asking the authorizer about every
entity one by one, on a synthetic catalog with many policies, deny rules and exceptions."""

from __future__ import annotations

from pathlib import Path

import pytest

from auth.authorizer import Authorizer
from auth.identity import Identity
from auth.search_visibility import AuthorizerVisibility
from catalog.model import EntityType
from catalog.search import CatalogSearch, SearchQuery, synthetic
from catalog.search.access_keys import document_keys
from catalog.search.tantivy_backend import TantivyBackend
from catalog.search.visibility import ResourceTree, VisibilityCompiler
from tests.catalog_search.judged_catalog import ListReader

ENTITIES = list(synthetic.entities(6_000, seed=3))
CATALOGS = sorted({e.path.catalog for e in ENTITIES if e.type is EntityType.CATALOG and e.path.catalog})
USERS = [
    Identity("u0", (synthetic.GROUPS[0], synthetic.GROUPS[30])),  # deny exception for ssn/iban
    Identity("u1", (synthetic.GROUPS[1], synthetic.GROUPS[2], synthetic.GROUPS[40])),
    Identity("u2", (synthetic.GROUPS[45],)),
    Identity("u3", ()),
    Identity("root"),
]
EXTRA = """
  - id: 900
    name: one schema's tables only, two columns denied by name
    resources: {catalog: %(cat)s, schema: "%(sch)s", table: "*", column: "*"}
    policy_items: [{users: [u2], accesses: [select]}]
  - id: 901
    name: deny one table
    resources: {catalog: %(cat)s, schema: "%(sch)s", table: "%(tbl)s", column: "*"}
    deny_policy_items: [{users: [u2], accesses: [select]}]
  - id: 902
    name: u3 reads two columns of one table
    resources: {catalog: %(cat)s, schema: "%(sch)s", table: "%(tbl2)s", column: [id, email]}
    policy_items: [{users: [u3], accesses: [select]}]
"""


@pytest.fixture(scope="module")
def authorizer(tmp_path_factory: pytest.TempPathFactory) -> Authorizer:
    tables = [e for e in ENTITIES if e.type in (EntityType.TABLE, EntityType.VIEW)]
    first, second = tables[3], tables[4]
    extra = EXTRA % {
        "cat": first.path.catalog,
        "sch": first.path.schema,
        "tbl": first.path.table,
        "tbl2": second.path.table,
    }
    path: Path = tmp_path_factory.mktemp("policies") / "policies.yaml"
    path.write_text(synthetic.policies(CATALOGS) + extra)
    return Authorizer(path, admin_users=("root",), reload_seconds=60)


@pytest.mark.parametrize("who", USERS, ids=lambda i: i.user)
def test_grouped_grant_equals_asking_for_every_entity(authorizer: Authorizer, who: Identity) -> None:
    compiler = VisibilityCompiler(AuthorizerVisibility(authorizer))
    grant = compiler.grant(who, ResourceTree.of(e.path for e in ENTITIES), "v1")
    wrong = []
    for e in ENTITIES:
        p = e.path
        assert p.catalog is not None
        expected = authorizer.is_admin(who) or authorizer.can_see(who, p.catalog, p.schema, p.table, p.column)
        keys = document_keys(e.type, p)[1]
        if grant.sees(keys, p.column if e.type is EntityType.COLUMN else None) != expected:
            wrong.append((e.qualified_name, expected))
    assert wrong == []
    if not authorizer.is_admin(who):
        # the compression keeps the filter small: no per-column keys for name-wide denies
        assert len(grant.hidden) + len(grant.hidden_columns) < 100


def test_the_index_finds_exactly_the_visible_entities(authorizer: Authorizer) -> None:
    search = CatalogSearch(TantivyBackend(threads=1, heap_bytes=50_000_000), AuthorizerVisibility(authorizer))
    search.sync(ListReader(ENTITIES, []))
    for who in USERS:
        expected = {
            e.guid
            for e in ENTITIES
            if authorizer.is_admin(who)
            or authorizer.can_see(who, e.path.catalog or "", e.path.schema, e.path.table, e.path.column)
        }
        found: set[str] = set()
        total = search.search(who, SearchQuery("", limit=1)).total
        for offset in range(0, total, 100):
            found |= {h.guid for h in search.search(who, SearchQuery("", offset=offset, limit=100)).hits}
        assert total == len(expected), who.user
        assert found == expected, who.user
        # a column-name query: hits only among the visible ones, and the count agrees
        ssn = search.search(who, SearchQuery("ssn", limit=100))
        assert {h.guid for h in ssn.hits} <= expected
        assert ssn.total == len(ssn.hits) or ssn.total > 100
