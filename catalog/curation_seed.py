"""A curation seed file: descriptions, owners, classifications, glossary terms and registered queries.

``lakegate demo`` writes one (``catalog.yaml``); a deployment may keep its own. The shape::

    glossary:
      name: Shipping
      terms:
        - {name: Customer, short_description: ..., long_description: ..., synonyms: [client]}
    entities:
      - name: crm.main.customers          # catalog.schema.table[.column]
        type: table                       # table | view | column | schema | catalog
        description: ...
        owners: [crm-team]
        classifications: [PII, {name: PII, attributes: {kind: email}, propagate: true}]
        terms: [Customer]                 # term names in the glossary above
        deprecated: false
    queries:                              # registered queries: lineage without a view
      - name: port calls from voyages
        description: ...
        sql: INSERT INTO lake.shipping.port_calls (...) SELECT ... FROM lake.shipping.voyages

Keys are a closed set: an unknown key, a term no glossary entry defines, or a name with the wrong
number of parts is refused with its place in the file, never ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlglot.schema import MappingSchema

from catalog.glossary_terms import term_guid
from catalog.lineage.sql import DatasetType, DerivedLineage, Instance, query_lineage
from catalog.model import (
    Classification,
    Curation,
    EntityType,
    GlossaryTerm,
    ResourcePath,
    entity_guid,
    qualified_name,
)

_TOP = {"glossary", "entities", "queries"}
_GLOSSARY = {"name", "terms"}
_TERM = {"name", "short_description", "long_description", "synonyms"}
_ENTITY = {"name", "type", "description", "owners", "classifications", "terms", "deprecated"}
_TAG = {"name", "attributes", "propagate"}
_QUERY = {"name", "description", "sql", "dialect"}
_PARTS = {
    EntityType.CATALOG: 1,
    EntityType.SCHEMA: 2,
    EntityType.TABLE: 3,
    EntityType.VIEW: 3,
    EntityType.COLUMN: 4,
}


class SeedError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SeedEntity:
    type: EntityType
    path: ResourcePath
    curation: Curation

    def guid(self, instance: Instance) -> str:
        at = instance if isinstance(instance, str) else instance(self.path.catalog or "")
        p = self.path
        return entity_guid(self.type, qualified_name(at, p.catalog, p.schema, p.table, p.column))


@dataclass(frozen=True, slots=True)
class RegisteredQuery:
    name: str
    sql: str
    description: str | None = None
    dialect: str = "trino"


@dataclass(frozen=True, slots=True)
class CurationSeed:
    terms: tuple[GlossaryTerm, ...]
    entities: tuple[SeedEntity, ...]
    queries: tuple[RegisteredQuery, ...]

    def curations(self, instance: Instance) -> dict[str, Curation]:
        """Curation by entity guid, for entities in ``instance`` (a name, or one per catalog)."""
        return {e.guid(instance): e.curation for e in self.entities}

    def lineage(
        self,
        schema: MappingSchema,
        instance: Instance,
        *,
        source: str = "catalog-seed",
        dataset_type: DatasetType | None = None,
    ) -> list[DerivedLineage]:
        """Each registered query's process and lineage edges (raises LineageError on a bad query)."""
        out = []
        for q in self.queries:
            kwargs: dict[str, Any] = {} if dataset_type is None else {"dataset_type": dataset_type}
            out.append(
                query_lineage(
                    q.sql, schema, instance=instance, name=q.name, source=source, dialect=q.dialect, **kwargs
                )
            )
        return out


def load_seed(path: Path) -> CurationSeed:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SeedError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    return parse_seed(data, where=str(path))


