"""The lineage graph around one entity, in Atlas's shape, showing only what the caller may see.

``GET /v2/lineage/{guid}`` in Atlas answers ``{baseEntityGuid, lineageDirection, lineageDepth,
guidEntityMap{guid → header}, relations[{fromEntityId, toEntityId, relationshipId}]}``, with
processes between datasets: ``input → process → output``. :func:`lineage` answers the same for a
table, view or column (through the edges of its own level), or for a process (its inputs and
outputs first).

Visibility: every entity reached — dataset or process — is checked with ``visible``. An entity the
caller may not see is not shown *and the walk stops there*: nothing beyond it is reached through
it, so a hidden table in the middle of a chain hides the chain behind it too (the caller cannot
learn that it exists from a gap that is later bridged). An entity the catalog no longer holds is
treated the same. A base entity that is missing or invisible raises :class:`LineageNotFound`, with
the same message either way.

``depth`` counts processes crossed, as Atlas's does; ``BOTH`` is the union of the ``INPUT`` and
``OUTPUT`` walks (upstream of the base and downstream of it, never sideways).

``columns=True`` adds ``columnLineage`` (Lakegate's, not Atlas's): for a table-level walk, the
column edges of the table-level steps it shows — ``{guidEntityMap{column guid → header with its
table's guid}, relations[{fromEntityId, toEntityId, processId}]}``, column to column with the
process collapsed — so one answer draws a picture of tables with their columns linked. A column
edge is shown only when its step between the two tables is shown (same process, both tables in
the answer) and both columns pass ``visible`` too; nothing is reached through it.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from catalog.model import Entity, EntityType, LineageEdge
from catalog.reader import CatalogReader

#: namespace of the relationship ids in answers (uuid5 of "from>to")
RELATION_NAMESPACE = uuid.UUID("0c4e7a8d-5b1f-4e2a-9f36-7d21c3b8e915")
MAX_DEPTH = 20


class Direction(StrEnum):
    INPUT = "INPUT"
    OUTPUT = "OUTPUT"
    BOTH = "BOTH"


class LineageNotFound(LookupError):
    """The base entity does not exist or the caller may not see it (one answer for both)."""


@dataclass(frozen=True, slots=True)
class LineageIndex:
    """The edges by input, by output and by process; build once per catalog version."""

    by_input: Mapping[str, Sequence[LineageEdge]]
    by_output: Mapping[str, Sequence[LineageEdge]]
    by_process: Mapping[str, Sequence[LineageEdge]]

    @classmethod
    def build(cls, edges: Iterable[LineageEdge]) -> LineageIndex:
        by_input: dict[str, list[LineageEdge]] = defaultdict(list)
        by_output: dict[str, list[LineageEdge]] = defaultdict(list)
        by_process: dict[str, list[LineageEdge]] = defaultdict(list)
        for edge in edges:
            by_input[edge.input_guid].append(edge)
            by_output[edge.output_guid].append(edge)
            by_process[edge.process_guid].append(edge)
        return cls(dict(by_input), dict(by_output), dict(by_process))


class LineageIndexCache:
    """One :class:`LineageIndex` per catalog version: rebuilt only when the reader's version moves."""

    def __init__(self) -> None:
        self._version: str | None = None
        self._index: LineageIndex | None = None
        self._lock = threading.Lock()

    def get(self, reader: CatalogReader) -> LineageIndex:
        version = reader.version
        with self._lock:
            if self._index is not None and self._version == version:
                return self._index
        index = LineageIndex.build(reader.lineage_edges())
        with self._lock:
            self._version, self._index = version, index
        return index


def lineage(
    reader: CatalogReader,
    guid: str,
    direction: Direction,
    depth: int,
    visible: Callable[[Entity], bool],
    *,
    index: LineageIndex | None = None,
    columns: bool = False,
) -> dict[str, Any]:
    """The lineage of ``guid`` up to ``depth`` processes away, as Atlas's ``AtlasLineageInfo``;
    with ``columns``, also the column edges between the tables shown (``columnLineage``)."""
    if not 0 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be between 0 and {MAX_DEPTH}")
    direction = Direction(direction)  # a plain "INPUT" too; anything else is a ValueError
    walk = _Walk(reader, visible, index or LineageIndex.build(reader.lineage_edges()))
    base = walk.entity(guid)
    if base is None:
        raise LineageNotFound("no such entity")
    walk.shown[base.guid] = base
    if direction in (Direction.INPUT, Direction.BOTH):
        walk.run(base, depth, upstream=True)
    if direction in (Direction.OUTPUT, Direction.BOTH):
        walk.run(base, depth, upstream=False)
    terms = {t.guid: t.name for t in reader.terms()}
    answer: dict[str, Any] = {
        "baseEntityGuid": base.guid,
        "lineageDirection": direction.value,
        "lineageDepth": depth,
        "guidEntityMap": {g: entity_header(e, terms) for g, e in walk.shown.items()},
        "relations": [
            {"fromEntityId": a, "toEntityId": b, "relationshipId": relation_id(a, b)}
            for a, b in walk.relations
        ],
    }
    if columns:
        answer["columnLineage"] = walk.column_lineage(terms)
    return answer


