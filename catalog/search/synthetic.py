"""A large synthetic catalog for benchmarks: realistic names, descriptions, owners, tags,
popularity and a policy file that lets a typical analyst see about a quarter of it.

Each table brings nine columns, so ``entities(1_000_000)`` is about 100,000 tables. Deterministic
for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence

from catalog.model import (
    Classification,
    Entity,
    EntityType,
    GlossaryTerm,
    LineageEdge,
    ResourcePath,
    entity_guid,
)

INSTANCE = "lakegate"
SOURCES = ("lake", "warehouse", "crm", "erp", "events", "finance")
SCHEMAS_PER_CATALOG = 20
COLUMNS_PER_TABLE = 9
TAGS = ("PII", "PCI", "GDPR", "Confidential", "Public", "Finance", "HR", "Sensitive")
GROUPS = tuple(f"team{i:02d}" for i in range(50))
_PREFIXES = ("fact", "dim", "stg", "raw", "agg", "tmp", "snap", "hist")
_NOUNS = (
    "customer",
    "order",
    "item",
    "product",
    "invoice",
    "payment",
    "shipment",
    "account",
    "session",
    "event",
    "campaign",
    "supplier",
    "warehouse",
    "employee",
    "ticket",
    "refund",
    "subscription",
    "device",
    "region",
    "store",
    "price",
    "discount",
    "inventory",
    "contract",
    "lead",
    "visit",
)
_COLUMN_NOUNS = (
    "id",
    "name",
    "email",
    "created_at",
    "updated_at",
    "amount",
    "status",
    "country",
    "city",
    "quantity",
    "price",
    "currency",
    "phone",
    "birth_date",
    "score",
    "category",
    "channel",
    "ssn",
    "iban",
    "segment",
    "total",
    "tax",
    "weight",
    "source",
    "notes",
)
_WORDS = (
    "daily",
    "monthly",
    "snapshot",
    "of",
    "the",
    "raw",
    "cleaned",
    "events",
    "from",
    "source",
    "system",
    "used",
    "by",
    "finance",
    "marketing",
    "reporting",
    "customer",
    "orders",
    "history",
    "latest",
    "version",
    "per",
    "region",
    "aggregated",
    "joined",
    "with",
    "reference",
    "data",
)


def _table_name(rng: random.Random, n: int) -> str:
    a, b = rng.sample(_NOUNS, 2)
    name = f"{rng.choice(_PREFIXES)}_{a}_{b}s_{n}"
    if rng.random() < 0.15:  # some sources spell identifiers in camelCase
        head, *rest = name.split("_")
        name = head + "".join(p.capitalize() for p in rest)
    return name


def _description(rng: random.Random) -> str | None:
    count = rng.randint(0, 25)
    return " ".join(rng.choice(_WORDS) for _ in range(count)).capitalize() or None


def _entity(
    etype: EntityType, source: str, path: ResourcePath, parent: str | None, **attrs: object
) -> Entity:
    parts = [p for p in (path.catalog, path.schema, path.table, path.column) if p is not None]
    qn = f"{'.'.join(parts)}@{INSTANCE}"
    return Entity(
        guid=entity_guid(etype, qn),
        type=etype,
        qualified_name=qn,
        name=parts[-1],
        source=source,
        path=path,
        parent_guid=parent,
        **attrs,  # type: ignore[arg-type]
    )


def entities(total: int, seed: int = 7) -> Iterator[Entity]:
    """About ``total`` entities: catalogs, schemas, and tables with their columns."""
    rng = random.Random(seed)
    tables = max(1, total // (COLUMNS_PER_TABLE + 1))
    catalogs = max(1, min(60, tables // 200))
    per_catalog = -(-tables // catalogs)
    made = 0
    for c in range(catalogs):
        source = SOURCES[c % len(SOURCES)]
        catalog = f"{source}_{c:02d}"
        cpath = ResourcePath(catalog)
        cat = _entity(EntityType.CATALOG, source, cpath, None, description=f"The {source} catalog {c}")
        yield cat
        schema_entities = []
        for s in range(SCHEMAS_PER_CATALOG):
            spath = ResourcePath(catalog, f"{rng.choice(_NOUNS)}_{s:02d}")
            schema = _entity(EntityType.SCHEMA, source, spath, cat.guid)
            schema_entities.append(schema)
            yield schema
        for _ in range(per_catalog):
            if made >= tables:
                break
            schema = rng.choice(schema_entities)
            tpath = ResourcePath(catalog, schema.path.schema, _table_name(rng, made))
            made += 1
            tags = tuple(Classification(t) for t in rng.sample(TAGS, rng.choice((0, 0, 1, 2))))
            table = _entity(
                EntityType.VIEW if rng.random() < 0.1 else EntityType.TABLE,
                source,
                tpath,
                schema.guid,
                description=_description(rng),
                owners=(f"{rng.choice(GROUPS)}",),
                classifications=tags,
                popularity=int(rng.paretovariate(1.2)) - 1,
                deprecated=rng.random() < 0.03,
                storage_format=rng.choice(("parquet", "csv", "json", "postgres")),
                updated_at=1.7e9 + rng.randint(0, 10**7),
            )
            yield table
            for pos, col in enumerate(rng.sample(_COLUMN_NOUNS, COLUMNS_PER_TABLE), 1):
                column_tags = (Classification("PII"),) if col in ("email", "ssn", "phone", "iban") else ()
                yield _entity(
                    EntityType.COLUMN,
                    source,
                    ResourcePath(catalog, schema.path.schema, tpath.table, col),
                    table.guid,
                    description=_description(rng) if rng.random() < 0.3 else None,
                    position=pos,
                    data_type="varchar",
                    classifications=column_tags,
                )


class StaticCatalog:
    """A CatalogReader over a fixed list of entities (benchmarks, demos)."""

    def __init__(self, items: list[Entity], glossary: list[GlossaryTerm], version: str = "1") -> None:
        self.items = items
        self.glossary = glossary
        self._version = version
        self._by_guid = {e.guid: e for e in items}

    @property
    def version(self) -> str:
        return self._version

    def entity(self, guid: str) -> Entity | None:
        return self._by_guid.get(guid)

    def entities(self) -> Iterable[Entity]:
        return iter(self.items)

    def children(self, guid: str) -> Sequence[Entity]:
        return [e for e in self.items if e.parent_guid == guid]

    def terms(self) -> Sequence[GlossaryTerm]:
        return self.glossary

    def lineage_edges(self) -> Sequence[LineageEdge]:
        return []


def terms() -> list[GlossaryTerm]:
    return [
        GlossaryTerm(entity_guid(EntityType.GLOSSARY_TERM, f"{n}@default"), n.capitalize())
        for n in ("revenue", "churn", "customer", "margin", "order")
    ]


def policies(catalog_names: list[str], seed: int = 7) -> str:
    """A policy file (Lakegate YAML): each group reads a few catalogs or schemas; some deny the
    `ssn` and `iban` columns everywhere, with an exception for one group. An administrator
    ``root`` sees everything."""
    rng = random.Random(seed)
    lines = ["service_name: lakegate", "policies:"]
    pid = 1
    for group in GROUPS:
        for catalog in rng.sample(catalog_names, min(len(catalog_names), 2)):
            lines += [
                f"  - id: {pid}",
                f"    name: {group} reads {catalog}",
                f'    resources: {{catalog: {catalog}, schema: "*", table: "*", column: "*"}}',
                f"    policy_items: [{{groups: [{group}], accesses: [select]}}]",
            ]
            pid += 1
    lines += [
        f"  - id: {pid}",
        "    name: no national ids or bank accounts",
        '    resources: {catalog: "*", schema: "*", table: "*", column: [ssn, iban]}',
        f"    deny_policy_items: [{{groups: [{', '.join(GROUPS[:25])}], accesses: [select]}}]",
        f"    deny_exceptions: [{{groups: [{GROUPS[0]}], accesses: [select]}}]",
    ]
    return "\n".join(lines) + "\n"
