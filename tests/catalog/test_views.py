"""Views are views everywhere: the embedded engine, the Trino door (SQLAlchemy's inspector) and
the Trino connector (read from a Lakegate standing in for a Trino cluster), and in the catalog."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

from catalog.model import EntityType, entity_guid, qualified_name
from catalog.service import CatalogService
from catalog.store import CatalogStore
from connectors.trino import TrinoCluster, TrinoConnector
from connectors.trino.metadata import TrinoCatalog
from gateway.app import create_app
from gateway.config import parse_config
from tests.server import LiveServer


@pytest.fixture(scope="module")
def views_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A dev-mode Lakegate (no policies) serving a SQLite database with a view, and a lake table
    with a config comment."""
    work = tmp_path_factory.mktemp("views")
    with sqlite3.connect(work / "crm.sqlite") as conn:
        conn.execute("CREATE TABLE tickets (id INTEGER, status TEXT)")
        conn.execute("INSERT INTO tickets VALUES (1, 'open'), (2, 'closed'), (3, 'open')")
        conn.execute("CREATE VIEW open_tickets AS SELECT id FROM tickets WHERE status = 'open'")
    (work / "lake" / "sales").mkdir(parents=True)
    duckdb.sql(f"COPY (SELECT 1 AS id) TO '{(work / 'lake' / 'sales' / 'orders.parquet').as_posix()}'")
    raw = {
        "server": {"dev_mode": True},
        "catalogs": {
            "crm": {"connector": "sqlite", "path": "crm.sqlite"},
            "lake": {
                "connector": "files",
                "tables": [
                    {
                        "schema": "sales",
                        "name": "orders",
                        "path": "lake/sales/orders.parquet",
                        "comment": "Orders",
                    }
                ],
            },
        },
        "catalog": {"refresh_seconds": 0},
    }
    with LiveServer(create_app(parse_config(raw, work / "lakegate.yaml"))) as live:
        yield live


def test_sqlalchemy_lists_views_through_the_trino_door(views_server: LiveServer) -> None:
    host_port = views_server.url.removeprefix("http://")
    engine = sqlalchemy.create_engine(f"trino://ada@{host_port}/crm")
    try:
        inspector = sqlalchemy.inspect(engine)
        assert inspector.get_view_names(schema="main") == ["open_tickets"]
        assert inspector.get_table_names(schema="main") == ["tickets"]
        with engine.connect() as connection:
            rows = connection.execute(sqlalchemy.text("SELECT id FROM main.open_tickets ORDER BY id")).all()
        assert [r[0] for r in rows] == [1, 3]
    finally:
        engine.dispose()


def test_the_trino_connector_harvests_views_and_table_comments(
    views_server: LiveServer, tmp_path: Path
) -> None:
    connector = TrinoConnector(
        [TrinoCluster("standin", views_server.url, user="lakegate_svc")],
        [TrinoCatalog("remote_crm", "crm"), TrinoCatalog("remote_lake", "lake")],
    )
    service = CatalogService(CatalogStore.sqlite(tmp_path / "catalog.sqlite"), instance="lg")
    try:
        info = {c.name: c for c in connector.refresh_metadata()}
        view = info["remote_crm"].schemas["main"]["open_tickets"]
        assert view.kind == "VIEW"
        assert info["remote_crm"].schemas["main"]["tickets"].kind == "BASE TABLE"
        assert info["remote_lake"].schemas["sales"]["orders"].comment == "Orders"
        result = service.refresh([connector])
        assert {s.name: s.status for s in result.sources} == {"remote_crm": "ok", "remote_lake": "ok"}
        entity = service.entity(
            entity_guid(EntityType.VIEW, qualified_name("lg", "remote_crm", "main", "open_tickets"))
        )
        assert entity is not None
        assert [c.name for c in service.children(entity.guid)] == ["id"]
        orders = service.entity(
            entity_guid(EntityType.TABLE, qualified_name("lg", "remote_lake", "sales", "orders"))
        )
        assert orders is not None
        assert orders.description == "Orders"
    finally:
        connector.close()
        service.close()
