"""Import Hive entities (as Atlas's Hive hook writes them) from the Atlas REST stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalog.atlas import connect, import_catalog, term_guid
from catalog.model import EntityType, LineageEdge, ResourcePath, entity_guid
from tests.atlas.standin import AtlasStandin


def tag(name: str, owner: str, **attributes: str) -> dict[str, object]:
    return {"typeName": name, "attributes": attributes, "entityGuid": owner, "propagate": True}


@pytest.fixture(scope="module")
def atlas() -> Iterator[AtlasStandin]:
    with AtlasStandin() as standin:
        store = standin.store
        store.types.add({"classificationDefs": [{"name": "PII", "attributeDefs": []}, {"name": "Finance"}]})
        db = store.put_raw(
            {
                "typeName": "hive_db",
                "guid": "db1",
                "attributes": {
                    "qualifiedName": "sales@cm",
                    "name": "sales",
                    "clusterName": "cm",
                    "owner": "etl",
                },
            }
        )
        orders = store.put_raw(
            {
                "typeName": "hive_table",
                "guid": "t1",
                "refs": {"db": db},
                "attributes": {
                    "qualifiedName": "sales.orders@cm",
                    "name": "orders",
                    "comment": "All orders",
                    "tableType": "MANAGED_TABLE",
                    "createTime": 1_700_000_000_000,
                    "description": "Orders as booked",
                },
                "classifications": [tag("Finance", "t1")],
            }
        )
        view = store.put_raw(
            {
                "typeName": "hive_table",
                "guid": "t2",
                "refs": {"db": db},
                "attributes": {
                    "qualifiedName": "sales.orders_eu@cm",
                    "name": "orders_eu",
                    "tableType": "VIRTUAL_VIEW",
                    "viewOriginalText": "select id, email from orders where region = 'EU'",
                },
            }
        )
        store.put_raw(
            {
                "typeName": "hive_table",
                "guid": "t3",
                "status": "DELETED",
                "refs": {"db": db},
                "attributes": {"qualifiedName": "sales.old@cm", "name": "old"},
            }
        )
        store.put_raw(
            {
                "typeName": "hive_column",
                "guid": "c1",
                "refs": {"table": orders},
                "attributes": {
                    "qualifiedName": "sales.orders.id@cm",
                    "name": "id",
                    "type": "int",
                    "position": 0,
                },
            }
        )
        email = store.put_raw(
            {
                "typeName": "hive_column",
                "guid": "c2",
                "refs": {"table": orders},
                "attributes": {
                    "qualifiedName": "sales.orders.email@cm",
                    "name": "email",
                    "type": "string",
                    "position": 1,
                    "comment": "Buyer e-mail",
                },
                "classifications": [tag("PII", "c2", kind="email")],
            }
        )
        store.put_raw(
            {
                "typeName": "hive_column",
                "guid": "c3",
                "refs": {"table": view},
                "attributes": {
                    "qualifiedName": "sales.orders_eu.email@cm",
                    "name": "email",
                    "type": "string",
                    "position": 1,
                },
                "classifications": [tag("PII", "c2", kind="email")],
            }
        )  # propagated by Atlas from c2
        process = store.put_raw(
            {
                "typeName": "hive_process",
                "guid": "p1",
                "refs": {"inputs": [orders], "outputs": [view]},
                "attributes": {
                    "qualifiedName": "sales.orders_eu@cm:1700000000000",
                    "name": "create view orders_eu",
                    "queryText": "create view orders_eu as select id, email from orders where region = 'EU'",
                },
            }
        )
        store.put_raw(
            {
                "typeName": "hive_column_lineage",
                "guid": "l1",
                "refs": {"inputs": [email], "outputs": ["c3"], "query": process},
                "attributes": {
                    "qualifiedName": "sales.orders_eu@cm:1700000000000:email",
                    "name": "email",
                    "depenendencyType": "SIMPLE",
                },
            }
        )
        store.put_raw(
            {
                "typeName": "trino_table",
                "guid": "orphan",
                "refs": {"trinoschema": "gone"},
                "attributes": {"qualifiedName": "x.y.z@t", "name": "z"},
            }
        )
        glossary = store.create_glossary({"name": "Sales"})
        term = store.create_term(
            {
                "name": "Order",
                "anchor": {"glossaryGuid": glossary["guid"]},
                "shortDescription": "A purchase",
                "additionalAttributes": {"synonyms": ["purchase"]},
            }
        )
        store.assign(term["guid"], [{"guid": orders}])
        yield standin


def guid(kind: EntityType, qn: str) -> str:
    return entity_guid(kind, qn)


def test_hive_entities_land_in_a_hive_catalog_of_their_cluster(atlas: AtlasStandin) -> None:
    imported = import_catalog(connect(atlas.url, *atlas.credentials), hive_catalog="hive")
    by_qn = {e.qualified_name: e for e in imported.entities}
    assert {
        "@cm",
        "hive@cm",
        "hive.sales@cm",
        "hive.sales.orders@cm",
        "hive.sales.orders_eu@cm",
        "hive.sales.orders.id@cm",
        "hive.sales.orders.email@cm",
        "hive.sales.orders_eu.email@cm",
    } <= set(by_qn)
    assert "hive.sales.old@cm" not in by_qn  # deleted in Atlas
    orders = by_qn["hive.sales.orders@cm"]
    assert orders.type is EntityType.TABLE
    assert orders.path == ResourcePath("hive", "sales", "orders")
    assert orders.parent_guid == guid(EntityType.SCHEMA, "hive.sales@cm")
    assert orders.comment == "All orders"
    assert orders.created_at == 1_700_000_000
    assert orders.source == "atlas"
    view = by_qn["hive.sales.orders_eu@cm"]
    assert view.type is EntityType.VIEW
    assert view.view_sql == "select id, email from orders where region = 'EU'"
    email = by_qn["hive.sales.orders.email@cm"]
    assert (email.data_type, email.position, email.comment) == ("string", 1, "Buyer e-mail")
    assert email.parent_guid == orders.guid
    assert by_qn["hive.sales@cm"].parent_guid == guid(EntityType.CATALOG, "hive@cm")
    assert by_qn["hive@cm"].parent_guid == guid(EntityType.SOURCE, "@cm")


def test_own_classifications_terms_and_owners_become_curation(atlas: AtlasStandin) -> None:
    imported = import_catalog(connect(atlas.url, *atlas.credentials))
    orders = guid(EntityType.TABLE, "hive.sales.orders@cm")
    email = guid(EntityType.COLUMN, "hive.sales.orders.email@cm")
    derived = guid(EntityType.COLUMN, "hive.sales.orders_eu.email@cm")
    assert [c.name for c in imported.curations[orders].classifications] == ["Finance"]
    assert imported.curations[orders].description == "Orders as booked"
    assert imported.curations[orders].terms == (term_guid("Order", "Sales"),)
    assert [(c.name, dict(c.attributes)) for c in imported.curations[email].classifications] == [
        ("PII", {"kind": "email"})
    ]
    assert derived not in imported.curations  # Atlas's propagated copy is not an own classification
    assert imported.curations[guid(EntityType.SCHEMA, "hive.sales@cm")].owners == ("etl",)
    (term,) = imported.terms
    assert (term.name, term.glossary, term.short_description, term.synonyms) == (
        "Order",
        "Sales",
        "A purchase",
        ("purchase",),
    )


def test_processes_and_column_lineage_become_edges(atlas: AtlasStandin) -> None:
    imported = import_catalog(connect(atlas.url, *atlas.credentials))
    process = guid(EntityType.PROCESS, "sales.orders_eu@cm:1700000000000")
    assert set(imported.edges) == {
        LineageEdge(
            process,
            guid(EntityType.TABLE, "hive.sales.orders@cm"),
            guid(EntityType.VIEW, "hive.sales.orders_eu@cm"),
        ),
        LineageEdge(
            process,
            guid(EntityType.COLUMN, "hive.sales.orders.email@cm"),
            guid(EntityType.COLUMN, "hive.sales.orders_eu.email@cm"),
        ),
    }
    (proc,) = [e for e in imported.entities if e.type is EntityType.PROCESS]
    assert proc.path == ResourcePath("hive", "sales", "orders_eu")
    assert proc.view_sql is not None
    assert proc.view_sql.startswith("create view orders_eu")


def test_an_entity_whose_parent_is_missing_is_reported_not_guessed(atlas: AtlasStandin) -> None:
    imported = import_catalog(connect(atlas.url, *atlas.credentials))
    assert any("x.y.z@t" in s for s in imported.skipped)
    assert not any(e.qualified_name.endswith("@t") for e in imported.entities)


def test_paging_reads_every_entity(atlas: AtlasStandin, monkeypatch: pytest.MonkeyPatch) -> None:
    import catalog.atlas.importer as importer

    monkeypatch.setattr(importer, "PAGE", 1)
    monkeypatch.setattr(importer, "FETCH", 1)
    imported = import_catalog(connect(atlas.url, *atlas.credentials))
    assert len([e for e in imported.entities if e.type is EntityType.COLUMN]) == 3
    searches = [p for m, p in atlas.store.requests if p.endswith("/search/basic")]
    assert len(searches) > 8  # one page per entity and one empty page per type
