"""The catalog's search index: kept in step with a :class:`CatalogReader`, searched under each
principal's access grant. This is the API the HTTP endpoints call.

    search = CatalogSearch(open_backend("tantivy", index_path=...), AuthorizerVisibility(authorizer))
    search.sync(reader)                      # at start-up and after every refresh or edit
    search.search(identity, SearchQuery("order items", facets=(FacetField.TYPE,)))
    search.suggest(identity, "ord")
    search.can_see(identity, entity)         # GET /v1/entities/{id}: 404 unless True

``SearchRequestError`` (a bad request; safe message) and ``SearchBackendError`` (Solr down) are
the errors to map to HTTP answers. Without an authorizer (``decider=None``) every entity is
visible and nobody is an administrator. Without a signed-in user, pass an identity such as
``Identity("anonymous")``: it sees what the policies grant that identity.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from catalog.model import Entity, EntityType, ResourcePath
from catalog.reader import CatalogReader
from catalog.search.access_keys import AccessGrant, document_keys
from catalog.search.backend import SearchBackend
from catalog.search.documents import (
    SEARCHED_TYPES,
    SearchDocument,
    build_document,
    document_digest,
    term_document,
)
from catalog.search.query import SearchQuery, SearchResult, Suggestion
from catalog.search.render import QueryTerms, render
from catalog.search.visibility import (
    Principal,
    ResourceTree,
    VisibilityCompiler,
    VisibilityDecider,
)

MAX_SUGGESTIONS = 20
#: documents built and handed to the backend at a time (bounds memory on a first build)
WRITE_BATCH = 10_000


class EverythingVisible:
    """The decider when no policies are configured: every resource is visible, nobody is an
    administrator (storage details stay hidden)."""

    version = "no-policies"

    def refresh(self) -> None:
        return None

    def is_admin(self, principal: Principal) -> bool:
        return False

    def can_see(self, principal: Principal, path: ResourcePath) -> bool:
        return True

    def signature(self, path: ResourcePath, parent: Hashable | None) -> Hashable:
        return "all"


@dataclass(frozen=True, slots=True)
class SyncReport:
    version: str
    upserted: int
    deleted: int
    seconds: float


class CatalogSearch:
    def __init__(self, backend: SearchBackend, decider: VisibilityDecider | None = None) -> None:
        self.backend = backend
        self.visibility = VisibilityCompiler(decider if decider is not None else EverythingVisible())
        self._lock = threading.Lock()
        self._digests: dict[str, int] = {}
        self._parents: dict[str, str] = {}
        self._term_digests: dict[str, int] = {}
        self._term_names: dict[str, str] = {}
        self._tree = ResourceTree()
        self._tree_version = "empty"
        self._synced: str | None = None

    # -- keeping in step --------------------------------------------------------------------
    def sync(self, reader: CatalogReader) -> SyncReport:
        """Bring the index to the reader's state: only changed entities are re-indexed."""
        started = time.perf_counter()
        with self._lock:
            version = reader.version
            if version == self._synced:
                return SyncReport(version, 0, 0, 0.0)
            terms = reader.terms()
            term_names = {t.guid: t.name for t in terms}
            rebuild_all = term_names != self._term_names
            entities: dict[str, Entity] = {}
            digests: dict[str, int] = {}
            columns: dict[str, list[Entity]] = {}
            for entity in reader.entities():
                if entity.type not in SEARCHED_TYPES or entity.type is EntityType.GLOSSARY_TERM:
                    continue
                entities[entity.guid] = entity
                digests[entity.guid] = document_digest(entity)
                if entity.type is EntityType.COLUMN and entity.parent_guid:
                    columns.setdefault(entity.parent_guid, []).append(entity)
            old = self._digests
            changed = set(entities) if rebuild_all else {g for g, d in digests.items() if old.get(g) != d}
            removed = [g for g in old if g not in entities]
            parents = {g: e.parent_guid for g, e in entities.items() if e.type is EntityType.COLUMN}
            for guid in [*changed, *removed]:  # a changed or dropped column changes its table's document
                parent = parents.get(guid) or self._parents.get(guid)
                if parent is not None and parent in entities:
                    changed.add(parent)
            write = self.backend.upsert if old or self._term_digests else self.backend.add_new
            pending = [g for g in entities if g in changed]  # the reader's order: ties rank alike
            for start in range(0, len(pending), WRITE_BATCH):
                batch = pending[start : start + WRITE_BATCH]
                write([build_document(entities[g], columns.get(g, ()), term_names) for g in batch])
            term_digests = {t.guid: hash(repr(t)) for t in terms}
            term_docs: list[SearchDocument] = [
                term_document(t) for t in terms if self._term_digests.get(t.guid) != term_digests[t.guid]
            ]
            write(term_docs)
            removed.extend(g for g in self._term_digests if g not in term_digests)
            self.backend.delete(removed)
            self.backend.commit()
            if removed or any(g not in old for g in changed):  # resources came or went
                self._tree = ResourceTree.of(e.path for e in entities.values())
                self._tree_version = version
            self._parents = {g: p for g, p in parents.items() if p is not None}
            self._digests = digests
            self._term_digests = term_digests
            self._term_names = term_names
            self._synced = version
            return SyncReport(
                version, len(changed) + len(term_docs), len(removed), time.perf_counter() - started
            )

    # -- questions --------------------------------------------------------------------------
    def grant(self, principal: Principal) -> AccessGrant:
        return self.visibility.grant(principal, self._tree, self._tree_version)

    def search(self, principal: Principal, query: SearchQuery) -> SearchResult:
        grant = self.grant(principal)
        checked = query.validated(admin=grant.admin)
        raw = self.backend.search(checked, grant)
        terms = QueryTerms(checked.text)
        hits = tuple(render(h, terms, grant, checked.highlight) for h in raw.hits)
        return SearchResult(total=raw.total, hits=hits, facets=raw.facets)

    def suggest(self, principal: Principal, text: str, limit: int = 10) -> Sequence[Suggestion]:
        grant = self.grant(principal)
        SearchQuery(text).validated(admin=grant.admin)
        found = self.backend.suggest(text, grant, max(1, min(limit, MAX_SUGGESTIONS)))
        return [Suggestion(h.guid, h.type, h.name, h.qualified_name) for h in found]

    def can_see(self, principal: Principal, entity: Entity) -> bool:
        """Whether search would ever show this entity to the principal (entity look-ups by id
        answer "not found" otherwise, as for an entity that does not exist)."""
        if entity.type not in SEARCHED_TYPES:
            return self.grant(principal).admin
        column = entity.path.column if entity.type is EntityType.COLUMN else None
        return self.grant(principal).sees(document_keys(entity.type, entity.path)[1], column)
