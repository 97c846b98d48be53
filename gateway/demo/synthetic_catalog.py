"""A large synthetic catalog for benchmarks: ``lakegate demo --catalog-size N``.

:func:`synthetic_catalog` yields exactly ``size`` rows — harvested entity, curation (or None) and a
popularity figure — shaped like a real estate of warehouses and lakes: six sources, catalogs,
schemas of about forty tables, tables of 3-20 columns (about one table in ten rows), names such
as ``fact_customer_orders_daily`` or ``orderItems`` (a camelCase name now and then, so tokenising
is exercised), descriptions of 0-25 words, owners from thirty teams, ``PII`` on columns that look
personal (e-mail, phone, birth date ...), a few other tags, glossary terms
(:func:`synthetic_terms`), some deprecated tables and Pareto-distributed popularity. The same
``size`` and ``seed`` always give the same rows. One million rows take a few seconds.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from typing import NamedTuple, TypeVar

from catalog.glossary_terms import term_guid
from catalog.model import (
    Classification,
    Curation,
    Entity,
    EntityType,
    GlossaryTerm,
    HarvestedEntity,
    ResourcePath,
    entity_guid,
)

_T = TypeVar("_T")
GLOSSARY = "Enterprise"
SOURCES = (
    ("lake", "files", "parquet"),
    ("warehouse", "trino", None),
    ("crm", "sqlite", None),
    ("erp", "postgresql", None),
    ("marketing", "trino", None),
    ("iot", "files", "avro"),
)
SCHEMAS = (
    "sales",
    "finance",
    "operations",
    "logistics",
    "marketing",
    "hr",
    "analytics",
    "staging",
    "raw",
    "core",
    "reporting",
    "sandbox",
)
PREFIXES = ("fact_", "dim_", "stg_", "raw_", "agg_", "", "", "int_", "mart_", "snap_")
NOUNS = (
    "customer",
    "order",
    "order_item",
    "invoice",
    "payment",
    "shipment",
    "vessel",
    "port_call",
    "voyage",
    "product",
    "supplier",
    "employee",
    "campaign",
    "session",
    "event",
    "ticket",
    "contract",
    "account",
    "warehouse_stock",
    "sensor_reading",
    "lead",
    "refund",
    "subscription",
    "price",
)
SUFFIXES = ("", "", "", "_daily", "_history", "_snapshot", "_monthly", "_v2", "_latest", "_eu", "_us")
TEAMS = tuple(
    f"{area}-{kind}"
    for area in (
        "sales",
        "finance",
        "logistics",
        "fleet",
        "crm",
        "marketing",
        "hr",
        "platform",
        "risk",
        "iot",
    )
    for kind in ("analytics", "engineering", "stewards")
)
COMMON_COLUMNS = (
    ("id", "bigint"),
    ("created_at", "timestamp(6)"),
    ("updated_at", "timestamp(6)"),
    ("status", "varchar"),
    ("country_code", "varchar"),
    ("region", "varchar"),
    ("amount_eur", "decimal(18,2)"),
    ("quantity", "integer"),
    ("source_system", "varchar"),
    ("is_active", "boolean"),
    ("valid_from", "date"),
    ("valid_to", "date"),
    ("batch_id", "varchar"),
    ("notes", "varchar"),
    ("score", "double"),
    ("category", "varchar"),
)
PERSONAL_COLUMNS = (
    ("email", "varchar", "email"),
    ("phone_number", "varchar", "phone"),
    ("full_name", "varchar", "name"),
    ("birth_date", "date", "birth date"),
    ("home_address", "varchar", "address"),
    ("ip_address", "varchar", "network"),
    ("national_id", "varchar", "national id"),
)
OTHER_TAGS = ("Finance", "Confidential", "Gold", "GDPR", "Internal", "Restricted")
WORDS = (
    "daily figures per customer and region, loaded from the operational systems",
    "one row per business event, deduplicated and conformed to the enterprise model",
    "history of changes kept as slowly changing dimension type 2",
    "used by the finance close and the monthly management report",
    "raw extract, not cleaned; prefer the curated mart for reporting",
    "joined with the product catalogue and currency rates in euros",
    "refreshed every hour by the ingestion pipeline",
    "source of truth for contracts, invoices and payments",
    "shipping and port operations, from AIS feeds and port systems",
    "marketing attribution across campaigns, sessions and leads",
)
TYPES = ("varchar", "bigint", "integer", "double", "date", "timestamp(6)", "boolean", "decimal(18,2)")
TERM_NAMES = (
    "Customer",
    "Order",
    "Invoice",
    "Payment",
    "Shipment",
    "Vessel",
    "Voyage",
    "Port call",
    "Product",
    "Supplier",
    "Employee",
    "Campaign",
    "Revenue",
    "Margin",
    "Personal data",
    "Contract",
    "Subscription",
    "Refund",
    "Lead",
    "Sensor",
)


class SyntheticRow(NamedTuple):
    harvested: HarvestedEntity
    curation: Curation | None
    popularity: int  # queries over the last 30 days


def synthetic_terms() -> list[GlossaryTerm]:
    return [
        GlossaryTerm(
            term_guid(name, GLOSSARY),
            name,
            GLOSSARY,
            short_description=f"{name}: as defined by the data governance board",
            synonyms=(name.lower() + "s",),
        )
        for name in TERM_NAMES
    ]


def _fingerprint(qualified_name: str) -> str:
    return f"{zlib.crc32(qualified_name.encode()):08x}"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def synthetic_catalog(size: int, *, seed: int = 9) -> Iterator[SyntheticRow]:
    """Exactly ``size`` rows: sources, catalogs, schemas, tables and their columns, in that order."""
    if size < 0:
        raise ValueError("size must not be negative")
    rng = random.Random(seed)
    rand = rng.random

    def choice(options: tuple[_T, ...]) -> _T:  # random.choice without its bookkeeping
        return options[int(rand() * len(options))]

    def randint(low: int, high: int) -> int:
        return low + int(rand() * (high - low + 1))

    guids: dict[tuple[EntityType, str], str] = {}

    def guid_of(kind: EntityType, qn: str) -> str:
        found = guids.get((kind, qn))
        if found is None:
            found = guids[(kind, qn)] = entity_guid(kind, qn)
        return found

    terms_by_noun = {noun: term_guid(name, GLOSSARY) for noun, name in zip(NOUNS, TERM_NAMES, strict=False)}
    personal_term = term_guid("Personal data", GLOSSARY)
    emitted = 0
    tables_per_schema = 40
    containers = max(1, size // (10 * tables_per_schema))
    seen_sources: set[str] = set()
    seen_catalogs: set[str] = set()
    table_number = 0

    row = SyntheticRow
    while emitted < size:
        container = table_number % containers
        source, kind, file_format = SOURCES[container % len(SOURCES)]
        catalog = f"{source}_{container // (len(SOURCES) * len(SCHEMAS))}"
        schema = SCHEMAS[(container // len(SOURCES)) % len(SCHEMAS)]
        if source not in seen_sources:
            seen_sources.add(source)
            qn = f"@{source}"
            yield row(
                HarvestedEntity(
                    EntityType.SOURCE, qn, source, source, ResourcePath(), fingerprint=_fingerprint(qn)
                ),
                None,
                0,
            )
            emitted += 1
            if emitted >= size:
                return
        source_guid = guid_of(EntityType.SOURCE, f"@{source}")
        catalog_qn = f"{catalog}@{source}"
        catalog_guid = guid_of(EntityType.CATALOG, catalog_qn)
        if catalog_qn not in seen_catalogs:
            seen_catalogs.add(catalog_qn)
            yield row(
                HarvestedEntity(
                    EntityType.CATALOG,
                    catalog_qn,
                    catalog,
                    source,
                    ResourcePath(catalog),
                    parent_guid=source_guid,
                    comment=f"{kind} catalog of the {source} estate",
                    fingerprint=_fingerprint(catalog_qn),
                ),
                Curation(owners=(choice(TEAMS),)),
                0,
            )
            emitted += 1
            if emitted >= size:
                return
        schema_qn = f"{catalog}.{schema}@{source}"
        schema_guid = guid_of(EntityType.SCHEMA, schema_qn)
        if table_number < containers:  # the first table in each container opens its schema
            yield row(
                HarvestedEntity(
                    EntityType.SCHEMA,
                    schema_qn,
                    schema,
                    source,
                    ResourcePath(catalog, schema),
                    parent_guid=catalog_guid,
                    fingerprint=_fingerprint(schema_qn),
                ),
                None,
                0,
            )
            emitted += 1
            if emitted >= size:
                return

        noun = choice(NOUNS)
        base = f"{choice(PREFIXES)}{noun}{choice(SUFFIXES)}"
        camel = rand() < 0.08
        table = f"{_camel(base) if camel else base}_{table_number}"
        is_view = rand() < 0.12
        table_type = EntityType.VIEW if is_view else EntityType.TABLE
        table_qn = f"{catalog}.{schema}.{table}@{source}"
        table_guid = entity_guid(table_type, table_qn)
        rows = int(rng.lognormvariate(11, 2.5))
        tags: tuple[Classification, ...] = ()
        if rand() < 0.1:
            tags = (Classification(choice(OTHER_TAGS)),)
        deprecated = base.endswith("_v2") and rand() < 0.5
        description = None
        if rand() < 0.6:
            description = f"{noun.replace('_', ' ').capitalize()} data: {choice(WORDS)}"
        yield row(
            HarvestedEntity(
                table_type,
                table_qn,
                table,
                source,
                ResourcePath(catalog, schema, table),
                parent_guid=schema_guid,
                comment=f"{choice(WORDS)}" if rand() < 0.3 else None,
                storage_format=file_format,
                location=f"s3://{source}-bucket/{schema}/{table}/" if file_format else None,
                row_count=rows,
                size_bytes=rows * randint(40, 400),
                view_sql=f"SELECT * FROM {catalog}.{schema}.base_{noun}" if is_view else None,
                created_at=1_600_000_000 + randint(0, 150_000_000),
                fingerprint=_fingerprint(table_qn),
            ),
            Curation(
                description=description,
                owners=tuple(sorted({choice(TEAMS) for _ in range(randint(1, 2))})),
                classifications=tags,
                terms=(terms_by_noun[noun],) if noun in terms_by_noun and rand() < 0.5 else (),
                deprecated=deprecated,
            ),
            int(rng.paretovariate(1.16) * 3) - 3,
        )
        emitted += 1
        table_number += 1
        if emitted >= size:
            return

        width = randint(3, 20)
        columns: list[tuple[str, str, str | None]] = [(f"{noun}_id", "bigint", None)]
        while len(columns) < width:
            if rand() < 0.12:
                columns.append(choice(PERSONAL_COLUMNS))
            else:
                common, data_type = choice(COMMON_COLUMNS)
                columns.append((common if rand() < 0.7 else f"{common}_{choice(NOUNS)}", data_type, None))
        used: set[str] = set()
        position = 0
        for name, data_type, personal in columns:
            if name in used:
                continue
            used.add(name)
            position += 1
            column = _camel(name) if camel else name
            column_qn = f"{catalog}.{schema}.{table}.{column}@{source}"
            curation = None
            if personal is not None:
                curation = Curation(
                    description=f"{personal.capitalize()} of the {noun.replace('_', ' ')}",
                    classifications=(Classification("PII", {"kind": personal}),),
                    terms=(personal_term,),
                )
            elif rand() < 0.4:
                curation = Curation(description=f"{column.replace('_', ' ')} of the {noun.replace('_', ' ')}")
            yield row(
                HarvestedEntity(
                    EntityType.COLUMN,
                    column_qn,
                    column,
                    source,
                    ResourcePath(catalog, schema, table, column),
                    parent_guid=table_guid,
                    data_type=data_type,
                    position=position,
                    nullable=position > 1,
                    fingerprint=_fingerprint(column_qn),
                ),
                curation,
                0,
            )
            emitted += 1
            if emitted >= size:
                return


def to_entity(row: SyntheticRow) -> Entity:
    """The merged entity search indexes (curated description first, then the source's comment)."""
    h, c = row.harvested, row.curation or Curation()
    return Entity(
        guid=h.guid,
        type=h.type,
        qualified_name=h.qualified_name,
        name=h.name,
        source=h.source,
        path=h.path,
        parent_guid=h.parent_guid,
        description=c.description or h.comment,
        owners=c.owners,
        data_type=h.data_type,
        position=h.position,
        nullable=h.nullable,
        storage_format=h.storage_format,
        location=h.location,
        row_count=h.row_count,
        size_bytes=h.size_bytes,
        view_sql=h.view_sql,
        classifications=c.classifications,
        terms=c.terms,
        deprecated=c.deprecated,
        popularity=row.popularity,
        created_at=h.created_at,
    )