def _mapping(value: Any, allowed: set[str], where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SeedError(f"{where}: expected a mapping")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise SeedError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SeedError(f"{where}: expected a list of names")
    return tuple(value)


def _text(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise SeedError(f"{where}: expected text")


def parse_seed(data: Any, *, where: str = "catalog seed") -> CurationSeed:
    top = _mapping(data, _TOP, where)
    glossary = _mapping(
        top.get("glossary") or {"name": "default", "terms": []}, _GLOSSARY, f"{where}: glossary"
    )
    glossary_name = str(glossary.get("name") or "default")
    terms: dict[str, GlossaryTerm] = {}
    for i, raw in enumerate(glossary.get("terms") or []):
        at = f"{where}: glossary.terms[{i}]"
        term = _mapping(raw, _TERM, at)
        name = term.get("name")
        if not isinstance(name, str) or not name:
            raise SeedError(f"{at}: a term needs a name")
        terms[name] = GlossaryTerm(
            guid=term_guid(name, glossary_name),
            name=name,
            glossary=glossary_name,
            short_description=_text(term.get("short_description"), at),
            long_description=_text(term.get("long_description"), at),
            synonyms=_strings(term.get("synonyms"), f"{at}.synonyms"),
        )
    entities = tuple(
        _entity(raw, terms, f"{where}: entities[{i}]") for i, raw in enumerate(top.get("entities") or [])
    )
    queries = []
    for i, raw in enumerate(top.get("queries") or []):
        at = f"{where}: queries[{i}]"
        q = _mapping(raw, _QUERY, at)
        name, sql = q.get("name"), q.get("sql")
        if not isinstance(name, str) or not name or not isinstance(sql, str) or not sql.strip():
            raise SeedError(f"{at}: a query needs a name and its sql")
        queries.append(
            RegisteredQuery(
                name, sql.strip(), _text(q.get("description"), at), str(q.get("dialect") or "trino")
            )
        )
    return CurationSeed(tuple(terms.values()), entities, tuple(queries))


def _entity(raw: Any, terms: Mapping[str, GlossaryTerm], at: str) -> SeedEntity:
    entry = _mapping(raw, _ENTITY, at)
    name = entry.get("name")
    try:
        entity_type = EntityType(str(entry.get("type") or "table"))
    except ValueError:
        raise SeedError(f"{at}: unknown type {entry.get('type')!r}") from None
    if entity_type not in _PARTS or not isinstance(name, str):
        raise SeedError(f"{at}: needs a name and a type of {', '.join(t.value for t in _PARTS)}")
    parts = name.split(".")
    if len(parts) != _PARTS[entity_type] or not all(parts):
        raise SeedError(
            f"{at}: a {entity_type.value} is named with {_PARTS[entity_type]} dotted parts, not {name!r}"
        )
    path = ResourcePath(*parts)
    tags = []
    for j, tag in enumerate(entry.get("classifications") or []):
        if isinstance(tag, str) and tag:
            tags.append(Classification(tag))
            continue
        t = _mapping(tag, _TAG, f"{at}.classifications[{j}]")
        attributes = t.get("attributes") or {}
        if not isinstance(t.get("name"), str) or not isinstance(attributes, Mapping):
            raise SeedError(f"{at}.classifications[{j}]: needs a name and attributes as a mapping")
        tags.append(
            Classification(
                t["name"],
                {str(k): str(v) for k, v in attributes.items()},
                propagate=t.get("propagate") is not False,
            )
        )
    term_names = _strings(entry.get("terms"), f"{at}.terms")
    missing = [t for t in term_names if t not in terms]
    if missing:
        raise SeedError(f"{at}: term {missing[0]!r} is not in the glossary")
    deprecated = entry.get("deprecated", False)
    if not isinstance(deprecated, bool):
        raise SeedError(f"{at}.deprecated: expected true or false")
    curation = Curation(
        description=_text(entry.get("description"), at),
        owners=_strings(entry.get("owners"), f"{at}.owners"),
        classifications=tuple(tags),
        terms=tuple(terms[t].guid for t in term_names),
        deprecated=deprecated,
    )
    return SeedEntity(entity_type, path, curation)
