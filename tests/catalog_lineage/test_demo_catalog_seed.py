"""The demo's catalog.yaml: it parses, names only what the demo serves, tags what the policies mask."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlglot.schema import MappingSchema

from catalog.curation_seed import SeedError, load_seed, parse_seed
from catalog.glossary_terms import term_guid
from catalog.lineage import propagate_classifications
from catalog.model import EntityType, entity_guid, qualified_name
from gateway.demo.catalog_seed import SEED_NAME, demo_catalog_seed, masked_crm_columns
from gateway.demo.lake_tables import LAKE_SCHEMA, LAKE_TABLES
from gateway.demo.tpch import TABLES

INSTANCE = "lakegate"


def demo_columns(demo_dir: Path) -> dict[str, dict[str, dict[str, dict[str, str]]]]:
    """catalog -> schema -> table -> column -> type, read from the files the demo wrote."""
    crm: dict[str, dict[str, str]] = {}
    with sqlite3.connect(demo_dir / "crm" / "crm.sqlite") as con:
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            crm[table] = {row[1]: row[2] or "varchar" for row in con.execute(f"PRAGMA table_info({table})")}
    lake = {t.name: dict.fromkeys(t.columns, "varchar") for t in LAKE_TABLES}
    return {"crm": {"main": crm}, "lake": {LAKE_SCHEMA: lake}, "tpch": {"tiny": {t: {} for t in TABLES}}}


def test_the_demo_writes_a_seed_that_parses(demo_dir: Path) -> None:
    seed = load_seed(demo_dir / SEED_NAME)
    assert {t.name for t in seed.terms} >= {"Customer", "Personal data", "Vessel", "UN/LOCODE"}
    assert all(t.guid == term_guid(t.name, "Shipping") for t in seed.terms)
    assert len(seed.queries) == 2
    assert seed == parse_seed(demo_catalog_seed())


def test_pii_is_on_exactly_the_crm_columns_the_policies_mask(demo_dir: Path) -> None:
    seed = load_seed(demo_dir / SEED_NAME)
    pii = {
        ".".join(p for p in (e.path.catalog, e.path.schema, e.path.table, e.path.column) if p)
        for e in seed.entities
        if any(c.name == "PII" for c in e.curation.classifications)
    }
    expected = {f"crm.main.customers.{c}" for c in ("full_name", "email", "phone", "national_id", "country")}
    assert set(masked_crm_columns()) == expected
    assert pii == expected
    personal = term_guid("Personal data", "Shipping")
    assert all(
        personal in e.curation.terms for e in seed.entities if e.curation.classifications and e.path.column
    )


def test_every_seed_entity_exists_in_the_demo(demo_dir: Path) -> None:
    columns = demo_columns(demo_dir)
    seed = load_seed(demo_dir / SEED_NAME)
    assert seed.entities
    for entity in seed.entities:
        p = entity.path
        assert p.catalog in columns, p
        if p.schema is not None:
            assert p.table is None or p.table in columns[p.catalog][p.schema], p
        if p.column is not None:
            assert p.table is not None
            assert p.column in columns[p.catalog][p.schema][p.table], p
    owned = {e.path.table for e in seed.entities if e.type is EntityType.TABLE and e.curation.owners}
    assert owned >= {"customers", "contracts", "support_tickets", "vessels", "voyages", "port_calls"}


def test_registered_queries_give_lineage_over_the_demo_and_propagate_no_pii(demo_dir: Path) -> None:
    seed = load_seed(demo_dir / SEED_NAME)
    schema = MappingSchema(demo_columns(demo_dir), dialect="trino", normalize=False)
    derived = seed.lineage(schema, INSTANCE)
    edges = [e for d in derived for e in d.edges]

    def col(*parts: str) -> str:
        return entity_guid(EntityType.COLUMN, qualified_name(INSTANCE, *parts))

    assert any(
        e.input_guid == col("lake", LAKE_SCHEMA, "voyages", "destination_port")
        and e.output_guid == col("lake", LAKE_SCHEMA, "port_calls", "port_id")
        for e in edges
    )
    assert any(e.output_guid == col("crm", "main", "support_tickets", "region") for e in edges)
    # nothing derived from a PII column, so the seed's tags stay where the policies expect them
    assert (
        propagate_classifications(edges, {k: v.classifications for k, v in seed.curations(INSTANCE).items()})
        == {}
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"owners": []}, "unknown key 'owners'"),
        ({"entities": [{"name": "crm.main", "type": "table"}]}, "3 dotted parts"),
        ({"entities": [{"name": "crm.main.customers", "type": "bucket"}]}, "unknown type"),
        ({"entities": [{"name": "crm.main.customers", "terms": ["Nope"]}]}, "not in the glossary"),
        ({"entities": [{"name": "crm.main.customers", "colour": "red"}]}, "unknown key 'colour'"),
        ({"entities": [{"name": "crm.main.customers", "deprecated": "yes"}]}, "true or false"),
        ({"queries": [{"name": "q"}]}, "needs a name and its sql"),
        ({"glossary": {"name": "G", "terms": [{"short_description": "x"}]}}, "needs a name"),
    ],
)
def test_a_bad_seed_is_refused_with_its_place(data: object, message: str) -> None:
    with pytest.raises(SeedError, match=message):
        parse_seed(data)
