"""Two gateway instances sharing one store (SQLite file or PostgreSQL schema): what one harvests
or curates, the other reads at once; the second to harvest an unchanged source writes nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb

from catalog.model import EntityType, entity_guid, qualified_name
from catalog.service import CatalogService
from connectors.duckdb.engine import DuckDBConnector
from connectors.duckdb.sources import FilesSource, discover_tables
from tests.catalog.conftest import StoreFactory


def test_two_instances_share_harvest_and_curation(open_store: StoreFactory, tmp_path: Path) -> None:
    root = tmp_path / "lake"
    (root / "sales").mkdir(parents=True)
    duckdb.sql(f"COPY (SELECT 1 AS id) TO '{(root / 'sales' / 'orders.parquet').as_posix()}'")
    first = CatalogService(open_store(), instance="lg")
    second = CatalogService(open_store(), instance="lg")
    engine = DuckDBConnector([FilesSource("lake", tuple(discover_tables(root)))])
    try:
        assert first.refresh([engine]).sources[0].added == 4
        orders = entity_guid(EntityType.TABLE, qualified_name("lg", "lake", "sales", "orders"))
        seen = second.entity(orders)
        assert seen is not None
        assert seen.description is None
        (again,) = second.refresh([engine]).sources
        assert again.unchanged is True
        first.update(orders, user="steward", description="Orders")
        first.add_classification(orders, "Finance", user="steward")
        curated = second.entity(orders)  # the shared version moved: the other instance's cache is stale
        assert curated is not None
        assert curated.description == "Orders"
        assert second.tags() == {"lake.sales.orders": ["Finance"], "lake.sales.orders.id": ["Finance"]}
        assert second.find("LAKE.Sales.Orders.ID") is not None
        assert {r.unit for r in second.runs()} >= {"lake"}
    finally:
        engine.close()
