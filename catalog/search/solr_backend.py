"""The Apache Solr backend (large deployments), through pysolr, against a core created from the
configset in ``catalog/search/solr/conf``. Writes are batched; :meth:`commit` makes them visible.

Creating the core (Solr 9): standalone ``bin/solr create -c lakegate -d catalog/search/solr``;
SolrCloud ``bin/solr zk upconfig -n lakegate -d catalog/search/solr`` then
``bin/solr create -c lakegate -n lakegate``. Lakegate is then pointed at the core's URL
(``http://solr:8983/solr/lakegate``). The tests run it on a real Solr 9.10.1 node.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pysolr

from catalog.search.access_keys import AccessGrant
from catalog.search.backend import RawResult, StoredHit
from catalog.search.documents import SearchDocument
from catalog.search.query import FacetCount, SearchBackendError, SearchQuery
from catalog.search.ranking import FIELD_NAMES
from catalog.search.solr_query import search_params, suggest_params

log = logging.getLogger(__name__)
#: the configset to create the core from (solrconfig.xml and managed-schema.xml)
CONFIGSET = Path(__file__).resolve().parent / "solr"
BATCH = 5_000


def solr_document(doc: SearchDocument) -> dict[str, Any]:
    """A document as Solr stores it: the guid is the uniqueKey ``id``."""
    fields = {k: v for k, v in doc.items() if k != "guid"}
    fields["id"] = doc["guid"]
    return fields


class SolrBackend:
    name = "solr"

    def __init__(self, core_url: str, *, timeout: float = 30.0) -> None:
        self.solr = pysolr.Solr(core_url, always_commit=False, timeout=timeout)
        self._lock = threading.Lock()

    # -- writes -----------------------------------------------------------------------------
    def upsert(self, documents: Sequence[SearchDocument]) -> None:
        with self._lock:
            for start in range(0, len(documents), BATCH):
                batch = [solr_document(d) for d in documents[start : start + BATCH]]
                self.solr.add(batch, commit=False)

    def add_new(self, documents: Sequence[SearchDocument]) -> None:
        self.upsert(documents)  # Solr replaces by uniqueKey either way

    def delete(self, guids: Sequence[str]) -> None:
        if not guids:
            return
        with self._lock:
            for start in range(0, len(guids), BATCH):
                self.solr.delete(id=list(guids[start : start + BATCH]), commit=False)

    def clear(self) -> None:
        with self._lock:
            self.solr.delete(q="*:*", commit=False)

    def commit(self) -> None:
        with self._lock:
            self.solr.commit(waitSearcher=True)

    def count(self) -> int:
        return int(self.solr.search("*:*", rows=0).hits)

    def close(self) -> None:
        self.solr.get_session().close()

    # -- queries ----------------------------------------------------------------------------
    def _select(self, q: str, params: dict[str, Any]) -> Any:
        try:
            return self.solr.search(q, **params)
        except pysolr.SolrError as exc:
            log.error("Solr search failed: %s", exc)
            raise SearchBackendError("the search backend is not available") from None

    def search(self, query: SearchQuery, grant: AccessGrant) -> RawResult:
        q, params = search_params(query, grant)
        found = self._select(q, params)
        facets: dict[str, tuple[FacetCount, ...]] = {}
        fields = (found.facets or {}).get("facet_fields", {})
        for facet in query.facets:
            flat = fields.get(FIELD_NAMES[facet], [])
            facets[facet.value] = tuple(
                FacetCount(str(flat[i]), int(flat[i + 1])) for i in range(0, len(flat), 2) if flat[i] != ""
            )
        return RawResult(total=int(found.hits), hits=[_stored(d) for d in found.docs], facets=facets)

    def suggest(self, text: str, grant: AccessGrant, limit: int) -> Sequence[StoredHit]:
        built = suggest_params(text, grant, limit)
        if built is None:
            return []
        q, params = built
        return [_stored(d) for d in self._select(q, params).docs]


def _stored(doc: dict[str, Any]) -> StoredHit:
    def text(name: str) -> str:
        value = doc.get(name, "")
        return str(value[0] if isinstance(value, list) and value else value or "")

    return StoredHit(
        score=float(doc.get("score", 0.0)),
        guid=text("id"),
        type=text("type"),
        name=text("name"),
        qualified_name=text("qualified_name"),
        description=text("description"),
        source=text("source"),
        parent_guid=text("parent_guid"),
        columns_json=text("columns_json"),
        acl_tree=tuple(doc.get("acl_tree", ())),
        popularity=int(doc.get("popularity", 0)),
        deprecated=bool(doc.get("deprecated", False)),
    )