def relation_id(from_guid: str, to_guid: str) -> str:
    return str(uuid.uuid5(RELATION_NAMESPACE, f"{from_guid}>{to_guid}"))


def entity_header(entity: Entity, term_names: Mapping[str, str]) -> dict[str, Any]:
    """Atlas's ``AtlasEntityHeader`` for one entity; never its storage location or format."""
    return {
        "guid": entity.guid,
        "typeName": entity.type.value,
        "status": "ACTIVE",
        "displayText": entity.name,
        "attributes": {
            "qualifiedName": entity.qualified_name,
            "name": entity.name,
            "description": entity.description,
            "owners": list(entity.owners),
        },
        "classificationNames": list(entity.classification_names),
        "meaningNames": sorted(term_names[t] for t in entity.terms if t in term_names),
        "deprecated": entity.deprecated,
    }


class _Walk:
    def __init__(self, reader: CatalogReader, visible: Callable[[Entity], bool], index: LineageIndex) -> None:
        self.reader = reader
        self.visible = visible
        self.index = index
        self.shown: dict[str, Entity] = {}
        self.relations: dict[tuple[str, str], None] = {}  # ordered set
        self._seen: dict[str, Entity | None] = {}

    def entity(self, guid: str) -> Entity | None:
        """The entity if it exists and the caller may see it (one lookup and one check per walk)."""
        if guid not in self._seen:
            found = self.reader.entity(guid)
            self._seen[guid] = found if found is not None and self.visible(found) else None
        return self._seen[guid]

    def column_lineage(self, terms: Mapping[str, str]) -> dict[str, Any]:
        """The column edges of the table-level steps shown, process collapsed (see the module)."""
        shown_columns: dict[str, Entity] = {}
        relations: dict[tuple[str, str, str], dict[str, str]] = {}
        processes = [g for g, e in self.shown.items() if e.type is EntityType.PROCESS]
        for process in processes:
            for edge in self.index.by_process.get(process, ()):
                source, target = self.entity(edge.input_guid), self.entity(edge.output_guid)
                if source is None or target is None:
                    continue
                if source.type is not EntityType.COLUMN or target.type is not EntityType.COLUMN:
                    continue
                if (source.parent_guid, process) not in self.relations:
                    continue
                if (process, target.parent_guid) not in self.relations:
                    continue
                shown_columns[source.guid] = source
                shown_columns[target.guid] = target
                relations[(source.guid, target.guid, process)] = {
                    "fromEntityId": source.guid,
                    "toEntityId": target.guid,
                    "processId": process,
                    "relationshipId": relation_id(f"{source.guid}>{process}", target.guid),
                }
        headers: dict[str, dict[str, Any]] = {}
        for guid, column in shown_columns.items():
            header = entity_header(column, terms)
            header["tableGuid"] = column.parent_guid
            header["attributes"]["dataType"] = column.data_type
            header["attributes"]["position"] = column.position
            headers[guid] = header
        return {"guidEntityMap": headers, "relations": list(relations.values())}

    def run(self, base: Entity, depth: int, *, upstream: bool) -> None:
        frontier = [base]
        reached = {base.guid}
        for _ in range(depth):
            following: list[Entity] = []
            for node in frontier:
                for process, other in self._steps(node, upstream=upstream):
                    self.shown[process.guid] = process
                    self.shown[other.guid] = other
                    if upstream:
                        self.relations[(other.guid, process.guid)] = None
                        if node.type is not EntityType.PROCESS:
                            self.relations[(process.guid, node.guid)] = None
                    else:
                        if node.type is not EntityType.PROCESS:
                            self.relations[(node.guid, process.guid)] = None
                        self.relations[(process.guid, other.guid)] = None
                    if other.guid not in reached:
                        reached.add(other.guid)
                        following.append(other)
            frontier = following
            if not frontier:
                break

    def _steps(self, node: Entity, *, upstream: bool) -> list[tuple[Entity, Entity]]:
        """(process, neighbour) pairs one process away from ``node``, both visible."""
        if node.type is EntityType.PROCESS:
            edges = self.index.by_process.get(node.guid, ())
        elif upstream:
            edges = self.index.by_output.get(node.guid, ())
        else:
            edges = self.index.by_input.get(node.guid, ())
        steps: list[tuple[Entity, Entity]] = []
        for edge in edges:
            if node.type is EntityType.PROCESS and self._is_column(node, edge, upstream):
                continue
            process = self.entity(edge.process_guid)
            other = self.entity(edge.input_guid if upstream else edge.output_guid)
            if process is not None and other is not None:
                steps.append((process, other))
        return steps

    def _is_column(self, process: Entity, edge: LineageEdge, upstream: bool) -> bool:
        """From a process, follow its table-level edges only (its columns are reached from tables')."""
        end = self.reader.entity(edge.input_guid if upstream else edge.output_guid)
        return end is None or end.type is EntityType.COLUMN
