"""Search shows a user only what the query policies let them see: in hits, totals, facet counts,
suggestions, highlights and matched columns, on every backend, and after a policy file change."""

from __future__ import annotations

from pathlib import Path

import pytest

from auth.authorizer import Authorizer
from auth.identity import Identity
from catalog.model import Entity, EntityType
from catalog.search import CatalogSearch, FacetField, SearchQuery, SearchRequestError
from tests.catalog_search.conftest import ANA, LEA, NOBODY, ROOT, SAM, rewrite
from tests.catalog_search.judged_catalog import ListReader, by_name
from tests.catalog_search.policies import POLICIES_CRM_FOR_ANALYSTS

ALL_FACETS = (
    FacetField.TYPE,
    FacetField.SOURCE,
    FacetField.CATALOG,
    FacetField.SCHEMA,
    FacetField.OWNER,
    FacetField.CLASSIFICATION,
    FacetField.TERM,
)
USERS = [ROOT, ANA, LEA, SAM, NOBODY]


def everything(search: CatalogSearch, who: Identity, text: str = "", **kw: object) -> list[str]:
    """Every guid a search returns, page by page."""
    guids: list[str] = []
    offset = 0
    while True:
        page = search.search(who, SearchQuery(text, offset=offset, limit=100, **kw))  # type: ignore[arg-type]
        guids.extend(h.guid for h in page.hits)
        offset += 100
        if offset >= page.total:
            assert len(guids) == page.total
            return guids


def expected_visible(reader: ListReader, authorizer: Authorizer, who: Identity) -> set[str]:
    """The oracle: ask the authorizer about every entity, one by one, as listings do."""
    if authorizer.is_admin(who):
        return {e.guid for e in reader.items} | {t.guid for t in reader.glossary}
    seen = {t.guid for t in reader.glossary}
    for e in reader.items:
        p = e.path
        assert p.catalog is not None
        if authorizer.can_see(who, p.catalog, p.schema, p.table, p.column):
            seen.add(e.guid)
    return seen


@pytest.mark.parametrize("who", USERS, ids=lambda i: i.user)
def test_browsing_everything_shows_exactly_what_the_policies_allow(
    guarded_search: CatalogSearch, reader: ListReader, authorizer: Authorizer, who: Identity
) -> None:
    assert set(everything(guarded_search, who)) == expected_visible(reader, authorizer, who)


def _key(reader: ListReader, key: str) -> Entity:
    return by_name(reader.items, key)


def test_a_denied_table_leaves_no_trace(guarded_search: CatalogSearch, reader: ListReader) -> None:
    shop_customers = _key(reader, "sales.public.customers")
    email = _key(reader, "sales.public.customers.email")
    hidden = {shop_customers.guid, email.guid}
    for text in ("customers", "email", "sales.public.customers", "Where we write", "custmers"):
        result = guarded_search.search(ANA, SearchQuery(text, facets=ALL_FACETS, limit=100))
        assert not hidden & {h.guid for h in result.hits}, text
        assert result.total == len(result.hits)
        for hit in result.hits:
            assert "email" not in hit.matched_columns
            assert all("Where we write" not in h.fragment for h in hit.highlights)
        owners = {f.value: f.count for f in result.facets["owner"]}
        assert "crm-team" not in owners  # both customers tables are hidden from ana
        classifications = {f.value for f in result.facets["classification"]}
        assert "PII" not in classifications
        for suggestion in guarded_search.suggest(ANA, text):
            assert suggestion.guid not in hidden
    assert guarded_search.search(ANA, SearchQuery("email")).total == 0
    assert guarded_search.suggest(ANA, "emai") == []
    assert not guarded_search.can_see(ANA, shop_customers)


def test_a_deny_exception_lets_its_user_find_the_table(
    guarded_search: CatalogSearch, reader: ListReader
) -> None:
    shop_customers = _key(reader, "sales.public.customers")
    hits = guarded_search.search(LEA, SearchQuery("customers", limit=50)).hits
    assert shop_customers.guid in {h.guid for h in hits}
    assert guarded_search.suggest(LEA, "emai")[0].name == "email"
    assert guarded_search.can_see(LEA, shop_customers)


