"""Read Apache Atlas's Hive and Trino entities, glossary and lineage into Lakegate's model types.

Mapping (Atlas → Lakegate):

- ``trino_instance`` → source, ``trino_catalog`` → catalog, ``trino_schema`` → schema,
  ``trino_table`` → table (a view when ``table_type`` says VIEW), ``trino_column`` → column;
- ``hive_db`` → schema in catalog ``hive_catalog`` (default ``hive``, as a Trino Hive catalog is
  usually called) of a source named after the Hive cluster; ``hive_table`` → table or view
  (``tableType`` VIRTUAL_VIEW, with ``viewOriginalText``), ``hive_column`` → column;
- ``trino_process``/``hive_process`` → process with table-level edges from each input to each
  output; ``trino_column_lineage``/``hive_column_lineage`` → column edges of the process they
  belong to (``query``);
- an entity's own classifications (not the copies Atlas propagated), its glossary terms
  (``meanings``), ``description`` (or ``userDescription``) and ``owner`` → its :class:`Curation`;
- glossary terms → :class:`GlossaryTerm` (guid from ``name@glossary``; synonyms from the term's
  synonym links and ``additionalAttributes.synonyms``).

Qualified names are rebuilt from the parent chain (names, not string surgery), so an entity's guid
equals the one Lakegate's own harvest computes for the same catalog.schema.table@instance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.atlas.port import JSON, AtlasPort
from catalog.atlas.types import (
    HIVE_COLUMN,
    HIVE_COLUMN_LINEAGE,
    HIVE_DB,
    HIVE_PARENT,
    HIVE_PROCESS,
    HIVE_TABLE,
    TRINO_CATALOG,
    TRINO_COLUMN,
    TRINO_COLUMN_LINEAGE,
    TRINO_INSTANCE,
    TRINO_PARENT,
    TRINO_PROCESS,
    TRINO_SCHEMA,
    TRINO_TABLE,
)
from catalog.glossary_terms import term_guid
from catalog.model import (
    Classification,
    Curation,
    EntityType,
    GlossaryTerm,
    HarvestedEntity,
    LineageEdge,
    ResourcePath,
    entity_guid,
    qualified_name,
)

PAGE = 500
FETCH = 100
DATASET_TYPES = (
    TRINO_INSTANCE,
    TRINO_CATALOG,
    TRINO_SCHEMA,
    TRINO_TABLE,
    TRINO_COLUMN,
    HIVE_DB,
    HIVE_TABLE,
    HIVE_COLUMN,
)
PROCESS_TYPES = (TRINO_PROCESS, HIVE_PROCESS)
COLUMN_LINEAGE_TYPES = (TRINO_COLUMN_LINEAGE, HIVE_COLUMN_LINEAGE)


__all__ = ["ImportedCatalog", "import_catalog", "term_guid"]


@dataclass(slots=True)
class ImportedCatalog:
    entities: list[HarvestedEntity] = field(default_factory=list)
    curations: dict[str, Curation] = field(default_factory=dict)
    terms: list[GlossaryTerm] = field(default_factory=list)
    edges: list[LineageEdge] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def import_catalog(
    port: AtlasPort, *, source: str = "atlas", hive_catalog: str = "hive", types: Iterable[str] | None = None
) -> ImportedCatalog:
    """Everything importable from the Atlas behind ``port``. ``types`` narrows the Atlas types read."""
    wanted = set(types) if types is not None else set(DATASET_TYPES + PROCESS_TYPES + COLUMN_LINEAGE_TYPES)
    known = port.type_names()
    result = ImportedCatalog()
    terms, by_atlas_term = _glossary(port)
    result.terms = terms
    raw: dict[str, JSON] = {}
    for type_name in DATASET_TYPES + PROCESS_TYPES + COLUMN_LINEAGE_TYPES:
        if type_name in wanted and type_name in known:
            for entity in _all_of_type(port, type_name):
                raw[entity["guid"]] = entity
    mapper = _Mapper(raw, source, hive_catalog)
    for atlas_guid, entity in raw.items():
        if entity["typeName"] not in DATASET_TYPES:
            continue
        harvested = mapper.dataset(atlas_guid)
        if harvested is None:
            result.skipped.append(f"{entity['typeName']} {_qn(entity)}: its parent is not in Atlas")
            continue
        result.entities.append(harvested)
        curation = _curation(entity, by_atlas_term)
        if curation is not None:
            result.curations[harvested.guid] = curation
    for atlas_guid, entity in raw.items():
        if entity["typeName"] in PROCESS_TYPES:
            process, edges = mapper.process(atlas_guid)
            result.entities.append(process)
            result.edges.extend(edges)
            curation = _curation(entity, by_atlas_term)
            if curation is not None:
                result.curations[process.guid] = curation
    for entity in raw.values():
        if entity["typeName"] in COLUMN_LINEAGE_TYPES:
            edges, problem = mapper.column_lineage(entity)
            result.edges.extend(edges)
            if problem:
                result.skipped.append(problem)
    result.entities.extend(mapper.synthesized())
    # a Hive cluster and a Trino instance of the same name share one source entity
    result.entities = list({e.guid: e for e in reversed(result.entities)}.values())[::-1]
    return result


def _all_of_type(port: AtlasPort, type_name: str) -> list[JSON]:
    guids: list[str] = []
    offset = 0
    while True:
        page = port.search(type_name, limit=PAGE, offset=offset)
        guids.extend(h["guid"] for h in page if h.get("typeName") == type_name and h.get("guid"))
        if len(page) < PAGE:
            break
        offset += PAGE
    found: list[JSON] = []
    for start in range(0, len(guids), FETCH):
        found.extend(
            e for e in port.entities(guids[start : start + FETCH]) if e.get("status", "ACTIVE") == "ACTIVE"
        )
    return found


def _glossary(port: AtlasPort) -> tuple[list[GlossaryTerm], dict[str, str]]:
    terms: list[GlossaryTerm] = []
    by_atlas: dict[str, str] = {}
    for glossary in port.glossaries():
        glossary_name = str(glossary.get("name") or glossary.get("qualifiedName") or "default")
        for header in glossary.get("terms") or []:
            atlas_guid = header.get("termGuid")
            if not atlas_guid:
                continue
            term = port.term(atlas_guid)
            name = str(term.get("name") or header.get("displayText") or "")
            if not name:
                continue
            synonyms = [str(s.get("displayText")) for s in term.get("synonyms") or [] if s.get("displayText")]
            extra = (term.get("additionalAttributes") or {}).get("synonyms") or []
            synonyms.extend(str(s) for s in extra if isinstance(s, str))
            guid = term_guid(name, glossary_name)
            by_atlas[atlas_guid] = guid
            terms.append(
                GlossaryTerm(
                    guid=guid,
                    name=name,
                    glossary=glossary_name,
                    short_description=term.get("shortDescription"),
                    long_description=term.get("longDescription"),
                    synonyms=tuple(dict.fromkeys(synonyms)),
                )
            )
    return terms, by_atlas


def _qn(entity: Mapping[str, Any]) -> str:
    return str((entity.get("attributes") or {}).get("qualifiedName") or "")


def _attr(entity: Mapping[str, Any], name: str) -> Any:
    return (entity.get("attributes") or {}).get(name)


def _ref(entity: Mapping[str, Any], name: str) -> Any:
    """A reference attribute: relationship attributes first, then the legacy plain attribute."""
    value = (entity.get("relationshipAttributes") or {}).get(name)
    return value if value is not None else _attr(entity, name)


def _ref_guids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    return [str(i["guid"]) for i in items if isinstance(i, dict) and i.get("guid")]


def _curation(entity: Mapping[str, Any], by_atlas_term: Mapping[str, str]) -> Curation | None:
    own_guid = entity.get("guid")
    tags = tuple(
        Classification(
            name=str(c["typeName"]),
            attributes={k: str(v) for k, v in (c.get("attributes") or {}).items() if v is not None},
            propagate=c.get("propagate") is not False,
        )
        for c in entity.get("classifications") or []
        if c.get("typeName") and c.get("entityGuid") in (None, own_guid)
    )
    terms = tuple(
        dict.fromkeys(
            by_atlas_term[m["termGuid"]]
            for m in entity.get("meanings") or []
            if m.get("termGuid") in by_atlas_term
        )
    )
    description = _attr(entity, "userDescription") or _attr(entity, "description")
    owner = _attr(entity, "owner")
    owners = tuple(o.strip() for o in str(owner).split(",") if o.strip()) if owner else ()
    if not (tags or terms or description or owners):
        return None
    return Curation(description=description, owners=owners, classifications=tags, terms=terms)


class _Mapper:
    """Atlas entities → Lakegate entities, resolving each one's place through its parents."""

    def __init__(self, raw: Mapping[str, JSON], source: str, hive_catalog: str) -> None:
        self.raw = raw
        self.source = source
        self.hive_catalog = hive_catalog
        self._paths: dict[str, tuple[EntityType, str, ResourcePath] | None] = {}
        self._synthesized: dict[str, HarvestedEntity] = {}

    def place(self, atlas_guid: str) -> tuple[EntityType, str, ResourcePath] | None:
        """(Lakegate type, instance, resource path) of a dataset entity, or None if unplaceable."""
        if atlas_guid not in self._paths:
            self._paths[atlas_guid] = None  # cycles end here
            self._paths[atlas_guid] = self._place(self.raw[atlas_guid]) if atlas_guid in self.raw else None
        return self._paths[atlas_guid]

    def _parent(self, entity: JSON, attr: str) -> tuple[EntityType, str, ResourcePath] | None:
        guids = _ref_guids(_ref(entity, attr))
        return self.place(guids[0]) if guids else None

    def _place(self, entity: JSON) -> tuple[EntityType, str, ResourcePath] | None:
        type_name = entity["typeName"]
        name = str(_attr(entity, "name") or "")
        if type_name == TRINO_INSTANCE:
            return EntityType.SOURCE, _qn(entity) or name, ResourcePath()
        if type_name == HIVE_DB:
            cluster = str(_attr(entity, "clusterName") or _qn(entity).rsplit("@", 1)[-1])
            return EntityType.SCHEMA, cluster, ResourcePath(self.hive_catalog, name)
        parent_attr = TRINO_PARENT[type_name][0] if type_name in TRINO_PARENT else HIVE_PARENT.get(type_name)
        if parent_attr is None or not name:
            return None
        parent = self._parent(entity, parent_attr)
        if parent is None:
            return None
        _, instance, path = parent
        if type_name == TRINO_CATALOG:
            return EntityType.CATALOG, instance, ResourcePath(name)
        if type_name == TRINO_SCHEMA:
            return EntityType.SCHEMA, instance, ResourcePath(path.catalog, name)
        if type_name in (TRINO_TABLE, HIVE_TABLE):
            kind = str(_attr(entity, "table_type") or _attr(entity, "tableType") or "").upper()
            entity_type = EntityType.VIEW if "VIEW" in kind else EntityType.TABLE
            return entity_type, instance, ResourcePath(path.catalog, path.schema, name)
        return EntityType.COLUMN, instance, ResourcePath(path.catalog, path.schema, path.table, name)

    def guid(self, atlas_guid: str) -> str | None:
        placed = self.place(atlas_guid)
        if placed is None:
            return None
        entity_type, instance, path = placed
        return entity_guid(
            entity_type, qualified_name(instance, path.catalog, path.schema, path.table, path.column)
        )

    def _parent_guid(self, entity: JSON, instance: str, path: ResourcePath) -> str | None:
        type_name = entity["typeName"]
        if type_name == HIVE_DB:
            return entity_guid(EntityType.CATALOG, qualified_name(instance, path.catalog))
        parent_attr = TRINO_PARENT[type_name][0] if type_name in TRINO_PARENT else HIVE_PARENT.get(type_name)
        guids = _ref_guids(_ref(entity, parent_attr)) if parent_attr else []
        return self.guid(guids[0]) if guids else None

    def dataset(self, atlas_guid: str) -> HarvestedEntity | None:
        placed = self.place(atlas_guid)
        if placed is None:
            return None
        entity_type, instance, path = placed
        entity = self.raw[atlas_guid]
        if entity["typeName"] == HIVE_DB:
            self._synthesize(instance, path.catalog or self.hive_catalog)
        qn = qualified_name(instance, path.catalog, path.schema, path.table, path.column)
        position = _attr(entity, "ordinal_position") or _attr(entity, "position")
        nullable = _attr(entity, "is_nullable")
        created = _attr(entity, "createTime") or entity.get("createTime")
        name = path.column or path.table or path.schema or path.catalog or instance
        return HarvestedEntity(
            type=entity_type,
            qualified_name=qn,
            name=name,
            source=self.source,
            path=path,
            parent_guid=self._parent_guid(entity, instance, path),
            comment=_attr(entity, "comment"),
            data_type=_attr(entity, "data_type") or _attr(entity, "type"),
            position=int(position) if isinstance(position, int | float) else None,
            nullable=nullable if isinstance(nullable, bool) else None,
            view_sql=_attr(entity, "viewOriginalText") if entity_type is EntityType.VIEW else None,
            created_at=created / 1000 if isinstance(created, int | float) else None,
        )

    def _synthesize(self, instance: str, catalog: str) -> None:
        """The source and catalog a Hive database sits in (Atlas has no entities for them)."""
        source = HarvestedEntity(
            EntityType.SOURCE, qualified_name(instance), instance, self.source, ResourcePath()
        )
        cat = HarvestedEntity(
            EntityType.CATALOG,
            qualified_name(instance, catalog),
            catalog,
            self.source,
            ResourcePath(catalog),
            parent_guid=source.guid,
        )
        self._synthesized.setdefault(source.guid, source)
        self._synthesized.setdefault(cat.guid, cat)

    def synthesized(self) -> list[HarvestedEntity]:
        return list(self._synthesized.values())

    def process(self, atlas_guid: str) -> tuple[HarvestedEntity, list[LineageEdge]]:
        """A process, placed where its first output is, with an edge from each input to each output."""
        entity = self.raw[atlas_guid]
        qn = _qn(entity) or atlas_guid
        output_refs = _ref_guids(_ref(entity, "outputs"))
        placed = [p for p in (self.place(a) for a in output_refs) if p is not None]
        process = HarvestedEntity(
            type=EntityType.PROCESS,
            qualified_name=qn,
            name=str(_attr(entity, "name") or qn),
            source=self.source,
            path=placed[0][2] if placed else ResourcePath(),
            view_sql=_attr(entity, "queryText") or None,
        )
        inputs = [g for g in (self.guid(a) for a in _ref_guids(_ref(entity, "inputs"))) if g]
        outputs = [g for g in (self.guid(a) for a in output_refs) if g]
        return process, [LineageEdge(process.guid, i, o) for i in inputs for o in outputs]

    def column_lineage(self, entity: JSON) -> tuple[list[LineageEdge], str | None]:
        query = _ref_guids(_ref(entity, "query"))
        if not query or query[0] not in self.raw:
            return [], f"{entity['typeName']} {_qn(entity)}: its process is not in Atlas"
        process_qn = _qn(self.raw[query[0]]) or query[0]
        process_guid = entity_guid(EntityType.PROCESS, process_qn)
        inputs = [g for g in (self.guid(a) for a in _ref_guids(_ref(entity, "inputs"))) if g]
        outputs = [g for g in (self.guid(a) for a in _ref_guids(_ref(entity, "outputs"))) if g]
        return [LineageEdge(process_guid, i, o) for i in inputs for o in outputs], None
