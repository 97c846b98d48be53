"""Both catalog stores: migrations, harvested entities in and out, curation, glossary, lineage."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from pathlib import Path

import pytest

from catalog.harvest.entities import fingerprinted
from catalog.model import (
    Classification,
    EntityType,
    GlossaryTerm,
    HarvestedEntity,
    LineageEdge,
    ResourcePath,
    entity_guid,
    qualified_name,
)
from catalog.store import CatalogStore, HarvestRun, StoreError
from catalog.store.migrations import LATEST
from tests.catalog.conftest import StoreFactory


def table(name: str, comment: str | None = None, rows: int | None = None) -> HarvestedEntity:
    return fingerprinted(
        HarvestedEntity(
            type=EntityType.TABLE,
            qualified_name=qualified_name("lg", "lake", "s", name),
            name=name,
            source="duckdb",
            path=ResourcePath("lake", "s", name),
            comment=comment,
            row_count=rows,
            storage_format="parquet",
            location=f"/data/lake/s/{name}.parquet",
        )
    )


def column(tab: str, name: str, position: int, data_type: str = "bigint") -> HarvestedEntity:
    return fingerprinted(
        HarvestedEntity(
            type=EntityType.COLUMN,
            qualified_name=qualified_name("lg", "lake", "s", tab, name),
            name=name,
            source="duckdb",
            path=ResourcePath("lake", "s", tab, name),
            parent_guid=entity_guid(EntityType.TABLE, qualified_name("lg", "lake", "s", tab)),
            data_type=data_type,
            position=position,
            nullable=False,
        )
    )


def test_a_new_store_is_migrated_to_the_latest_version_once(open_store: StoreFactory) -> None:
    first = open_store()
    assert first.schema_version == LATEST
    first.sync_unit("lake", "f1", [table("a")])
    again = open_store()  # a second instance on the same store: nothing re-applied, nothing lost
    assert again.schema_version == LATEST
    assert [e.harvested.name for e in again.entities()] == ["a"]


def test_a_store_newer_than_this_lakegate_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    CatalogStore.sqlite(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO catalog_schema_version VALUES (?, 0)", (LATEST + 1,))
    with pytest.raises(StoreError, match="newer than this Lakegate"):
        CatalogStore.sqlite(path)


def test_harvested_entities_come_back_as_written(store: CatalogStore) -> None:
    written = [
        table("orders", "All orders", 42),
        column("orders", "id", 1),
        column("orders", "total", 2, "double"),
    ]
    counts = store.sync_unit("lake", "f1", written)
    assert (counts.added, counts.changed, counts.removed) == (3, 0, 0)
    read = {e.harvested.guid: e for e in store.entities()}
    assert {g: e.harvested for g, e in read.items()} == {e.guid: e for e in written}
    assert all(e.status == "active" for e in read.values())
    assert store.unit_fingerprint("lake") == "f1"


def test_an_unchanged_harvest_writes_nothing(store: CatalogStore) -> None:
    entities = [table("orders"), column("orders", "id", 1)]
    store.sync_unit("lake", "f1", entities)
    version = store.version()
    stamps = {e.harvested.guid: e.updated_at for e in store.entities()}
    counts = store.sync_unit("lake", "f1", entities)
    assert counts.writes == 0
    assert store.version() == version
    assert {e.harvested.guid: e.updated_at for e in store.entities()} == stamps


def test_changed_entities_are_rewritten_and_missing_ones_deleted(store: CatalogStore) -> None:
    store.sync_unit("lake", "f1", [table("orders", rows=1), column("orders", "id", 1), table("gone")])
    version = store.version()
    counts = store.sync_unit("lake", "f2", [table("orders", rows=2), column("orders", "id", 1)])
    assert (counts.added, counts.changed, counts.removed) == (0, 1, 1)
    assert store.version() > version
    assert sorted(e.harvested.name for e in store.entities()) == ["id", "orders"]
    deleted = [e for e in store.entities(include_deleted=True) if e.status == "deleted"]
    assert [e.harvested.name for e in deleted] == ["gone"]
    assert next(e for e in store.entities() if e.harvested.name == "orders").harvested.row_count == 2
    # it comes back: added again
    assert (
        store.sync_unit(
            "lake", "f3", [table("orders", rows=2), column("orders", "id", 1), table("gone")]
        ).added
        == 1
    )


def test_a_unit_no_longer_configured_is_deleted_whole(store: CatalogStore) -> None:
    store.sync_unit("lake", "f1", [table("a"), table("b")])
    assert store.remove_unit("lake").removed == 2
    assert store.entities() == []
    assert store.units() == []


def test_curation_round_trips_and_survives_a_reharvest(store: CatalogStore) -> None:
    orders = table("orders", "from the source")
    store.sync_unit("lake", "f1", [orders])
    store.update_curation(orders.guid, user="steward", description="Curated", owners=["bo", "al", "bo"])
    store.update_curation(orders.guid, user="steward", deprecated=True)  # other fields stay
    store.add_classification(
        orders.guid, Classification("PII", {"level": "high"}, propagate=False), user="steward"
    )
    store.sync_unit("lake", "f2", [table("orders", "a new source comment")])
    store.sync_unit("lake", "f3", [])  # even deleted and back again
    store.sync_unit("lake", "f4", [orders])
    curation = store.curation(orders.guid)
    assert curation.description == "Curated"
    assert curation.owners == ("al", "bo")
    assert curation.deprecated is True
    assert curation.classifications == (Classification("PII", {"level": "high"}, propagate=False),)
    assert curation.updated_by == "steward"
    assert store.remove_classification(orders.guid, "PII") is True
    assert store.remove_classification(orders.guid, "PII") is False
    assert store.curation(orders.guid).classifications == ()
    store.update_curation(orders.guid, user="steward", description=None)
    assert store.curation(orders.guid).description is None


def test_glossary_terms_and_assignments(store: CatalogStore) -> None:
    term = GlossaryTerm("t1", "Customer", "sales", "Someone who buys", None, ("client", "buyer"))
    store.put_term(term)
    assert store.terms() == [term]
    with pytest.raises(StoreError, match="already has a term"):
        store.put_term(GlossaryTerm("t2", "Customer", "sales"))
    store.put_term(GlossaryTerm("t3", "Customer", "support"))  # another glossary: fine
    assert store.assign_term("e1", "t1") is True
    assert store.assign_term("e1", "t1") is False
    assert store.curation("e1").terms == ("t1",)
    with pytest.raises(StoreError, match="no such glossary term"):
        store.assign_term("e1", "nope")
    assert store.unassign_term("e1", "t1") is True
    assert store.curation("e1").terms == ()


def test_lineage_processes_are_replaced_whole(store: CatalogStore) -> None:
    store.put_process("p", "daily", [LineageEdge("p", "a", "b"), LineageEdge("p", "a", "c")], sql="SELECT 1")
    assert store.lineage_edges() == [LineageEdge("p", "a", "b"), LineageEdge("p", "a", "c")]
    store.put_process("p", "daily", [LineageEdge("p", "x", "y")], user="steward")
    assert store.lineage_edges() == [LineageEdge("p", "x", "y")]
    assert [(p.name, p.created_by) for p in store.processes()] == [("daily", "steward")]
    with pytest.raises(StoreError, match="belong to the process"):
        store.put_process("q", "other", [LineageEdge("p", "a", "b")])
    assert store.remove_process("p") is True
    assert store.lineage_edges() == []


def test_harvest_runs_are_recorded_newest_first(store: CatalogStore) -> None:
    runs = [
        HarvestRun("lake", "lg", 100.0, 12.5, "ok", None, 3, 0, 0),
        HarvestRun("crm", "lg", 200.0, 1.0, "failed", "the database is gone"),
    ]
    store.record_runs(runs)
    assert store.runs() == [runs[1], runs[0]]
    assert store.runs(limit=1) == [runs[1]]


def test_two_instances_syncing_the_same_unit_at_once_agree(open_store: StoreFactory) -> None:
    """Writers of one unit are serialised: whichever comes second finds nothing to write."""
    stores = [open_store(), open_store()]
    entities = [table(f"t{i}") for i in range(200)]
    results = []

    def sync(s: CatalogStore) -> None:
        results.append(s.sync_unit("lake", "f1", entities))

    threads = [threading.Thread(target=sync, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.added for r in results) == [0, 200]
    assert len(stores[0].entities()) == 200


def test_entities_keep_every_harvested_field(store: CatalogStore) -> None:
    full = fingerprinted(
        dataclasses.replace(
            table("v"), type=EntityType.VIEW, view_sql="SELECT 1", size_bytes=10, created_at=5.0
        )
    )
    store.sync_unit("lake", "f", [full])
    assert store.entity(full.guid) is not None
    assert store.entity(full.guid).harvested == full  # type: ignore[union-attr]
