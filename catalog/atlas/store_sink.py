"""Where an Atlas import lands: the catalog's store, as the unit ``import:<source>``.

The unit is replaced whole by each import (entities that Atlas no longer has disappear) and is
never touched by harvesting. Curation from Atlas (descriptions, owners, classifications, terms)
is written like a steward's, so it survives re-imports and re-harvests. Lineage from Atlas is
recorded as processes, replaced whole per process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from catalog.harvest.harvester import IMPORTED
from catalog.model import Curation, EntityType, GlossaryTerm, HarvestedEntity, LineageEdge
from catalog.store import CatalogStore

IMPORT_USER = "atlas-import"


class StoreSink:
    def __init__(self, store: CatalogStore) -> None:
        self.store = store
        self._process_names: dict[str, str] = {}

    def replace_source(self, source: str, entities: Sequence[HarvestedEntity]) -> None:
        digest = hashlib.sha256()
        for entity in entities:
            digest.update(f"{entity.guid}:{entity.fingerprint}\n".encode())
            if entity.type is EntityType.PROCESS:
                self._process_names[entity.guid] = entity.name
        datasets = [e for e in entities if e.type is not EntityType.PROCESS]
        self.store.sync_unit(IMPORTED + source, digest.hexdigest(), datasets)

    def set_curation(self, guid: str, curation: Curation) -> None:
        self.store.update_curation(
            guid,
            user=IMPORT_USER,
            description=curation.description,
            owners=curation.owners,
            deprecated=curation.deprecated,
        )
        for classification in curation.classifications:
            self.store.add_classification(guid, classification, user=IMPORT_USER)
        for term in curation.terms:
            self.store.assign_term(guid, term)

    def put_terms(self, terms: Sequence[GlossaryTerm]) -> None:
        for term in terms:
            self.store.put_term(term)

    def replace_lineage(self, source: str, edges: Sequence[LineageEdge]) -> None:
        by_process: dict[str, list[LineageEdge]] = {}
        for edge in edges:
            by_process.setdefault(edge.process_guid, []).append(edge)
        for guid, own in by_process.items():
            name = self._process_names.get(guid, f"{source} process {guid[:8]}")
            self.store.put_process(guid, name, own, user=IMPORT_USER)
