"""The catalog service: harvests the connectors into the store, and serves the merged catalog.

It implements :class:`catalog.reader.CatalogReader` (what search, the API and Atlas export
read), takes curation and lineage writes, gives the policy engine its tags and the planner its
metadata snapshot. The merged entities are cached and rebuilt when the store's version changes
(whichever gateway instance changed it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from catalog.glossary_terms import term_guid
from catalog.harvest.harvester import harvest
from catalog.harvest.result import RefreshResult
from catalog.merge import merge
from catalog.metadata import MetadataSnapshot
from catalog.model import (
    DATASET_TYPES,
    Classification,
    Entity,
    EntityType,
    GlossaryTerm,
    LineageEdge,
    ResourcePath,
    entity_guid,
)
from catalog.store import CatalogStore
from catalog.store.store import UNSET, HarvestRun, Process, _Unset
from connectors.base import CatalogInfo, Connector

log = logging.getLogger(__name__)

#: the entity types curation may be written on
CURATABLE = frozenset(
    {
        EntityType.SOURCE,
        EntityType.CATALOG,
        EntityType.SCHEMA,
        EntityType.TABLE,
        EntityType.VIEW,
        EntityType.COLUMN,
    }
)


class UnknownEntity(KeyError):
    """No active entity (or glossary term) has this guid."""


@dataclass(frozen=True, slots=True)
class _View:
    key: str
    entities: dict[str, Entity]
    children: dict[str, list[Entity]] = field(default_factory=dict)
    #: tables, views and columns by ``catalog.schema.table[.column]`` in lower case
    by_key: dict[str, Entity] = field(default_factory=dict)


class CatalogService:
    def __init__(self, store: CatalogStore, *, instance: str = "lakegate") -> None:
        self.store = store
        self.instance = instance
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._view: _View | None = None
        self._popularity: dict[str, int] = {}
        self._popularity_version = 0
        self._catalogs: dict[str, CatalogInfo] = {}
        self._order: list[str] = []
        self.last_refresh: RefreshResult | None = None

    # -- harvesting ------------------------------------------------------------------------------
    def refresh(self, connectors: Sequence[Connector]) -> RefreshResult:
        """Harvest every connector (one refresh at a time in this process; the store serialises
        writers across processes). A failing source is reported, never raised."""
        with self._refresh_lock:
            started, clock = time.time(), time.perf_counter()
            outcome = harvest(self.store, connectors, self.instance)
            duration = (time.perf_counter() - clock) * 1000
            order = [info.name for c in connectors for info in c.catalogs()]
            with self._lock:
                for name, info in outcome.catalogs.items():
                    self._catalogs[name] = info
                for c in connectors:
                    for info in c.catalogs():
                        # a source that failed keeps what it last had (or what the engine says now)
                        self._catalogs.setdefault(info.name, info)
                self._catalogs = {n: self._catalogs[n] for n in order if n in self._catalogs}
                self._order = order
            try:
                self.store.record_runs(
                    [
                        HarvestRun(
                            r.name, self.instance, started, r.duration_ms, r.status, r.message,
                            r.added, r.changed, r.removed,
                        )
                        for r in outcome.results
                    ]
                )  # fmt: skip
            except Exception:
                log.exception("the harvest runs could not be recorded")
            try:
                version = self.version
            except Exception:
                log.exception("the catalog store's version could not be read")
                version = "unknown"
            result = RefreshResult(started, duration, tuple(outcome.results), version)
            self.last_refresh = result
            for source in result.problems:
                log.warning("catalog source %s: %s: %s", source.name, source.status, source.message)
            return result

    def snapshot(self) -> MetadataSnapshot:
        """The planner's metadata: what the last refresh harvested (a failed source: its last)."""
        with self._lock:
            return MetadataSnapshot(list(self._catalogs.values()))

    def runs(self, limit: int = 100) -> list[HarvestRun]:
        return self.store.runs(limit)

    # -- CatalogReader ---------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return f"{self.store.version()}.{self._popularity_version}"

    def _current(self) -> _View:
        key = self.version
        view = self._view
        if view is not None and view.key == key:
            return view
        with self._lock:
            popularity = dict(self._popularity)
        entities = merge(
            self.store.entities(), self.store.curations(), self.store.lineage_edges(), popularity
        )
        for process in self.store.processes():
            # Processes (registered queries, views' SQL) are entities too: lineage walks them.
            entities[process.guid] = Entity(
                guid=process.guid,
                type=EntityType.PROCESS,
                qualified_name=f"{process.name}@{self.instance}",
                name=process.name,
                source="lineage",
                path=ResourcePath(),
                view_sql=process.sql,
                created_at=process.created_at,
            )
        children: dict[str, list[Entity]] = {}
        for entity in entities.values():
            if entity.parent_guid is not None:
                children.setdefault(entity.parent_guid, []).append(entity)
        for items in children.values():
            items.sort(key=lambda e: (e.position if e.position is not None else 0, e.name))
        by_key = {
            e.path.key().lower(): e
            for e in entities.values()
            if e.type in (*DATASET_TYPES, EntityType.COLUMN)
        }
        view = _View(key, entities, children, by_key)
        self._view = view
        return view

    def entity(self, guid: str) -> Entity | None:
        return self._current().entities.get(guid)

    def entities(self) -> Iterable[Entity]:
        return list(self._current().entities.values())

    def children(self, guid: str) -> Sequence[Entity]:
        return list(self._current().children.get(guid, ()))

    def terms(self) -> Sequence[GlossaryTerm]:
        return self.store.terms()

    def lineage_edges(self) -> Sequence[LineageEdge]:
        return self.store.lineage_edges()

    def processes(self) -> Sequence[Process]:
        return self.store.processes()

    def find(self, key: str) -> Entity | None:
        """The active table, view or column at ``catalog.schema.table[.column]`` (any case)."""
        return self._current().by_key.get(key.lower())

    # -- tags for the policy engine --------------------------------------------------------------
    def tags(self) -> dict[str, list[str]]:
        """``catalog.schema.table[.column]`` -> classification names (own and propagated), for the
        tag-based policies of :mod:`auth.authorizer`."""
        out: dict[str, list[str]] = {}
        for entity in self._current().entities.values():
            if entity.classifications and entity.type in (*DATASET_TYPES, EntityType.COLUMN):
                out[entity.path.key()] = list(entity.classification_names)
        return dict(sorted(out.items()))

    def tag_details(self) -> dict[str, list[tuple[str, dict[str, str]]]]:
        """As :meth:`tags`, with each classification's attributes (tag policies' conditions read
        them); own classifications before propagated ones, one per name."""
        out: dict[str, list[tuple[str, dict[str, str]]]] = {}
        for entity in self._current().entities.values():
            if entity.classifications and entity.type in (*DATASET_TYPES, EntityType.COLUMN):
                ordered = sorted(entity.classifications, key=lambda c: c.propagated_from is not None)
                seen: dict[str, dict[str, str]] = {}
                for classification in ordered:
                    seen.setdefault(classification.name, dict(classification.attributes))
                out[entity.path.key()] = list(seen.items())
        return dict(sorted(out.items()))

    # -- popularity ------------------------------------------------------------------------------
    def set_popularity(self, counts: Mapping[str, int]) -> None:
        """Queries per table over the last 30 days, keyed ``catalog.schema.table`` (any case)."""
        with self._lock:
            self._popularity = {k.lower(): int(v) for k, v in counts.items()}
            self._popularity_version += 1

    # -- curation --------------------------------------------------------------------------------
    def _curatable(self, guid: str) -> Entity:
        entity = self.entity(guid)
        if entity is None or entity.type not in CURATABLE:
            raise UnknownEntity(guid)
        return entity

    def update(
        self,
        guid: str,
        *,
        user: str | None,
        description: str | _Unset | None = UNSET,
        owners: Iterable[str] | _Unset = UNSET,
        deprecated: bool | _Unset = UNSET,
    ) -> Entity:
        """Set the description (None: back to the source's comment), owners or deprecation."""
        self._curatable(guid)
        self.store.update_curation(
            guid, user=user, description=description, owners=owners, deprecated=deprecated
        )
        return self._must(guid)

    def add_classification(
        self,
        guid: str,
        name: str,
        *,
        user: str | None,
        attributes: Mapping[str, str] | None = None,
        propagate: bool = True,
    ) -> Entity:
        self._curatable(guid)
        self.store.add_classification(
            guid, Classification(name, dict(attributes or {}), propagate), user=user
        )
        return self._must(guid)

    def remove_classification(self, guid: str, name: str) -> bool:
        self._curatable(guid)
        return self.store.remove_classification(guid, name)

    def create_term(
        self,
        name: str,
        *,
        glossary: str = "default",
        short_description: str | None = None,
        long_description: str | None = None,
        synonyms: Sequence[str] = (),
    ) -> GlossaryTerm:
        term = GlossaryTerm(
            guid=term_guid(name, glossary),
            name=name,
            glossary=glossary,
            short_description=short_description,
            long_description=long_description,
            synonyms=tuple(synonyms),
        )
        self.store.put_term(term)
        return term

    def term(self, guid: str) -> GlossaryTerm | None:
        return next((t for t in self.store.terms() if t.guid == guid), None)

    def assign_term(self, guid: str, term_guid: str) -> bool:
        self._curatable(guid)
        if self.term(term_guid) is None:
            raise UnknownEntity(term_guid)
        return self.store.assign_term(guid, term_guid)

    def unassign_term(self, guid: str, term_guid: str) -> bool:
        self._curatable(guid)
        return self.store.unassign_term(guid, term_guid)

    # -- lineage ---------------------------------------------------------------------------------
    def put_lineage(
        self,
        name: str,
        pairs: Iterable[tuple[str, str]],
        *,
        sql: str | None = None,
        user: str | None = None,
    ) -> str:
        """Record a process ``name`` feeding each (input guid, output guid); returns its guid.
        Writing the same name again replaces its edges."""
        guid = entity_guid(EntityType.PROCESS, f"{name}@{self.instance}")
        edges = [LineageEdge(guid, i, o) for i, o in pairs]
        current = self._current().entities
        for edge in edges:
            for end in (edge.input_guid, edge.output_guid):
                if end not in current:
                    raise UnknownEntity(end)
        self.store.put_process(guid, name, edges, sql=sql, user=user)
        return guid

    def remove_lineage(self, process_guid: str) -> bool:
        return self.store.remove_process(process_guid)

    def _must(self, guid: str) -> Entity:
        entity = self.entity(guid)
        if entity is None:
            raise UnknownEntity(guid)
        return entity

    def close(self) -> None:
        self.store.close()
