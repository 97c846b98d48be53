"""The metadata catalog's entities, shaped after Apache Atlas's so import and export map one-to-one.

Hierarchy: source → catalog → schema → table or view → column (Atlas's ``trino_instance`` →
``trino_catalog`` → ``trino_schema`` → ``trino_table`` → ``trino_column``), plus glossary terms and
processes (lineage: a process reads ``inputs`` and writes ``outputs``, Atlas's ``Process``).

An entity's ``guid`` is derived from its type and qualified name, so every gateway instance, every
re-harvest and every import computes the same one. Qualified names follow Atlas's Trino model:
``catalog.schema.table[.column]@instance``.

Harvested facts (names, types, comments, sizes) and curated facts (descriptions, owners,
classifications, glossary terms, deprecation) are kept apart: a re-harvest replaces the first and
never touches the second. :class:`Entity` is the merged view that search and the API read.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

#: the namespace of every entity guid (uuid5 of "type:qualified name")
GUID_NAMESPACE = uuid.UUID("6f1d3c52-7a8e-4f0b-9a53-2c3e8b1d4e70")


class EntityType(StrEnum):
    SOURCE = "source"
    CATALOG = "catalog"
    SCHEMA = "schema"
    TABLE = "table"
    VIEW = "view"
    COLUMN = "column"
    GLOSSARY_TERM = "glossary_term"
    PROCESS = "process"


#: the types that hold rows (what a query reads)
DATASET_TYPES = frozenset({EntityType.TABLE, EntityType.VIEW})


def entity_guid(entity_type: EntityType, qualified_name: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"{entity_type.value}:{qualified_name.lower()}"))


def qualified_name(
    instance: str,
    catalog: str | None = None,
    schema: str | None = None,
    table: str | None = None,
    column: str | None = None,
) -> str:
    """Atlas's Trino-model qualified name: ``catalog.schema.table.column@instance``.

    A source alone is ``@instance``.
    """
    parts = [p for p in (catalog, schema, table, column) if p is not None]
    return f"{'.'.join(parts)}@{instance}" if parts else f"@{instance}"


#: classification attributes that hold of their own entity only, never of what is derived from it
#: (``masked_by``: a column policy of that entity masks it; the policy does not follow a copy)
LOCAL_ATTRIBUTES = frozenset({"masked_by"})


@dataclass(frozen=True, slots=True)
class Classification:
    """A tag such as ``PII`` on an entity. ``propagated_from`` is the guid it came from, or None
    when it was put on this entity itself; propagation runs from a table to its columns and along
    lineage (from an input column to the columns derived from it) unless ``propagate`` is off."""

    name: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    propagate: bool = True
    propagated_from: str | None = None


@dataclass(frozen=True, slots=True)
class ResourcePath:
    """Where an entity sits in the policy resource hierarchy (what Ranger policies match)."""

    catalog: str | None = None
    schema: str | None = None
    table: str | None = None
    column: str | None = None

    def key(self) -> str:
        return ".".join(p for p in (self.catalog, self.schema, self.table, self.column) if p is not None)


@dataclass(frozen=True, slots=True)
class HarvestedEntity:
    """What a harvest learns about one entity from its source; replaced wholesale by the next one."""

    type: EntityType
    qualified_name: str
    name: str
    source: str  # the connector that serves it
    path: ResourcePath
    parent_guid: str | None = None
    comment: str | None = None  # the source's own comment (COMMENT ON, config `comment:`)
    data_type: str | None = None  # columns, in Trino's spelling
    position: int | None = None  # columns, from 1
    nullable: bool | None = None  # columns
    storage_format: str | None = None  # admins only
    location: str | None = None  # admins only: a path or a database name, never shown to others
    row_count: int | None = None
    size_bytes: int | None = None
    view_sql: str | None = None  # views: the defining SQL
    created_at: float | None = None
    #: a digest of everything above; an unchanged fingerprint means nothing to re-index
    fingerprint: str = ""

    @property
    def guid(self) -> str:
        return entity_guid(self.type, self.qualified_name)


@dataclass(frozen=True, slots=True)
class Curation:
    """What stewards said about one entity; it survives every re-harvest."""

    description: str | None = None
    owners: tuple[str, ...] = ()
    classifications: tuple[Classification, ...] = ()
    terms: tuple[str, ...] = ()  # guids of glossary terms
    deprecated: bool = False
    updated_at: float | None = None
    updated_by: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """The merged view of one entity: harvested facts, curation and derived figures."""

    guid: str
    type: EntityType
    qualified_name: str
    name: str
    source: str
    path: ResourcePath
    parent_guid: str | None = None
    description: str | None = None  # the curated description, else the source's comment
    owners: tuple[str, ...] = ()
    data_type: str | None = None
    position: int | None = None
    nullable: bool | None = None
    storage_format: str | None = None
    location: str | None = None
    row_count: int | None = None
    size_bytes: int | None = None
    view_sql: str | None = None
    classifications: tuple[Classification, ...] = ()  # own and propagated
    terms: tuple[str, ...] = ()
    deprecated: bool = False
    popularity: int = 0  # queries over the last 30 days (audit log)
    created_at: float | None = None
    updated_at: float | None = None

    @property
    def classification_names(self) -> tuple[str, ...]:
        return tuple(sorted({c.name for c in self.classifications}))


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    guid: str
    name: str  # unique within its glossary
    glossary: str = "default"
    short_description: str | None = None
    long_description: str | None = None
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LineageEdge:
    """One column or table that feeds another, through a process (a view's SQL, a registered query)."""

    process_guid: str
    input_guid: str
    output_guid: str
