"""Metadata search: documents from catalog entities, two backends (embedded tantivy, Apache Solr),
and each principal's access grant compiled into the index query."""

from catalog.search.access_keys import AccessGrant
from catalog.search.backend import SearchBackend
from catalog.search.index import CatalogSearch, EverythingVisible, SyncReport
from catalog.search.query import (
    FacetCount,
    FacetField,
    Highlight,
    Hit,
    SearchBackendError,
    SearchQuery,
    SearchRequestError,
    SearchResult,
    SortOrder,
    Suggestion,
)
from catalog.search.visibility import Principal, VisibilityDecider

__all__ = [
    "AccessGrant",
    "CatalogSearch",
    "EverythingVisible",
    "FacetCount",
    "FacetField",
    "Highlight",
    "Hit",
    "Principal",
    "SearchBackend",
    "SearchBackendError",
    "SearchQuery",
    "SearchRequestError",
    "SearchResult",
    "SortOrder",
    "Suggestion",
    "SyncReport",
    "VisibilityDecider",
]
