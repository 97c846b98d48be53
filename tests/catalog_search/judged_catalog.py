"""A small judged catalog: the entities the search suite's expectations are written against."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from catalog.model import (
    Classification,
    Entity,
    EntityType,
    GlossaryTerm,
    LineageEdge,
    ResourcePath,
    entity_guid,
    qualified_name,
)

INSTANCE = "lakegate"
REVENUE_TERM = GlossaryTerm(
    guid=entity_guid(EntityType.GLOSSARY_TERM, "Revenue@default"),
    name="Revenue",
    short_description="Money earned from sales before costs",
    synonyms=("turnover",),
)


def _entity(
    etype: EntityType,
    source: str,
    catalog: str,
    schema: str | None = None,
    table: str | None = None,
    column: str | None = None,
    **attrs: object,
) -> Entity:
    qn = qualified_name(INSTANCE, catalog, schema, table, column)
    name = column or table or schema or catalog
    parent: str | None = None
    if column is not None:
        parent = entity_guid(
            attrs.pop("parent_type", EntityType.TABLE), qualified_name(INSTANCE, catalog, schema, table)
        )  # type: ignore[arg-type]
    elif table is not None:
        parent = entity_guid(EntityType.SCHEMA, qualified_name(INSTANCE, catalog, schema))
    elif schema is not None:
        parent = entity_guid(EntityType.CATALOG, qualified_name(INSTANCE, catalog))
    return Entity(
        guid=entity_guid(etype, qn),
        type=etype,
        qualified_name=qn,
        name=name,
        source=source,
        path=ResourcePath(catalog, schema, table, column),
        parent_guid=parent,
        **attrs,  # type: ignore[arg-type]
    )


def table(
    source: str,
    catalog: str,
    schema: str,
    name: str,
    columns: Sequence[tuple[str, str | None]],
    *,
    view: bool = False,
    pii: Iterable[str] = (),
    **attrs: object,
) -> list[Entity]:
    etype = EntityType.VIEW if view else EntityType.TABLE
    pii = set(pii)
    out = [_entity(etype, source, catalog, schema, name, **attrs)]
    for pos, (col, desc) in enumerate(columns, 1):
        tags = (Classification("PII"),) if col in pii else ()
        out.append(
            _entity(
                EntityType.COLUMN,
                source,
                catalog,
                schema,
                name,
                col,
                description=desc,
                position=pos,
                data_type="varchar",
                classifications=tags,
                parent_type=etype,
            )
        )
    return out


def judged_entities() -> list[Entity]:
    e: list[Entity] = []
    for cat, src in (("sales", "lake"), ("crm", "crmdb")):
        e.append(_entity(EntityType.CATALOG, src, cat, description=f"the {cat} catalog"))
    for cat, sch, src in (
        ("sales", "public", "lake"),
        ("sales", "legacy", "lake"),
        ("sales", "finance", "lake"),
        ("crm", "main", "crmdb"),
    ):
        e.append(_entity(EntityType.SCHEMA, src, cat, sch))
    lake = {"storage_format": "parquet", "location": "/data/lake"}
    e += table(
        "lake",
        "sales",
        "public",
        "orders",
        [
            ("order_id", "Order number"),
            ("customer_id", None),
            ("order_date", None),
            ("total_amount", "Order total in euros"),
        ],
        description="Customer orders, one row per order",
        owners=("sales-team",),
        popularity=300,
        **lake,
    )
    e += table(
        "lake",
        "sales",
        "public",
        "order_items",
        [("order_id", None), ("product_id", None), ("quantity", "How many units were ordered")],
        description="Lines of each order",
        popularity=120,
        **lake,
    )
    e += table(
        "lake",
        "sales",
        "legacy",
        "orderItems",
        [("itemId", None), ("unitPrice", "Price of one unit")],
        description="Line items from the old shop",
        **lake,
    )
    e += table(
        "lake",
        "sales",
        "legacy",
        "orders_old",
        [("order_id", None)],
        description="Orders before 2020",
        deprecated=True,
        **lake,
    )
    e += table(
        "lake",
        "sales",
        "public",
        "customers",
        [("customer_id", None), ("email", "Where we write to"), ("full_name", None)],
        description="Shop customers",
        pii=("email",),
        owners=("crm-team",),
        **lake,
    )
    e += table(
        "lake",
        "sales",
        "public",
        "customer_orders_v",
        [("customer_id", None), ("order_count", None)],
        view=True,
        description="Orders per customer",
        **lake,
    )
    e += table(
        "lake",
        "sales",
        "finance",
        "daily_revenue",
        [("day", None), ("revenue", "Revenue of the day")],
        description="Revenue per day",
        popularity=5000,
        terms=(REVENUE_TERM.guid,),
        **lake,
    )
    e += table(
        "lake",
        "sales",
        "finance",
        "revenue_backup",
        [("day", None), ("revenue", "Revenue of the day")],
        description="Revenue per day",
        popularity=0,
        **lake,
    )
    e += table(
        "lake",
        "sales",
        "finance",
        "shipments",
        [("shipment_id", None)],
        description="Parcels sent",
        deprecated=True,
        **lake,
    )
    e += table(
        "lake",
        "sales",
        "legacy",
        "shipments",
        [("shipment_id", None)],
        description="Parcels sent",
        **lake,
    )
    e += table(
        "crmdb",
        "crm",
        "main",
        "customers",
        [
            ("customer_id", None),
            ("national_id", "Passport or national identity number"),
            ("region", None),
            ("segment", None),
        ],
        description="CRM customer master",
        pii=("national_id",),
        owners=("crm-team",),
        storage_format="sqlite",
        location="crm.db",
    )
    e += table(
        "crmdb",
        "crm",
        "main",
        "accounts",
        [("account_id", None), ("balance", None)],
        description="Customer accounts",
        storage_format="sqlite",
        location="crm.db",
    )
    return e


@dataclass
class ListReader:
    """A CatalogReader over a list of entities (tests build entities directly)."""

    items: list[Entity]
    glossary: list[GlossaryTerm] = field(default_factory=lambda: [REVENUE_TERM])
    generation: int = 0

    @property
    def version(self) -> str:
        return f"v{self.generation}"

    def entity(self, guid: str) -> Entity | None:
        return next((e for e in self.items if e.guid == guid), None)

    def entities(self) -> Iterable[Entity]:
        return iter(self.items)

    def children(self, guid: str) -> Sequence[Entity]:
        return [e for e in self.items if e.parent_guid == guid]

    def terms(self) -> Sequence[GlossaryTerm]:
        return self.glossary

    def lineage_edges(self) -> Sequence[LineageEdge]:
        return []

    def replace(self, items: list[Entity]) -> None:
        self.items = items
        self.generation += 1

    def edit(self, guid: str, **changes: object) -> None:
        self.replace([replace(e, **changes) if e.guid == guid else e for e in self.items])  # type: ignore[arg-type]


def by_name(entities: Iterable[Entity], key: str, etype: EntityType | None = None) -> Entity:
    """The entity whose path key is ``key`` (``sales.public.orders``)."""
    found = [e for e in entities if e.path.key() == key and (etype is None or e.type is etype)]
    assert len(found) == 1, (key, found)
    return found[0]
