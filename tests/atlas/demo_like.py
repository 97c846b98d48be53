"""A demo-like catalog for Atlas tests: CRM and lake, PII tags, glossary terms, a view with lineage."""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.schema import MappingSchema

from catalog.atlas import term_guid
from catalog.lineage import query_lineage
from catalog.model import (
    Classification,
    Curation,
    EntityType,
    GlossaryTerm,
    HarvestedEntity,
    LineageEdge,
    entity_guid,
    qualified_name,
)
from tests.catalog_lineage.memory_catalog import MemoryCatalog, harvest_tree

INSTANCE = "lakegate"
TREE = {
    "crm": {
        "main": {
            "customers": [
                ("customer_id", "integer"),
                ("full_name", "varchar"),
                ("email", "varchar"),
                ("phone", "varchar"),
                ("region", "varchar"),
            ],
            "contracts": [
                ("contract_id", "integer"),
                ("customer_id", "integer"),
                ("value_eur", "decimal(14,2)"),
            ],
            "customer_contacts": [
                ("customer_id", "integer"),
                ("contact", "varchar"),
                ("total_eur", "decimal(38,2)"),
            ],
        }
    },
    "lake": {"shipping": {"vessels": [("vessel_id", "integer"), ("name", "varchar")]}},
}
VIEW_SQL = """CREATE VIEW crm.main.customer_contacts AS
SELECT c.customer_id, coalesce(c.email, c.phone) AS contact, sum(k.value_eur) AS total_eur
FROM crm.main.customers c JOIN crm.main.contracts k ON k.customer_id = c.customer_id
GROUP BY 1, 2"""
CUSTOMER = GlossaryTerm(
    term_guid("Customer", "Shipping"),
    "Customer",
    "Shipping",
    "A party that charters vessels",
    "Anyone with a contract.",
    ("client", "shipper"),
)
CONTACT = GlossaryTerm(
    term_guid("Contact details", "Shipping"), "Contact details", "Shipping", "E-mail or phone"
)


def col(table: str, column: str, catalog: str = "crm", schema: str = "main") -> str:
    return entity_guid(EntityType.COLUMN, qualified_name(INSTANCE, catalog, schema, table, column))


def demo_like() -> tuple[list[HarvestedEntity], dict[str, Curation], list[GlossaryTerm], list[LineageEdge]]:
    harvested = harvest_tree(INSTANCE, TREE, views={"crm.main.customer_contacts": VIEW_SQL})
    mapping = {
        c: {s: {t: dict(cols) for t, cols in ts.items()} for s, ts in ss.items()} for c, ss in TREE.items()
    }
    schema = MappingSchema(mapping, dialect="trino", normalize=False)
    derived = query_lineage(
        VIEW_SQL,
        schema,
        instance=INSTANCE,
        name="customer contacts",
        source="crm",
        dataset_type=lambda c, s, t: EntityType.VIEW if t == "customer_contacts" else EntityType.TABLE,
    )
    harvested.append(derived.process)
    pii = Classification("PII", {"kind": "contact"})
    customers = entity_guid(EntityType.TABLE, qualified_name(INSTANCE, "crm", "main", "customers"))
    curations = {
        customers: Curation(
            description="Customers with personal data", owners=("crm-team", "dpo"), terms=(CUSTOMER.guid,)
        ),
        col("customers", "email"): Curation(classifications=(pii,), terms=(CONTACT.guid,)),
        col("customers", "phone"): Curation(
            classifications=(pii, Classification("Sensitive", propagate=False))
        ),
        col("vessels", "name", "lake", "shipping"): Curation(description="Registered vessel name"),
    }
    return harvested, curations, [CUSTOMER, CONTACT], list(derived.edges)


def demo_catalog() -> MemoryCatalog:
    harvested, curations, terms, edges = demo_like()
    return MemoryCatalog(harvested, curations, terms, edges)


class RecordingSink:
    """An ImportSink that keeps what it is given (the store's part in these tests)."""

    def __init__(self) -> None:
        self.sources: dict[str, list[HarvestedEntity]] = {}
        self.curations: dict[str, Curation] = {}
        self.terms: dict[str, GlossaryTerm] = {}
        self.lineage: dict[str, list[LineageEdge]] = {}

    def replace_source(self, source: str, entities: Sequence[HarvestedEntity]) -> None:
        self.sources[source] = list(entities)

    def set_curation(self, guid: str, curation: Curation) -> None:
        self.curations[guid] = curation

    def put_terms(self, terms: Sequence[GlossaryTerm]) -> None:
        self.terms.update({t.guid: t for t in terms})

    def replace_lineage(self, source: str, edges: Sequence[LineageEdge]) -> None:
        self.lineage[source] = list(edges)
