"""Column-level lineage from SQL: which stored columns each output column is computed from."""

from __future__ import annotations

import pytest
from sqlglot.schema import MappingSchema

from catalog.lineage import LineageError, TableRef, query_lineage, view_lineage
from catalog.model import EntityType, HarvestedEntity, ResourcePath, entity_guid, qualified_name

INSTANCE = "lg"
SCHEMA = MappingSchema(
    {
        "crm": {
            "main": {
                "customers": {
                    "customer_id": "integer",
                    "full_name": "varchar",
                    "email": "varchar",
                    "region": "varchar",
                },
                "contracts": {
                    "contract_id": "integer",
                    "customer_id": "integer",
                    "value_eur": "decimal(14,2)",
                },
                "customer_emails": {"customer_id": "integer", "email": "varchar"},
            }
        },
        "lake": {
            "shipping": {
                "voyages": {"voyage_id": "integer", "destination_port": "varchar", "arrived_at": "timestamp"},
                "port_calls": {
                    "call_id": "integer",
                    "voyage_id": "integer",
                    "port_id": "varchar",
                    "arrived_at": "timestamp",
                },
            }
        },
    },
    dialect="trino",
    normalize=False,
)


def col(cat: str, sch: str, tbl: str, name: str) -> str:
    return entity_guid(EntityType.COLUMN, qualified_name(INSTANCE, cat, sch, tbl, name))


def table(cat: str, sch: str, tbl: str, kind: EntityType = EntityType.TABLE) -> str:
    return entity_guid(kind, qualified_name(INSTANCE, cat, sch, tbl))


def column_sources(derived, cat: str, sch: str, tbl: str) -> dict[str, set[str]]:
    """output column name -> input column guids."""
    by_guid = {col(cat, sch, tbl, c): c for c in derived.output_columns}
    out: dict[str, set[str]] = {c: set() for c in derived.output_columns}
    for e in derived.edges:
        if e.output_guid in by_guid:
            out[by_guid[e.output_guid]].add(e.input_guid)
    return out


def test_create_view_follows_columns_through_ctes_joins_and_aggregates() -> None:
    sql = """
    CREATE VIEW crm.main.customer_value AS
    WITH k AS (SELECT customer_id, value_eur FROM crm.main.contracts)
    SELECT c.customer_id, upper(c.email) AS email_upper, sum(k.value_eur) AS total, count(*) AS n
    FROM crm.main.customers c JOIN k ON k.customer_id = c.customer_id
    WHERE c.region = 'EMEA' GROUP BY 1, 2
    """
    d = query_lineage(sql, SCHEMA, instance=INSTANCE, name="customer value", source="crm")
    assert d.output == TableRef("crm", "main", "customer_value")
    assert d.output_columns == ("customer_id", "email_upper", "total", "n")
    assert column_sources(d, "crm", "main", "customer_value") == {
        "customer_id": {col("crm", "main", "customers", "customer_id")},
        "email_upper": {col("crm", "main", "customers", "email")},
        "total": {col("crm", "main", "contracts", "value_eur")},
        "n": set(),
    }
    assert d.constant_columns == ("n",)
    view = table("crm", "main", "customer_value", EntityType.VIEW)
    table_edges = {(e.input_guid, e.output_guid) for e in d.edges if e.output_guid == view}
    # customers is read for a filter and a join too; both tables feed the view
    assert table_edges == {
        (table("crm", "main", "customers"), view),
        (table("crm", "main", "contracts"), view),
    }
    assert {e.process_guid for e in d.edges} == {d.process.guid}
    assert d.process.type is EntityType.PROCESS
    assert d.process.name == "customer value"
    assert d.process.view_sql is not None
    assert "customer_value" in d.process.view_sql
    assert d.process.path == ResourcePath("crm", "main", "customer_value")


