"""What both backends rank by: field boosts, typo tolerance, prefix length, facet sizes, and the
index field behind every filter (one place, so the embedded index and Solr rank alike)."""

from __future__ import annotations

from catalog.search.query import FacetField

#: facet/filter field → index field
FIELD_NAMES: dict[FacetField, str] = {
    FacetField.TYPE: "type",
    FacetField.SOURCE: "source",
    FacetField.CATALOG: "catalog",
    FacetField.SCHEMA: "schema",
    FacetField.OWNER: "owner",
    FacetField.CLASSIFICATION: "classification",
    FacetField.TERM: "term",
    FacetField.FORMAT: "format",
}
FACET_SIZE = 50
#: field boosts
BOOST_NAME_EXACT = 60.0
BOOST_QNAME_EXACT = 50.0
BOOST_NAME = 10.0
BOOST_QNAME = 4.0
BOOST_COLUMNS = 3.0
BOOST_KEYWORDS = 3.0
BOOST_DESCRIPTION = 1.0
BOOST_FUZZY = 2.0
BOOST_PREFIX = 2.0
MIN_PREFIX = 2


def fuzzy_distances(word: str) -> tuple[int, ...]:
    """Typo tolerance by word length: none below 4 characters, 1 edit up to 8, 2 from 9 (one edit
    scoring above two)."""
    return () if len(word) < 4 else (1,) if len(word) < 9 else (1, 2)


def filter_values(facet: FacetField, values: tuple[str, ...]) -> list[str]:
    """Filter values as indexed: entity types and storage formats are lower-case."""
    return [v.lower() for v in values] if facet in (FacetField.FORMAT, FacetField.TYPE) else list(values)
