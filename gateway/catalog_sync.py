"""After every catalog change: the policy engine's tags and the search index follow.

The catalog is the tag source of tag-based policies (a column classified ``PII`` is masked by a
``PII`` tag policy from the next query on), and the search index must show what the catalog holds.
Both are brought up to date here, after a harvest and after every curation write; a write that
another gateway instance made reaches this one at its next scheduled refresh.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from auth.authorizer import Authorizer
from catalog.reader import CatalogReader

log = logging.getLogger(__name__)


class TagSource(CatalogReader, Protocol):
    def tag_details(self) -> dict[str, list[tuple[str, dict[str, str]]]]: ...


class SearchIndex(Protocol):
    def sync(self, reader: CatalogReader) -> object: ...


class CatalogSync:
    def __init__(
        self, catalog: TagSource, authorizer: Authorizer | None, search: SearchIndex | None = None
    ) -> None:
        self.catalog = catalog
        self.authorizer = authorizer
        self.search = search
        self._lock = threading.Lock()
        self._tags_version: str | None = None

    def sync(self) -> None:
        """Bring tags and the index up to the catalog's current version (cheap when unchanged)."""
        with self._lock:
            version = self.catalog.version
            if self.authorizer is not None and version != self._tags_version:
                self.authorizer.set_catalog_tags(self.catalog.tag_details(), version)
                self._tags_version = version
            if self.search is not None:
                self.search.sync(self.catalog)
