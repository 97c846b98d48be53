"""Lineage: column-level lineage from SQL, the Atlas-shaped lineage graph, classification propagation."""

from catalog.lineage.graph import (
    Direction,
    LineageIndex,
    LineageIndexCache,
    LineageNotFound,
    entity_header,
    lineage,
)
from catalog.lineage.propagation import propagate_classifications
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
    "query_lineage",
    "view_lineage",
]
