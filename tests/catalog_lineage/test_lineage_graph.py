"""The Atlas-shaped lineage graph: direction, depth, and nothing the caller may not see."""

from __future__ import annotations

from typing import Any

import pytest
from sqlglot.schema import MappingSchema

from catalog.lineage import Direction, LineageNotFound, lineage, query_lineage
from catalog.model import (
    Classification,
    Curation,
    Entity,
    EntityType,
    GlossaryTerm,
    entity_guid,
    qualified_name,
)
from tests.catalog_lineage.memory_catalog import MemoryCatalog, harvest_tree

INSTANCE = "lg"
TREE = {
    "crm": {
        "main": {
            "customers": [("customer_id", "integer"), ("email", "varchar"), ("region", "varchar")],
            "contacts": [("customer_id", "integer"), ("email_upper", "varchar")],
            "mailing": [("address", "varchar")],
        }
    }
}
VIEWS = {
    "crm.main.contacts": "CREATE VIEW crm.main.contacts AS SELECT customer_id, upper(email) AS email_upper FROM crm.main.customers",
    "crm.main.mailing": "CREATE VIEW crm.main.mailing AS SELECT lower(email_upper) AS address FROM crm.main.contacts",
}


def g(kind: EntityType, *parts: str) -> str:
    return entity_guid(kind, qualified_name(INSTANCE, *parts))


EMAIL = g(EntityType.COLUMN, "crm", "main", "customers", "email")
UPPER = g(EntityType.COLUMN, "crm", "main", "contacts", "email_upper")
ADDRESS = g(EntityType.COLUMN, "crm", "main", "mailing", "address")
CUSTOMERS = g(EntityType.TABLE, "crm", "main", "customers")
CONTACTS = g(EntityType.VIEW, "crm", "main", "contacts")
MAILING = g(EntityType.VIEW, "crm", "main", "mailing")
TERM = GlossaryTerm(entity_guid(EntityType.GLOSSARY_TERM, "E-mail address@default"), "E-mail address")


@pytest.fixture(scope="module")
def catalog() -> MemoryCatalog:
    mapping = {"crm": {"main": {t: dict(cols) for t, cols in TREE["crm"]["main"].items()}}}
    schema = MappingSchema(mapping, dialect="trino", normalize=False)
    views = {("crm", "main", "contacts"), ("crm", "main", "mailing")}

    def kind(c: str, s: str, t: str) -> EntityType:
        return EntityType.VIEW if (c, s, t) in views else EntityType.TABLE

    harvested = harvest_tree(INSTANCE, TREE, views=VIEWS)
    edges = []
    for name, sql in VIEWS.items():
        d = query_lineage(sql, schema, instance=INSTANCE, name=name, source="crm", dataset_type=kind)
        harvested.append(d.process)
        edges.extend(d.edges)
    curations = {
        EMAIL: Curation(classifications=(Classification("PII"),), terms=(TERM.guid,), owners=("dpo",))
    }
    return MemoryCatalog(harvested, curations, [TERM], edges)


def everyone(entity: Entity) -> bool:
    return True


def process_of(view: str) -> str:
    return entity_guid(
        EntityType.PROCESS, qualified_name(INSTANCE, "crm", "main", view) + f":query:crm.main.{view}"
    )


def test_output_lineage_of_a_column_crosses_one_process_per_level(catalog: MemoryCatalog) -> None:
    one = lineage(catalog, EMAIL, Direction.OUTPUT, 1, everyone)
    assert one["baseEntityGuid"] == EMAIL
    assert one["lineageDirection"] == "OUTPUT"
    assert one["lineageDepth"] == 1
    assert set(one["guidEntityMap"]) == {EMAIL, process_of("contacts"), UPPER}
    assert [(r["fromEntityId"], r["toEntityId"]) for r in one["relations"]] == [
        (EMAIL, process_of("contacts")),
        (process_of("contacts"), UPPER),
    ]
    two = lineage(catalog, EMAIL, Direction.OUTPUT, 2, everyone)
    assert set(two["guidEntityMap"]) == {EMAIL, process_of("contacts"), UPPER, process_of("mailing"), ADDRESS}
    assert all(r["relationshipId"] for r in two["relations"])
    assert len({r["relationshipId"] for r in two["relations"]}) == len(two["relations"]) == 4


