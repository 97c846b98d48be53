"""What the rest of Lakegate reads from the catalog: the search index, the HTTP API, Atlas export.

The catalog service (harvesting, the state store, curation) implements it; readers never see
how entities are stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from catalog.model import Entity, GlossaryTerm, LineageEdge


class CatalogReader(Protocol):
    @property
    def version(self) -> str:
        """Changes whenever any entity, curation, term or lineage edge changes."""
        ...

    def entity(self, guid: str) -> Entity | None: ...

    def entities(self) -> Iterable[Entity]:
        """Every active entity, merged (harvested facts + curation + propagated classifications)."""
        ...

    def children(self, guid: str) -> Sequence[Entity]: ...

    def terms(self) -> Sequence[GlossaryTerm]: ...

    def lineage_edges(self) -> Sequence[LineageEdge]: ...
