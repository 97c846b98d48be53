"""What a search asks and what it answers, the same for every backend."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class SortOrder(StrEnum):
    RELEVANCE = "relevance"
    NAME = "name"
    POPULARITY = "popularity"
    UPDATED = "updated"


class FacetField(StrEnum):
    """The fields one may filter and facet on (an allowlist; anything else is refused)."""

    TYPE = "type"
    SOURCE = "source"
    CATALOG = "catalog"
    SCHEMA = "schema"
    OWNER = "owner"
    CLASSIFICATION = "classification"
    TERM = "term"
    FORMAT = "format"  # storage format: administrators only


#: fields only administrators may filter or facet on (storage details)
ADMIN_ONLY_FIELDS = frozenset({FacetField.FORMAT})
MAX_LIMIT = 100
MAX_OFFSET = 10_000
MAX_QUERY_CHARS = 500


class SearchRequestError(ValueError):
    """A search that cannot be run as asked; the message is safe to show."""


class SearchBackendError(RuntimeError):
    """The search backend failed (Solr unreachable, ...); the message is safe to show, the cause
    is logged."""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str = ""
    #: field → accepted values (OR within a field, AND across fields)
    filters: Mapping[FacetField, tuple[str, ...]] = field(default_factory=dict)
    facets: tuple[FacetField, ...] = ()
    offset: int = 0
    limit: int = 10
    sort: SortOrder = SortOrder.RELEVANCE
    highlight: bool = True

    def validated(self, *, admin: bool) -> SearchQuery:
        if len(self.text) > MAX_QUERY_CHARS:
            raise SearchRequestError(f"the query is longer than {MAX_QUERY_CHARS} characters")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise SearchRequestError(f"offset must be between 0 and {MAX_OFFSET}")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise SearchRequestError(f"limit must be between 1 and {MAX_LIMIT}")
        asked = set(self.filters) | set(self.facets)
        if not admin and asked & ADMIN_ONLY_FIELDS:
            raise SearchRequestError("storage format is shown to administrators only")
        for name, values in self.filters.items():
            if not isinstance(name, FacetField):
                raise SearchRequestError(f"unknown filter {name!r}")
            if not values or any(not v for v in values):
                raise SearchRequestError(f"filter {name.value} needs at least one non-empty value")
        return self


@dataclass(frozen=True, slots=True)
class Highlight:
    """A field's text with the matched words marked ``<em>…</em>`` (the rest HTML-escaped)."""

    field: str
    fragment: str


@dataclass(frozen=True, slots=True)
class Hit:
    guid: str
    type: str
    qualified_name: str
    name: str
    score: float
    description: str | None = None
    source: str | None = None
    parent_guid: str | None = None
    #: table and view hits: the visible columns whose names or descriptions match the query
    matched_columns: tuple[str, ...] = ()
    highlights: tuple[Highlight, ...] = ()
    popularity: int = 0
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetCount, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Suggestion:
    guid: str
    type: str
    name: str
    qualified_name: str
