"""Lineage: column-level lineage from SQL, the Atlas-shaped lineage graph, classification propagation."""

from catalog.lineage.graph import (
    Direction,
    LineageIndex,
    LineageIndexCache,
    LineageNotFound,
    entity_header,
    lineage,
)
from catalog.lineage.propagation import propagate_classifications, propagate_with_hierarchy
from catalog.lineage.sql import DerivedLineage, LineageError, TableRef, query_lineage, view_lineage

__all__ = [
    "DerivedLineage",
    "Direction",
    "LineageError",
    "LineageIndex",
    "LineageIndexCache",
    "LineageNotFound",
    "TableRef",
    "entity_header",
    "lineage",
    "propagate_classifications",
    "propagate_with_hierarchy",
    "query_lineage",
    "view_lineage",
]