def test_same_sql_gives_the_same_process_guid_and_a_different_name_another() -> None:
    sql = "CREATE VIEW crm.main.v AS SELECT email FROM crm.main.customers"
    a = query_lineage(sql, SCHEMA, instance=INSTANCE, name="q", source="crm")
    b = query_lineage(sql, SCHEMA, instance=INSTANCE, name="q", source="crm")
    c = query_lineage(sql, SCHEMA, instance=INSTANCE, name="other", source="crm")
    assert a.process.guid == b.process.guid != c.process.guid
    assert a.edges == b.edges


def test_insert_maps_columns_by_position_to_its_column_list() -> None:
    sql = """INSERT INTO lake.shipping.port_calls (voyage_id, port_id, arrived_at)
             SELECT voyage_id, destination_port, arrived_at FROM lake.shipping.voyages"""
    d = query_lineage(sql, SCHEMA, instance=INSTANCE, name="port calls from voyages", source="lake")
    assert column_sources(d, "lake", "shipping", "port_calls") == {
        "voyage_id": {col("lake", "shipping", "voyages", "voyage_id")},
        "port_id": {col("lake", "shipping", "voyages", "destination_port")},
        "arrived_at": {col("lake", "shipping", "voyages", "arrived_at")},
    }
    # an INSERT target is a table unless dataset_type says otherwise
    assert (table("lake", "shipping", "voyages"), table("lake", "shipping", "port_calls")) in {
        (e.input_guid, e.output_guid) for e in d.edges
    }


def test_insert_without_a_column_list_takes_the_targets_columns() -> None:
    sql = "INSERT INTO crm.main.customer_emails SELECT customer_id, lower(email) FROM crm.main.customers"
    d = query_lineage(sql, SCHEMA, instance=INSTANCE, name="emails", source="crm")
    assert d.output_columns == ("customer_id", "email")
    assert column_sources(d, "crm", "main", "customer_emails")["email"] == {
        col("crm", "main", "customers", "email")
    }


def test_union_takes_columns_from_every_branch() -> None:
    sql = """CREATE VIEW crm.main.all_ids AS
             SELECT customer_id AS id FROM crm.main.customers UNION ALL SELECT contract_id FROM crm.main.contracts"""
    d = query_lineage(sql, SCHEMA, instance=INSTANCE, name="ids", source="crm")
    assert column_sources(d, "crm", "main", "all_ids") == {
        "id": {col("crm", "main", "customers", "customer_id"), col("crm", "main", "contracts", "contract_id")}
    }


def test_view_lineage_resolves_names_in_the_views_schema_and_takes_its_column_names() -> None:
    view = HarvestedEntity(
        EntityType.VIEW,
        qualified_name(INSTANCE, "crm", "main", "contacts"),
        "contacts",
        "crm",
        ResourcePath("crm", "main", "contacts"),
        view_sql="SELECT full_name, email FROM customers WHERE region = 'EMEA'",
    )
    d = view_lineage(view, SCHEMA, columns=["name", "mail"])
    assert column_sources(d, "crm", "main", "contacts") == {
        "name": {col("crm", "main", "customers", "full_name")},
        "mail": {col("crm", "main", "customers", "email")},
    }
    view_guid = view.guid
    assert {(e.input_guid, e.output_guid) for e in d.edges if e.output_guid == view_guid} == {
        (table("crm", "main", "customers"), view_guid)
    }
    assert d.process.source == "crm"


def test_view_over_a_view_uses_the_views_guid_when_dataset_type_knows_it() -> None:
    views = {("crm", "main", "customer_emails")}

    def kind(c: str, s: str, t: str) -> EntityType:
        return EntityType.VIEW if (c, s, t) in views else EntityType.TABLE

    sql = "CREATE VIEW crm.main.v2 AS SELECT email FROM crm.main.customer_emails"
    d = query_lineage(sql, SCHEMA, instance=INSTANCE, name="v2", source="crm", dataset_type=kind)
    assert (
        table("crm", "main", "customer_emails", EntityType.VIEW),
        table("crm", "main", "v2", EntityType.VIEW),
    ) in {(e.input_guid, e.output_guid) for e in d.edges}