def test_a_denied_column_is_neither_hit_nor_matched_column_nor_highlight(
    guarded_search: CatalogSearch, reader: ListReader
) -> None:
    crm_customers = _key(reader, "crm.main.customers")
    national_id = _key(reader, "crm.main.customers.national_id")
    for text in ("national_id", "national", "passport", "national identity number"):
        result = guarded_search.search(SAM, SearchQuery(text, facets=ALL_FACETS, limit=100))
        # the table is visible, but must not be found through the column sam may not see
        assert result.total == 0, text
        assert all(f == () for f in result.facets.values()), text
        assert guarded_search.suggest(SAM, text) == []
    result = guarded_search.search(SAM, SearchQuery("customers", limit=100))
    table = next(h for h in result.hits if h.guid == crm_customers.guid)
    assert national_id.guid not in {h.guid for h in result.hits}
    assert "national_id" not in table.matched_columns
    # a table with a column sam may not see is not found through its columns' text (only the
    # visible column itself is a hit)
    region = guarded_search.search(SAM, SearchQuery("region")).hits
    assert [h.guid for h in region] == [_key(reader, "crm.main.customers.region").guid]
    assert not guarded_search.can_see(SAM, national_id)
    # ada sees every column, so the table is found through its column's description too
    ada = Identity("ada")
    result = guarded_search.search(ada, SearchQuery("passport", limit=10))
    assert {h.guid for h in result.hits} == {crm_customers.guid, national_id.guid}
    table = next(h for h in result.hits if h.guid == crm_customers.guid)
    assert table.matched_columns == ("national_id",)


def test_facet_counts_only_count_visible_entities(guarded_search: CatalogSearch) -> None:
    result = guarded_search.search(ANA, SearchQuery("", facets=ALL_FACETS, limit=1))
    catalogs = {f.value: f.count for f in result.facets["catalog"]}
    assert set(catalogs) == {"sales"}
    types = {f.value: f.count for f in result.facets["type"]}
    assert sum(types.values()) == result.total
    admin = guarded_search.search(ROOT, SearchQuery("", facets=ALL_FACETS, limit=1))
    assert admin.total > result.total
    assert {f.value for f in admin.facets["catalog"]} == {"sales", "crm"}


def test_nobody_finds_only_the_glossary(guarded_search: CatalogSearch, reader: ListReader) -> None:
    result = guarded_search.search(NOBODY, SearchQuery("", facets=(FacetField.TYPE,)))
    assert result.total == len(reader.glossary)
    assert {f.value: f.count for f in result.facets["type"]} == {"glossary_term": 1}
    assert guarded_search.suggest(NOBODY, "ord") == []


def test_storage_format_is_for_administrators_only(guarded_search: CatalogSearch) -> None:
    with pytest.raises(SearchRequestError):
        guarded_search.search(ANA, SearchQuery("", facets=(FacetField.FORMAT,)))
    with pytest.raises(SearchRequestError):
        guarded_search.search(ANA, SearchQuery("", filters={FacetField.FORMAT: ("sqlite",)}))
    result = guarded_search.search(
        ROOT, SearchQuery("", filters={FacetField.FORMAT: ("sqlite",)}, facets=(FacetField.FORMAT,))
    )
    assert {f.value: f.count for f in result.facets["format"]} == {"sqlite": 2}
    assert result.total == 2  # the two crm tables
    # the location is never indexed: searching for it finds nothing, even for an administrator
    assert guarded_search.search(ROOT, SearchQuery("/data/lake")).total == 0


def test_a_policy_file_change_takes_effect_at_the_next_search(
    guarded_search: CatalogSearch, reader: ListReader, authorizer: Authorizer, policy_file: Path
) -> None:
    accounts = _key(reader, "crm.main.accounts")
    assert guarded_search.search(ANA, SearchQuery("accounts")).total == 0
    rewrite(policy_file, POLICIES_CRM_FOR_ANALYSTS)
    hits = guarded_search.search(ANA, SearchQuery("accounts")).hits
    assert accounts.guid in {h.guid for h in hits}
    assert {"accounts", "account_id"} <= {s.name for s in guarded_search.suggest(ANA, "acc")}
    assert set(everything(guarded_search, ANA)) == expected_visible(reader, authorizer, ANA)
    assert _key(reader, "crm.main.customers").guid not in set(everything(guarded_search, ANA))


def test_a_catalog_change_takes_effect_at_the_next_search(
    guarded_search: CatalogSearch, reader: ListReader, authorizer: Authorizer
) -> None:
    from tests.catalog_search.judged_catalog import table

    reader.replace(reader.items + table("crmdb", "crm", "main", "leads", [("lead_id", None)]))
    guarded_search.sync(reader)
    assert guarded_search.search(ANA, SearchQuery("leads")).total == 0
    ada_hits = guarded_search.search(Identity("ada"), SearchQuery("leads")).total
    assert ada_hits == 0  # ada may read crm customers only
    root_hits = guarded_search.search(ROOT, SearchQuery("leads")).hits
    assert root_hits[0].name == "leads"
    for who in USERS:
        assert set(everything(guarded_search, who)) == expected_visible(reader, authorizer, who)


def test_entity_types_without_a_policy_path_are_for_administrators(
    guarded_search: CatalogSearch, reader: ListReader
) -> None:
    source = Entity(
        guid="s1",
        type=EntityType.SOURCE,
        qualified_name="@lake",
        name="lake",
        source="lake",
        path=by_name(reader.items, "sales").path,
    )
    assert not guarded_search.can_see(ANA, source)
    assert guarded_search.can_see(ROOT, source)