def test_input_and_both(catalog: MemoryCatalog) -> None:
    up = lineage(catalog, ADDRESS, Direction.INPUT, 3, everyone)
    assert set(up["guidEntityMap"]) == {ADDRESS, process_of("mailing"), UPPER, process_of("contacts"), EMAIL}
    assert (UPPER, process_of("mailing")) in {(r["fromEntityId"], r["toEntityId"]) for r in up["relations"]}
    both = lineage(catalog, UPPER, Direction.BOTH, 1, everyone)
    assert set(both["guidEntityMap"]) == {
        UPPER,
        process_of("contacts"),
        EMAIL,
        process_of("mailing"),
        ADDRESS,
    }
    assert lineage(catalog, UPPER, Direction.BOTH, 0, everyone)["guidEntityMap"].keys() == {UPPER}


def test_table_level_lineage_and_a_process_as_base(catalog: MemoryCatalog) -> None:
    tables = lineage(catalog, CUSTOMERS, Direction.OUTPUT, 5, everyone)
    assert set(tables["guidEntityMap"]) == {
        CUSTOMERS,
        process_of("contacts"),
        CONTACTS,
        process_of("mailing"),
        MAILING,
    }
    proc = lineage(catalog, process_of("contacts"), Direction.BOTH, 1, everyone)
    assert {(r["fromEntityId"], r["toEntityId"]) for r in proc["relations"]} == {
        (CUSTOMERS, process_of("contacts")),
        (process_of("contacts"), CONTACTS),
    }


def test_headers_are_atlas_shaped_and_never_carry_storage(catalog: MemoryCatalog) -> None:
    answer = lineage(catalog, CUSTOMERS, Direction.OUTPUT, 1, everyone)
    header = answer["guidEntityMap"][CUSTOMERS]
    assert header["typeName"] == "table"
    assert header["attributes"]["qualifiedName"] == "crm.main.customers@lg"
    assert header["status"] == "ACTIVE"
    assert "secret" not in repr(answer)
    assert "parquet" not in repr(answer)
    email = lineage(catalog, EMAIL, Direction.OUTPUT, 1, everyone)["guidEntityMap"]
    assert email[EMAIL]["classificationNames"] == ["PII"]
    assert email[EMAIL]["meaningNames"] == ["E-mail address"]
    assert email[EMAIL]["attributes"]["owners"] == ["dpo"]
    # the derived column carries the propagated PII
    assert email[UPPER]["classificationNames"] == ["PII"]


def test_a_hidden_entity_is_not_shown_and_the_walk_stops_there(catalog: MemoryCatalog) -> None:
    def no_contacts(entity: Entity) -> bool:
        return entity.path.table != "contacts"

    answer = lineage(catalog, EMAIL, Direction.OUTPUT, 5, no_contacts)
    # mailing.address is visible but is reached only through the hidden contacts view
    assert set(answer["guidEntityMap"]) == {EMAIL}
    assert answer["relations"] == []
    tables = lineage(catalog, CUSTOMERS, Direction.OUTPUT, 5, no_contacts)
    assert set(tables["guidEntityMap"]) == {CUSTOMERS}


def test_a_hidden_process_hides_its_step(catalog: MemoryCatalog) -> None:
    def no_processes(entity: Entity) -> bool:
        return entity.type is not EntityType.PROCESS

    answer = lineage(catalog, UPPER, Direction.BOTH, 3, no_processes)
    assert set(answer["guidEntityMap"]) == {UPPER}


def test_missing_and_invisible_bases_give_the_same_answer(catalog: MemoryCatalog) -> None:
    def nothing(entity: Entity) -> bool:
        return False

    with pytest.raises(LineageNotFound) as hidden:
        lineage(catalog, EMAIL, Direction.BOTH, 1, nothing)
    with pytest.raises(LineageNotFound) as missing:
        lineage(catalog, "00000000-0000-0000-0000-000000000000", Direction.BOTH, 1, everyone)
    assert str(hidden.value) == str(missing.value)


def test_depth_out_of_range_is_refused(catalog: MemoryCatalog) -> None:
    with pytest.raises(ValueError, match="depth"):
        lineage(catalog, EMAIL, Direction.BOTH, -1, everyone)
    with pytest.raises(ValueError, match="depth"):
        lineage(catalog, EMAIL, Direction.BOTH, 10_000, everyone)


def test_index_cache_rebuilds_only_when_the_version_moves(catalog: MemoryCatalog) -> None:
    from catalog.lineage import LineageIndexCache

    cache = LineageIndexCache()
    first = cache.get(catalog)
    assert cache.get(catalog) is first
    changed = MemoryCatalog(catalog.entities_harvested(), {}, [], [])
    assert cache.get(changed) is not first
    assert cache.get(changed).by_input == {}
    answer = lineage(catalog, EMAIL, Direction.OUTPUT, 2, everyone, index=cache.get(catalog))
    assert UPPER in answer["guidEntityMap"]