def test_bare_query_needs_a_target() -> None:
    with pytest.raises(LineageError, match="target"):
        query_lineage(
            "SELECT email FROM crm.main.customers", SCHEMA, instance=INSTANCE, name="q", source="crm"
        )
    d = query_lineage(
        "SELECT email FROM crm.main.customers",
        SCHEMA,
        instance=INSTANCE,
        name="q",
        source="crm",
        target=TableRef("crm", "main", "customer_emails"),
    )
    assert d.output_columns == ("email",)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM crm.main.customers", "lineage needs"),
        ("CREATE VIEW crm.main.v AS SELECT 1 AS a; CREATE VIEW crm.main.w AS SELECT 2 AS b", "exactly one"),
        (
            "CREATE VIEW crm.main.v AS SELECT secret FROM crm.main.hidden_table",
            "unknown table crm.main.hidden_table",
        ),
        (
            "INSERT INTO crm.main.customer_emails (email) SELECT customer_id, email FROM crm.main.customers",
            "columns",
        ),
        ("CREATE VIEW v AS SELECT email FROM crm.main.customers", "catalog.schema.table"),
        ("SELEC email FROM", "parse"),
    ],
)
def test_refused_sql_says_why(sql: str, message: str) -> None:
    with pytest.raises(LineageError, match=message):
        query_lineage(sql, SCHEMA, instance=INSTANCE, name="q", source="crm")


def test_a_registered_query_needs_a_name() -> None:
    with pytest.raises(LineageError, match="name"):
        query_lineage(
            "CREATE VIEW crm.main.v AS SELECT email FROM crm.main.customers",
            SCHEMA,
            instance=INSTANCE,
            name=" ",
            source="crm",
        )


def test_view_lineage_refuses_a_table() -> None:
    t = HarvestedEntity(
        EntityType.TABLE,
        qualified_name(INSTANCE, "crm", "main", "customers"),
        "customers",
        "crm",
        ResourcePath("crm", "main", "customers"),
    )
    with pytest.raises(LineageError):
        view_lineage(t, SCHEMA)


def test_catalogs_in_different_instances_get_their_own_qualified_names() -> None:
    sql = """CREATE VIEW crm.main.voyage_customers AS
             SELECT v.voyage_id, c.email FROM lake.shipping.voyages v, crm.main.customers c"""
    sources = {"crm": "sqlite-crm", "lake": "files-lake"}
    d = query_lineage(sql, SCHEMA, instance=sources.__getitem__, name="vc", source="crm")
    out = entity_guid(
        EntityType.COLUMN, qualified_name("sqlite-crm", "crm", "main", "voyage_customers", "voyage_id")
    )
    src = entity_guid(
        EntityType.COLUMN, qualified_name("files-lake", "lake", "shipping", "voyages", "voyage_id")
    )
    assert (src, out) in {(e.input_guid, e.output_guid) for e in d.edges}
    assert d.process.qualified_name == "crm.main.voyage_customers@sqlite-crm:query:vc"


def test_a_duckdb_view_definition_in_duckdbs_own_dialect() -> None:
    view = HarvestedEntity(
        EntityType.VIEW,
        qualified_name(INSTANCE, "crm", "main", "recent"),
        "recent",
        "crm",
        ResourcePath("crm", "main", "recent"),
        view_sql="CREATE VIEW main.recent AS SELECT customer_id, email::VARCHAR AS email FROM customers LIMIT 10;",
    )
    d = view_lineage(view, SCHEMA, dialect="duckdb")
    assert column_sources(d, "crm", "main", "recent")["email"] == {col("crm", "main", "customers", "email")}


def test_the_harvested_view_is_the_output_whatever_name_its_sql_uses() -> None:
    view = HarvestedEntity(
        EntityType.VIEW,
        qualified_name(INSTANCE, "crm", "main", "recent"),
        "recent",
        "crm",
        ResourcePath("crm", "main", "recent"),
        view_sql="CREATE VIEW engine_alias_17.main.recent AS SELECT email FROM crm.main.customers",
    )
    d = view_lineage(view, SCHEMA)
    assert d.output == TableRef("crm", "main", "recent")
    assert column_sources(d, "crm", "main", "recent")["email"] == {col("crm", "main", "customers", "email")}
