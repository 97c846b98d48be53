"""Push Lakegate's catalog into Apache Atlas with Atlas's Trino model types.

What goes out, in this order (each level references its parent by unique attributes, so a re-run
updates instead of duplicating):

1. the Trino model's type definitions, if the server lacks them;
2. ``trino_instance`` → ``trino_catalog`` → ``trino_schema`` → ``trino_table`` (tables and views,
   ``table_type`` TABLE or VIEW) → ``trino_column``, with name, description, owner, comment, data
   type, position and nullability; qualified names are Lakegate's own
   (``catalog.schema.table[.column]@instance``; an instance is just its name);
3. classification definitions that are missing, then each entity's *own* classifications (what
   Lakegate propagated, Atlas propagates itself) through ``bulk/setClassifications``;
4. glossaries and terms that are missing, and the terms' assignments to entities;
5. lineage: one ``trino_process`` per Lakegate process (its table-level inputs and outputs) and one
   ``trino_column_lineage`` per output column, tied to its process by ``query``.

Storage locations and formats never leave Lakegate. An entity whose parent is not in the catalog
is skipped and reported, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.atlas.port import JSON, AtlasPort
from catalog.atlas.types import (
    EXPORT_TYPES,
    TRINO_COLUMN,
    TRINO_COLUMN_LINEAGE,
    TRINO_INSTANCE,
    TRINO_MODEL,
    TRINO_PARENT,
    TRINO_PROCESS,
)
from catalog.model import Entity, EntityType, GlossaryTerm, LineageEdge
from catalog.reader import CatalogReader

BATCH = 200
_LEVELS = (
    (EntityType.SOURCE,),
    (EntityType.CATALOG,),
    (EntityType.SCHEMA,),
    (EntityType.TABLE, EntityType.VIEW),
    (EntityType.COLUMN,),
)


@dataclass(slots=True)
class ExportSummary:
    entities: dict[str, int] = field(default_factory=dict)  # Atlas type -> entities sent
    created_types: list[str] = field(default_factory=list)
    created_classifications: list[str] = field(default_factory=list)
    classified_entities: int = 0
    created_terms: list[str] = field(default_factory=list)
    term_assignments: int = 0
    processes: int = 0
    column_lineages: int = 0
    skipped: list[str] = field(default_factory=list)


def atlas_qualified_name(entity: Entity) -> str:
    """Atlas's qualifiedName: Lakegate's, except that an instance is named without the ``@``."""
    if entity.type is EntityType.SOURCE:
        return entity.qualified_name.lstrip("@")
    return entity.qualified_name


def object_id(type_name: str, qualified_name: str) -> JSON:
    return {"typeName": type_name, "uniqueAttributes": {"qualifiedName": qualified_name}}


def export_catalog(port: AtlasPort, reader: CatalogReader) -> ExportSummary:
    summary = ExportSummary()
    _ensure_trino_model(port, summary)
    entities = [e for e in reader.entities() if e.type in EXPORT_TYPES]
    by_guid = {e.guid: e for e in entities}
    atlas_guids = _export_datasets(port, entities, by_guid, summary)
    _export_classifications(port, entities, atlas_guids, summary)
    _export_terms(port, reader.terms(), entities, atlas_guids, summary)
    _export_lineage(port, reader.lineage_edges(), by_guid, summary)
    return summary


def _ensure_trino_model(port: AtlasPort, summary: ExportSummary) -> None:
    known = port.type_names()
    entity_defs = [d for d in TRINO_MODEL["entityDefs"] if d["name"] not in known]
    relationship_defs = [d for d in TRINO_MODEL["relationshipDefs"] if d["name"] not in known]
    if entity_defs or relationship_defs:
        port.create_typedefs({"entityDefs": entity_defs, "relationshipDefs": relationship_defs})
        summary.created_types = [d["name"] for d in entity_defs + relationship_defs]


def _instance_of(entity: Entity) -> str:
    return entity.qualified_name.rsplit("@", 1)[-1]


def _parent_id(entity: Entity, by_guid: Mapping[str, Entity]) -> JSON | None:
    """The parent's Atlas object id; a catalog's parent is its instance, whether harvested or not."""
    if entity.type is EntityType.CATALOG:
        return object_id(TRINO_INSTANCE, _instance_of(entity))
    parent = by_guid.get(entity.parent_guid or "")
    if parent is None:
        return None
    return object_id(EXPORT_TYPES[parent.type], atlas_qualified_name(parent))


def _atlas_entity(entity: Entity, temp_guid: str, by_guid: Mapping[str, Entity]) -> JSON | None:
    type_name = EXPORT_TYPES[entity.type]
    attributes: dict[str, Any] = {"qualifiedName": atlas_qualified_name(entity), "name": entity.name}
    if entity.description:
        attributes["description"] = entity.description
    if entity.owners:
        attributes["owner"] = ", ".join(entity.owners)
    relationship: dict[str, Any] = {}
    if type_name in TRINO_PARENT:
        parent = _parent_id(entity, by_guid)
        if parent is None:
            return None
        attr, relationship_type = TRINO_PARENT[type_name]
        relationship[attr] = {**parent, "relationshipType": relationship_type}
    if entity.type is EntityType.CATALOG:
        attributes["connectorType"] = entity.source
    elif entity.type in (EntityType.TABLE, EntityType.VIEW):
        attributes["table_type"] = "VIEW" if entity.type is EntityType.VIEW else "TABLE"
    elif entity.type is EntityType.COLUMN:
        attributes.update(
            {
                "data_type": entity.data_type,
                "ordinal_position": entity.position,
                "is_nullable": entity.nullable,
            }
        )
    return {
        "typeName": type_name,
        "guid": temp_guid,
        "attributes": {k: v for k, v in attributes.items() if v is not None},
        "relationshipAttributes": relationship,
    }


def _instances(entities: Iterable[Entity]) -> list[JSON]:
    """``trino_instance`` entities for catalogs whose source entity is not in the catalog."""
    have = {atlas_qualified_name(e) for e in entities if e.type is EntityType.SOURCE}
    names = sorted({_instance_of(e) for e in entities if e.type is EntityType.CATALOG} - have)
    return [
        {"typeName": TRINO_INSTANCE, "guid": f"-{i + 1}", "attributes": {"qualifiedName": n, "name": n}}
        for i, n in enumerate(names)
    ]


def _export_datasets(
    port: AtlasPort, entities: Sequence[Entity], by_guid: Mapping[str, Entity], summary: ExportSummary
) -> dict[str, str]:
    """Send every dataset level by level; Lakegate guid → Atlas guid."""
    atlas_guids: dict[str, str] = {}
    extra = _instances(entities)
    if extra:
        _send(port, extra, summary)
    counter = len(extra)
    for level in _LEVELS:
        batch: list[JSON] = []
        temp: dict[str, str] = {}  # temporary Atlas guid -> Lakegate guid
        for entity in sorted((e for e in entities if e.type in level), key=lambda e: e.qualified_name):
            counter += 1
            body = _atlas_entity(entity, f"-{counter}", by_guid)
            if body is None:
                summary.skipped.append(f"{entity.qualified_name}: its parent is not in the catalog")
                continue
            temp[body["guid"]] = entity.guid
            batch.append(body)
        for start in range(0, len(batch), BATCH):
            assigned = _send(port, batch[start : start + BATCH], summary)
            for temp_guid, atlas_guid in assigned.items():
                if temp_guid in temp:
                    atlas_guids[temp[temp_guid]] = atlas_guid
    return atlas_guids


def _send(port: AtlasPort, batch: Sequence[JSON], summary: ExportSummary) -> dict[str, str]:
    answer = port.create_entities(batch)
    for body in batch:
        summary.entities[body["typeName"]] = summary.entities.get(body["typeName"], 0) + 1
    assigned = dict(answer.get("guidAssignments") or {})
    # an unchanged entity may be missing from guidAssignments: find it by its unique name
    for body in batch:
        if body["guid"] not in assigned:
            found = port.entity_by_name(body["typeName"], body["attributes"]["qualifiedName"])
            if found is not None and isinstance(found.get("guid"), str):
                assigned[body["guid"]] = found["guid"]
    return assigned


def _own(entity: Entity) -> list[Any]:
    return [c for c in entity.classifications if c.propagated_from is None]


def _export_classifications(
    port: AtlasPort, entities: Sequence[Entity], atlas_guids: Mapping[str, str], summary: ExportSummary
) -> None:
    attributes: dict[str, set[str]] = defaultdict(set)
    for entity in entities:
        for tag in _own(entity):
            attributes[tag.name].update(tag.attributes)
    if not attributes:
        return
    defined = {
        d["name"]: {a["name"] for a in d.get("attributeDefs") or []}
        for d in port.typedefs("classification").get("classificationDefs") or []
    }
    missing = sorted(set(attributes) - set(defined))
    if missing:
        port.create_typedefs(
            {
                "classificationDefs": [
                    {
                        "name": name,
                        "description": f"{name} (from Lakegate)",
                        "superTypes": [],
                        "entityTypes": [],
                        "attributeDefs": [
                            {"name": a, "typeName": "string", "cardinality": "SINGLE", "isOptional": True}
                            for a in sorted(attributes[name])
                        ],
                    }
                    for name in missing
                ]
            }
        )
        summary.created_classifications = missing
        defined.update({name: attributes[name] for name in missing})
    headers: dict[str, JSON] = {}
    for entity in entities:
        tags = _own(entity)
        atlas_guid = atlas_guids.get(entity.guid)
        if not tags or atlas_guid is None:
            continue
        headers[atlas_guid] = {
            "guid": atlas_guid,
            "typeName": EXPORT_TYPES[entity.type],
            "classifications": [
                {
                    # an existing definition may lack an attribute Lakegate has: Atlas refuses it
                    "typeName": t.name,
                    "attributes": {k: v for k, v in t.attributes.items() if k in defined[t.name]},
                    "propagate": t.propagate,
                }
                for t in tags
            ],
        }
    if headers:
        port.set_classifications(headers)
        summary.classified_entities = len(headers)


def _export_terms(
    port: AtlasPort,
    terms: Sequence[GlossaryTerm],
    entities: Sequence[Entity],
    atlas_guids: Mapping[str, str],
    summary: ExportSummary,
) -> None:
    if not terms:
        return
    glossaries = {g["name"]: g for g in port.glossaries()}
    atlas_terms: dict[str, str] = {}  # Lakegate term guid -> Atlas term guid
    for term in sorted(terms, key=lambda t: (t.glossary, t.name)):
        glossary = glossaries.get(term.glossary)
        if glossary is None:
            glossary = port.create_glossary(
                {"name": term.glossary, "qualifiedName": term.glossary, "shortDescription": "From Lakegate"}
            )
            glossary.setdefault("terms", [])
            glossaries[term.glossary] = glossary
        existing = {h.get("displayText"): h.get("termGuid") for h in glossary.get("terms") or []}
        atlas_guid = existing.get(term.name)
        if atlas_guid is None:
            created = port.create_term(
                {
                    "name": term.name,
                    "qualifiedName": f"{term.name}@{term.glossary}",
                    "anchor": {"glossaryGuid": glossary["guid"]},
                    "shortDescription": term.short_description,
                    "longDescription": term.long_description,
                    "additionalAttributes": {"synonyms": list(term.synonyms)},
                }
            )
            atlas_guid = created["guid"]
            header = {"termGuid": atlas_guid, "displayText": term.name}
            glossary["terms"] = [*(glossary.get("terms") or []), header]
            summary.created_terms.append(f"{term.name}@{term.glossary}")
        atlas_terms[term.guid] = atlas_guid
    holders: dict[str, list[str]] = defaultdict(list)  # Lakegate term guid -> Atlas entity guids
    for entity in entities:
        for term_guid in entity.terms:
            if entity.guid in atlas_guids:
                holders[term_guid].append(atlas_guids[entity.guid])
    for term_guid in sorted(holders):
        atlas_term = atlas_terms.get(term_guid)
        if atlas_term is None:
            continue
        already = {a.get("guid") for a in port.assigned_entities(atlas_term)}
        targets = sorted(set(holders[term_guid]) - already)
        port.assign_term(atlas_term, targets)
        summary.term_assignments += len(targets)


def _export_lineage(
    port: AtlasPort, edges: Sequence[LineageEdge], by_guid: Mapping[str, Entity], summary: ExportSummary
) -> None:
    by_process: dict[str, list[LineageEdge]] = defaultdict(list)
    for edge in edges:
        by_process[edge.process_guid].append(edge)
    processes: list[JSON] = []
    lineages: list[JSON] = []
    for process_guid, process_edges in sorted(by_process.items()):
        process = by_guid.get(process_guid)
        if process is None:
            summary.skipped.append(f"lineage of process {process_guid}: the process is not in the catalog")
            continue
        inputs: dict[str, JSON] = {}
        outputs: dict[str, JSON] = {}
        columns: dict[str, list[Entity]] = defaultdict(list)
        for edge in process_edges:
            source, target = by_guid.get(edge.input_guid), by_guid.get(edge.output_guid)
            if source is None or target is None:
                continue
            if source.type is EntityType.COLUMN and target.type is EntityType.COLUMN:
                columns[target.guid].append(source)
            elif source.type is not EntityType.COLUMN and target.type is not EntityType.COLUMN:
                inputs[source.guid] = object_id(EXPORT_TYPES[source.type], atlas_qualified_name(source))
                outputs[target.guid] = object_id(EXPORT_TYPES[target.type], atlas_qualified_name(target))
        stamp = int((process.created_at or process.updated_at or 0) * 1000)
        processes.append(
            {
                "typeName": TRINO_PROCESS,
                "attributes": {
                    "qualifiedName": process.qualified_name,
                    "name": process.name,
                    "description": process.description,
                    "queryId": process.qualified_name,
                    "queryText": process.view_sql or "",
                    "queryCreateTime": stamp,
                    "queryEndTime": stamp,
                    "inputs": list(inputs.values()),
                    "outputs": list(outputs.values()),
                },
            }
        )
        for output_guid, sources in sorted(columns.items()):
            output = by_guid[output_guid]
            lineages.append(
                {
                    "typeName": TRINO_COLUMN_LINEAGE,
                    "attributes": {
                        "qualifiedName": f"{process.qualified_name}:{output.name}",
                        "name": f"{process.name}:{output.name}",
                        "inputs": [
                            object_id(TRINO_COLUMN, atlas_qualified_name(s))
                            for s in sorted(sources, key=lambda s: s.qualified_name)
                        ],
                        "outputs": [object_id(TRINO_COLUMN, atlas_qualified_name(output))],
                    },
                    "relationshipAttributes": {
                        "query": {
                            **object_id(TRINO_PROCESS, process.qualified_name),
                            "relationshipType": "trino_process_column_lineage",
                        }
                    },
                }
            )
    for index, body in enumerate(processes + lineages):
        body["guid"] = f"-{index + 1}"
        body["attributes"] = {k: v for k, v in body["attributes"].items() if v is not None}
    for start in range(0, len(processes), BATCH):
        port.create_entities(processes[start : start + BATCH])
    for start in range(0, len(lineages), BATCH):
        port.create_entities(lineages[start : start + BATCH])
    summary.processes = len(processes)
    summary.column_lineages = len(lineages)


__all__ = ["ExportSummary", "atlas_qualified_name", "export_catalog", "object_id"]