def test_direction_as_text_and_a_bad_direction(catalog: MemoryCatalog) -> None:
    assert lineage(catalog, EMAIL, "OUTPUT", 1, everyone)["lineageDirection"] == "OUTPUT"  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="SIDEWAYS"):
        lineage(catalog, EMAIL, "SIDEWAYS", 1, everyone)  # type: ignore[arg-type]


CUSTOMER_ID = g(EntityType.COLUMN, "crm", "main", "customers", "customer_id")
CONTACTS_ID = g(EntityType.COLUMN, "crm", "main", "contacts", "customer_id")


def _column_pairs(answer: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (r["fromEntityId"], r["toEntityId"], r["processId"]) for r in answer["columnLineage"]["relations"]
    }


def test_column_lineage_links_the_columns_of_the_tables_shown(catalog: MemoryCatalog) -> None:
    assert "columnLineage" not in lineage(catalog, CUSTOMERS, Direction.OUTPUT, 5, everyone)
    answer = lineage(catalog, CUSTOMERS, Direction.OUTPUT, 5, everyone, columns=True)
    assert _column_pairs(answer) == {
        (EMAIL, UPPER, process_of("contacts")),
        (CUSTOMER_ID, CONTACTS_ID, process_of("contacts")),
        (UPPER, ADDRESS, process_of("mailing")),
    }
    columns = answer["columnLineage"]["guidEntityMap"]
    assert set(columns) == {EMAIL, UPPER, CUSTOMER_ID, CONTACTS_ID, ADDRESS}
    assert columns[UPPER]["tableGuid"] == CONTACTS
    assert columns[UPPER]["displayText"] == "email_upper"
    assert columns[UPPER]["attributes"]["dataType"] == "varchar"
    assert columns[UPPER]["classificationNames"] == ["PII"]  # propagated from the e-mail
    assert columns[ADDRESS]["tableGuid"] == MAILING
    ids = [r["relationshipId"] for r in answer["columnLineage"]["relations"]]
    assert len(set(ids)) == len(ids) == 3
    # the table-level graph is the same as without columns
    plain = lineage(catalog, CUSTOMERS, Direction.OUTPUT, 5, everyone)
    assert {k: v for k, v in answer.items() if k != "columnLineage"} == plain


def test_column_lineage_follows_the_table_steps_shown(catalog: MemoryCatalog) -> None:
    # one step up from the mailing view: its column's source, not the source's own source
    up = lineage(catalog, MAILING, Direction.INPUT, 1, everyone, columns=True)
    assert _column_pairs(up) == {(UPPER, ADDRESS, process_of("mailing"))}
    both = lineage(catalog, CONTACTS, Direction.BOTH, 1, everyone, columns=True)
    assert _column_pairs(both) == {
        (EMAIL, UPPER, process_of("contacts")),
        (CUSTOMER_ID, CONTACTS_ID, process_of("contacts")),
        (UPPER, ADDRESS, process_of("mailing")),
    }
    # a column as base walks its own level already: no table steps, no extra column edges
    column = lineage(catalog, UPPER, Direction.BOTH, 1, everyone, columns=True)
    assert column["columnLineage"] == {"guidEntityMap": {}, "relations": []}


def test_column_lineage_shows_nothing_the_caller_may_not_see(catalog: MemoryCatalog) -> None:
    def no_mailing(entity: Entity) -> bool:
        return entity.path.table != "mailing"

    answer = lineage(catalog, CUSTOMERS, Direction.OUTPUT, 5, no_mailing, columns=True)
    assert MAILING not in answer["guidEntityMap"]
    assert ADDRESS not in answer["columnLineage"]["guidEntityMap"]
    assert "mailing" not in repr(answer)
    assert _column_pairs(answer) == {
        (EMAIL, UPPER, process_of("contacts")),
        (CUSTOMER_ID, CONTACTS_ID, process_of("contacts")),
    }

    def no_email(entity: Entity) -> bool:  # a column hidden by itself, its table visible
        return entity.guid != EMAIL

    hidden = lineage(catalog, CONTACTS, Direction.INPUT, 1, no_email, columns=True)
    assert EMAIL not in hidden["columnLineage"]["guidEntityMap"]
    assert _column_pairs(hidden) == {(CUSTOMER_ID, CONTACTS_ID, process_of("contacts"))}
