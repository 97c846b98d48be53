"""Harvesting real embedded catalogs (lake files, SQLite) into the store, through the service."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from catalog.model import EntityType, entity_guid, qualified_name
from catalog.service import CatalogService, UnknownEntity
from catalog.store import CatalogStore
from connectors.base import CatalogInfo, ConnectorError
from connectors.duckdb.engine import DuckDBConnector
from connectors.duckdb.sources import FilesSource, FileTable, SqliteSource, discover_tables

INSTANCE = "lg"


def write_parquet(path: Path, sql: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"COPY ({sql}) TO '{path.as_posix()}' (FORMAT parquet)")
    return path


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    root = tmp_path / "lake"
    write_parquet(root / "sales" / "orders.parquet", "SELECT i AS id, i * 2.5 AS total FROM range(10) t(i)")
    return root


@pytest.fixture
def crm(tmp_path: Path) -> Path:
    path = tmp_path / "crm.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER, email TEXT, phone TEXT)")
        conn.execute("CREATE TABLE tickets (id INTEGER, customer_id INTEGER)")
        conn.execute("CREATE VIEW open_tickets AS SELECT id FROM tickets")
    return path


def lake_source(root: Path) -> FilesSource:
    tables = [
        FileTable(t.schema, t.name, t.path, t.format, "Orders, one per row", {"id": "Order number"})
        if t.name == "orders"
        else t
        for t in discover_tables(root)
    ]
    return FilesSource("lake", tuple(tables), "The lake")


@pytest.fixture
def service(tmp_path: Path) -> Iterator[CatalogService]:
    svc = CatalogService(CatalogStore.sqlite(tmp_path / "catalog.sqlite"), instance=INSTANCE)
    yield svc
    svc.close()


def guid(kind: EntityType, *parts: str) -> str:
    return entity_guid(kind, qualified_name(INSTANCE, *parts))


def test_every_level_is_harvested_with_comments_as_descriptions(
    service: CatalogService, lake: Path, crm: Path
) -> None:
    engine = DuckDBConnector([lake_source(lake), SqliteSource("crm", crm, "Customers")])
    try:
        result = service.refresh([engine])
    finally:
        engine.close()
    assert [(s.name, s.status) for s in result.sources] == [("lake", "ok"), ("crm", "ok")]
    orders = service.entity(guid(EntityType.TABLE, "lake", "sales", "orders"))
    assert orders is not None
    assert orders.description == "Orders, one per row"
    assert (orders.storage_format, orders.row_count) == ("parquet", 10)
    assert orders.size_bytes is not None
    assert orders.size_bytes > 0
    assert orders.location is not None
    assert orders.location.endswith("orders.parquet")
    columns = service.children(orders.guid)
    assert [(c.name, c.position, c.data_type, c.description) for c in columns] == [
        ("id", 1, "bigint", "Order number"),
        ("total", 2, "decimal(21,1)", None),
    ]
    catalog = service.entity(guid(EntityType.CATALOG, "lake"))
    assert catalog is not None
    assert catalog.description == "The lake"
    assert catalog.parent_guid == entity_guid(EntityType.SOURCE, qualified_name(INSTANCE))
    # the SQLite view is a view, with its SQL and its columns
    view = service.entity(guid(EntityType.VIEW, "crm", "main", "open_tickets"))
    assert view is not None
    assert view.type is EntityType.VIEW
    assert view.view_sql is not None
    assert "FROM tickets" in view.view_sql
    assert [c.name for c in service.children(view.guid)] == ["id"]
    assert service.entity(guid(EntityType.TABLE, "crm", "main", "open_tickets")) is None


def test_an_unchanged_source_writes_nothing(service: CatalogService, lake: Path) -> None:
    engine = DuckDBConnector([lake_source(lake)])
    try:
        first = service.refresh([engine])
        version = service.version
        second = service.refresh([engine])
    finally:
        engine.close()
    assert first.sources[0].added == 5  # catalog, schema, table, two columns
    assert second.sources[0].unchanged is True
    assert (second.sources[0].added, second.sources[0].changed, second.sources[0].removed) == (0, 0, 0)
    assert service.version == version


def test_dropped_tables_and_columns_disappear(service: CatalogService, crm: Path) -> None:
    engine = DuckDBConnector([SqliteSource("crm", crm)])
    try:
        service.refresh([engine])
        tickets = guid(EntityType.TABLE, "crm", "main", "tickets")
        phone = guid(EntityType.COLUMN, "crm", "main", "customers", "phone")
        assert service.entity(tickets) is not None
        assert service.entity(phone) is not None
        with sqlite3.connect(crm) as conn:
            conn.execute("DROP VIEW open_tickets")
            conn.execute("DROP TABLE tickets")
            conn.execute("ALTER TABLE customers DROP COLUMN phone")
        result = service.refresh([engine])
    finally:
        engine.close()
    assert result.sources[0].removed == 6  # tickets + 2 columns, the view + 1 column, phone
    assert service.entity(tickets) is None
    assert service.entity(phone) is None
    customers = guid(EntityType.TABLE, "crm", "main", "customers")
    assert [c.name for c in service.children(customers)] == ["id", "email"]
    names = {e.name for e in service.entities()}
    assert "tickets" not in names
    assert "phone" not in names
    assert not any(t.name == "tickets" for t in service.snapshot().tables("crm", "main"))


class BrokenConnector:
    """A connector whose engine is down: every metadata read fails."""

    name = "trino"
    dialect = "trino"

    def catalogs(self) -> list[CatalogInfo]:
        return [CatalogInfo("warehouse", "trino")]

    def refresh_metadata(self) -> list[CatalogInfo]:
        raise ConnectorError("unavailable", "no Trino cluster is healthy")

    def unavailable(self) -> dict[str, str]:
        return {"warehouse": "no Trino cluster is healthy"}

    def problems(self) -> dict[str, str]:
        return {}


def test_a_failing_source_is_reported_and_the_others_are_harvested(
    service: CatalogService, lake: Path, crm: Path
) -> None:
    crm_copy = crm.with_name("crm2.sqlite")
    crm_copy.write_bytes(crm.read_bytes())
    engine = DuckDBConnector([lake_source(lake), SqliteSource("crm", crm_copy)])
    try:
        service.refresh([engine])
        before = service.entity(guid(EntityType.TABLE, "crm", "main", "customers"))
        crm_copy.unlink()  # the SQLite file is gone
        result = service.refresh([BrokenConnector(), engine])  # type: ignore[list-item]
    finally:
        engine.close()
    statuses = {s.name: (s.status, s.message) for s in result.sources}
    assert statuses["warehouse"] == ("failed", "no Trino cluster is healthy")
    assert statuses["lake"][0] == "ok"
    assert [s.name for s in result.failed] == ["warehouse", "crm"]
    assert statuses["crm"][1]
    assert "crm2.sqlite" not in statuses["crm"][1]
    # what the failing source had is kept
    assert service.entity(guid(EntityType.TABLE, "crm", "main", "customers")) == before
    assert service.snapshot().table("crm", "main", "customers") is not None


def test_a_configured_table_that_does_not_exist_is_reported(service: CatalogService, lake: Path) -> None:
    source = FilesSource(
        "lake",
        (
            *lake_source(lake).tables,
            FileTable("sales", "returns", lake / "sales" / "returns.parquet", "parquet"),
        ),
    )
    engine = DuckDBConnector([source])
    try:
        result = service.refresh([engine])
    finally:
        engine.close()
    (lake_result,) = result.sources
    assert lake_result.status == "partial"
    assert lake_result.message is not None
    assert "lake.sales.returns" in lake_result.message
    assert str(lake) not in lake_result.message  # no path
    assert service.entity(guid(EntityType.TABLE, "lake", "sales", "orders")) is not None


def test_curation_overlays_the_harvest_and_survives_it(service: CatalogService, lake: Path) -> None:
    engine = DuckDBConnector([lake_source(lake)])
    try:
        service.refresh([engine])
        orders = guid(EntityType.TABLE, "lake", "sales", "orders")
        service.update(orders, user="steward", description="Curated orders", owners=["sales-team"])
        service.add_classification(orders, "PII", user="steward", attributes={"level": "high"})
        term = service.create_term("Order", glossary="sales", synonyms=["purchase"])
        assert service.assign_term(orders, term.guid) is True
        # the source changes: a new file in the folder, a new row count
        write_parquet(
            lake / "sales" / "orders.parquet", "SELECT i AS id, i * 2.5 AS total FROM range(20) t(i)"
        )
        result = service.refresh([engine])
    finally:
        engine.close()
    assert result.sources[0].changed == 1
    merged = service.entity(orders)
    assert merged is not None
    assert merged.row_count == 20
    assert merged.description == "Curated orders"
    assert merged.owners == ("sales-team",)
    assert merged.terms == (term.guid,)
    assert merged.classification_names == ("PII",)
    # back to the source's comment
    assert service.update(orders, user="steward", description=None).description == "Orders, one per row"


def test_classifications_propagate_to_columns_and_along_lineage(service: CatalogService, lake: Path) -> None:
    engine = DuckDBConnector([lake_source(lake)])
    try:
        service.refresh([engine])
    finally:
        engine.close()
    orders = guid(EntityType.TABLE, "lake", "sales", "orders")
    order_id = guid(EntityType.COLUMN, "lake", "sales", "orders", "id")
    total = guid(EntityType.COLUMN, "lake", "sales", "orders", "total")
    service.add_classification(orders, "Sales", user="steward")
    service.add_classification(orders, "Internal", user="steward", propagate=False)
    service.add_classification(order_id, "PII", user="steward")
    service.put_lineage("copy id", [(order_id, total)], sql="SELECT id AS total FROM orders")
    id_tags = {c.name: c.propagated_from for c in service.entity(order_id).classifications}  # type: ignore[union-attr]
    assert id_tags == {"PII": None, "Sales": orders}
    total_tags = {c.name: c.propagated_from for c in service.entity(total).classifications}  # type: ignore[union-attr]
    assert total_tags == {"PII": order_id, "Sales": orders}
    assert service.tags() == {
        "lake.sales.orders": ["Internal", "Sales"],
        "lake.sales.orders.id": ["PII", "Sales"],
        "lake.sales.orders.total": ["PII", "Sales"],
    }
    assert service.remove_classification(order_id, "PII") is True
    assert service.tags()["lake.sales.orders.total"] == ["Sales"]


def test_curation_of_an_unknown_entity_is_refused(service: CatalogService) -> None:
    with pytest.raises(UnknownEntity):
        service.update("no-such-guid", user="steward", description="x")
    with pytest.raises(UnknownEntity):
        service.put_lineage("p", [("a", "b")])


def test_popularity_counts_reach_tables(service: CatalogService, lake: Path) -> None:
    engine = DuckDBConnector([lake_source(lake)])
    try:
        service.refresh([engine])
    finally:
        engine.close()
    version = service.version
    service.set_popularity({"LAKE.sales.orders": 7})
    assert service.version != version
    assert service.entity(guid(EntityType.TABLE, "lake", "sales", "orders")).popularity == 7  # type: ignore[union-attr]


def test_a_catalog_no_longer_served_is_removed(service: CatalogService, lake: Path, crm: Path) -> None:
    both = DuckDBConnector([lake_source(lake), SqliteSource("crm", crm)])
    only_lake = DuckDBConnector([lake_source(lake)])
    try:
        service.refresh([both])
        result = service.refresh([only_lake])
    finally:
        both.close()
        only_lake.close()
    removed = [s for s in result.sources if s.status == "removed"]
    assert [(s.name, s.removed) for s in removed] == [("crm", 11)]
    assert {e.path.catalog for e in service.entities() if e.path.catalog} == {"lake"}


def test_a_configured_root_folder_that_does_not_exist_is_reported(
    service: CatalogService, tmp_path: Path
) -> None:
    engine = DuckDBConnector([FilesSource("lake", (), None, tmp_path / "no-such-folder")])
    try:
        (result,) = service.refresh([engine]).sources
    finally:
        engine.close()
    assert (result.status, result.message) == (
        "partial",
        "lake.root: the configured root folder does not exist",
    )


def test_a_store_that_fails_is_reported_and_the_planner_keeps_its_metadata(
    service: CatalogService, lake: Path
) -> None:
    engine = DuckDBConnector([lake_source(lake)])
    try:
        service.store.close()  # the store is gone (a PostgreSQL store whose server went away)
        result = service.refresh([engine])
    finally:
        engine.close()
    assert [(s.name, s.status, s.message) for s in result.sources] == [
        ("lake", "failed", "the catalog store failed (StoreError)")
    ]
    assert result.version == "unknown"
    assert service.snapshot().table("lake", "sales", "orders") is not None
