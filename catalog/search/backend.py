"""The search backend protocol: an index of :class:`SearchDocument` that filters by access grant.

Backends answer with stored fields; turning them into hits (highlights, matched columns) is shared
(``render``), so both backends show the same things under the same grant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from catalog.search.access_keys import AccessGrant
from catalog.search.documents import SearchDocument
from catalog.search.query import FacetCount, SearchQuery

#: entity types autocomplete offers
SUGGESTED_TYPES = ("table", "view", "column", "schema", "catalog", "glossary_term")


@dataclass(frozen=True, slots=True)
class StoredHit:
    """A matched document's stored fields."""

    score: float
    guid: str
    type: str
    name: str
    qualified_name: str
    description: str
    source: str
    parent_guid: str
    columns_json: str
    acl_tree: tuple[str, ...]
    popularity: int
    deprecated: bool


@dataclass(frozen=True, slots=True)
class RawResult:
    total: int
    hits: Sequence[StoredHit]
    facets: Mapping[str, tuple[FacetCount, ...]] = field(default_factory=dict)


class SearchBackend(Protocol):
    name: str

    def upsert(self, documents: Sequence[SearchDocument]) -> None:
        """Add or replace documents by guid (visible after ``commit``)."""
        ...

    def add_new(self, documents: Sequence[SearchDocument]) -> None:
        """Add documents known to be new (a first build, no replace by guid needed)."""
        ...

    def delete(self, guids: Sequence[str]) -> None: ...

    def clear(self) -> None: ...

    def commit(self) -> None:
        """Make every change so far visible to searches."""
        ...

    def count(self) -> int: ...

    def search(self, query: SearchQuery, grant: AccessGrant) -> RawResult: ...

    def suggest(self, text: str, grant: AccessGrant, limit: int) -> Sequence[StoredHit]: ...

    def close(self) -> None: ...
