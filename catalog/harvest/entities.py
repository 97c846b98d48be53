"""A connector's catalog metadata as catalog entities, each with a fingerprint of its facts.

One logical catalog becomes a catalog entity, its schemas, tables or views, and their columns
(Atlas's ``trino_catalog`` → ``trino_schema`` → ``trino_table`` → ``trino_column``); the
instance itself is the source entity above every catalog.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from catalog.model import EntityType, HarvestedEntity, ResourcePath, entity_guid, qualified_name
from connectors.base import CatalogInfo, TableInfo

_FACTS = tuple(f.name for f in fields(HarvestedEntity) if f.name != "fingerprint")
_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(HarvestedEntity)}


def fingerprint(entity: HarvestedEntity) -> str:
    """A digest of every harvested fact of the entity (all but the fingerprint itself)."""
    facts = repr(tuple(getattr(entity, name) for name in _FACTS))
    return hashlib.blake2b(facts.encode(), digest_size=16).hexdigest()


def fingerprinted(entity: HarvestedEntity) -> HarvestedEntity:
    return _entity(**{name: getattr(entity, name) for name in _FACTS})


def _entity(**facts: Any) -> HarvestedEntity:
    """The entity with its fingerprint, built once (a harvest builds hundreds of thousands)."""
    ordered = repr(tuple(facts.get(name, _DEFAULTS[name]) for name in _FACTS))
    return HarvestedEntity(**facts, fingerprint=hashlib.blake2b(ordered.encode(), digest_size=16).hexdigest())


def unit_fingerprint(entities: Iterable[HarvestedEntity]) -> str:
    """One digest for a whole unit: unchanged means not one entity changed, appeared or went."""
    digest = hashlib.sha256()
    for entity in sorted(entities, key=lambda e: e.qualified_name):
        digest.update(f"{entity.qualified_name}:{entity.type.value}:{entity.fingerprint}\n".encode())
    return digest.hexdigest()[:32]


def source_entity(instance: str) -> HarvestedEntity:
    return _entity(
        type=EntityType.SOURCE,
        qualified_name=qualified_name(instance),
        name=instance,
        source="lakegate",
        path=ResourcePath(),
    )


def catalog_entities(info: CatalogInfo, instance: str) -> list[HarvestedEntity]:
    """The catalog, its schemas, tables or views and columns, parents before children."""
    root = entity_guid(EntityType.SOURCE, qualified_name(instance))
    catalog_qn = qualified_name(instance, info.name)
    out = [
        _entity(
            type=EntityType.CATALOG,
            qualified_name=catalog_qn,
            name=info.name,
            source=info.connector,
            path=ResourcePath(info.name),
            parent_guid=root,
            comment=info.comment,
        )
    ]
    catalog_guid = entity_guid(EntityType.CATALOG, catalog_qn)
    for schema in sorted(info.schemas):
        schema_qn = qualified_name(instance, info.name, schema)
        out.append(
            _entity(
                type=EntityType.SCHEMA,
                qualified_name=schema_qn,
                name=schema,
                source=info.connector,
                path=ResourcePath(info.name, schema),
                parent_guid=catalog_guid,
            )
        )
        schema_guid = entity_guid(EntityType.SCHEMA, schema_qn)
        for name in sorted(info.schemas[schema]):
            out.extend(_table_entities(info.schemas[schema][name], info.connector, instance, schema_guid))
    return out


def _table_entities(table: TableInfo, source: str, instance: str, parent: str) -> list[HarvestedEntity]:
    kind = EntityType.VIEW if table.kind == "VIEW" else EntityType.TABLE
    table_qn = qualified_name(instance, table.catalog, table.schema, table.name)
    out = [
        _entity(
            type=kind,
            qualified_name=table_qn,
            name=table.name,
            source=source,
            path=ResourcePath(table.catalog, table.schema, table.name),
            parent_guid=parent,
            comment=table.comment,
            storage_format=table.storage_format,
            location=table.location,
            row_count=table.row_count,
            size_bytes=table.size_bytes,
            view_sql=table.view_sql,
        )
    ]
    table_guid = entity_guid(kind, table_qn)
    for position, column in enumerate(table.columns, start=1):
        out.append(
            _entity(
                type=EntityType.COLUMN,
                qualified_name=qualified_name(instance, table.catalog, table.schema, table.name, column.name),
                name=column.name,
                source=source,
                path=ResourcePath(table.catalog, table.schema, table.name, column.name),
                parent_guid=table_guid,
                comment=column.comment,
                data_type=column.type,
                position=position,
                nullable=column.nullable,
            )
        )
    return out
