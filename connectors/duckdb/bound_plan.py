"""What the engine actually binds: the scans at the leaves of DuckDB's physical plan.

The planner proves on its own tree that a query reads only CTEs and the tables it authorized.
As defence in depth the embedded engine checks what DuckDB itself bound, before running a query
the first time: every leaf of ``EXPLAIN (FORMAT JSON)`` must either read no stored data (a CTE,
VALUES, UNNEST, a constant) or be a scan that one of the query's authorized tables makes, reading
only that table's columns. A table's scans are learned from the plan of ``SELECT *`` over it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb

#: leaves that read no stored data: constants, VALUES, CTE and recursive-CTE scans, the
#: duplicate-eliminated side of a correlated subquery, UNNEST of a value
NEUTRAL = frozenset(
    {
        "DUMMY_SCAN",
        "EMPTY_RESULT",
        "COLUMN_DATA_SCAN",
        "EXPRESSION_SCAN",
        "CTE_SCAN",
        "REC_CTE_SCAN",
        "REC_KEY_SCAN",
        "DELIM_SCAN",
        "CHUNK_SCAN",
        "HASH_GROUP_BY",
        "PERFECT_HASH_GROUP_BY",
        "UNNEST",
    }
)
#: a scan's operator and what it reads
ScanKey = tuple[str, tuple[tuple[str, str], ...]]
#: the extra_info keys that say what a scan reads (the rest are estimates, filters, columns)
_IDENTITY = ("Table", "File", "Function", "Database", "Schema")


@dataclass(frozen=True, slots=True)
class Scan:
    operator: str
    #: what the scan reads: table, file, function, database as DuckDB states them
    identity: tuple[tuple[str, str], ...]
    columns: frozenset[str]

    @property
    def key(self) -> ScanKey:
        return (self.operator, self.identity)

    @property
    def neutral(self) -> bool:
        function = dict(self.identity).get("Function")
        return self.operator in NEUTRAL and function in (None, "UNNEST")


def bound_scans(cursor: duckdb.DuckDBPyConnection, sql: str) -> list[Scan]:
    """The leaves of the physical plan DuckDB binds for ``sql`` (raises duckdb.Error as running it would)."""
    rows = cursor.execute("EXPLAIN (FORMAT JSON) " + sql).fetchall()
    scans: list[Scan] = []
    for _, plan in rows:
        for root in json.loads(plan):
            scans.extend(_leaves(root))
    return scans


def _leaves(node: dict[str, Any]) -> Iterator[Scan]:
    children = node.get("children") or []
    if not children:
        info = node.get("extra_info") or {}
        identity = tuple((k, str(info[k])) for k in _IDENTITY if k in info)
        projections = info.get("Projections") or []
        if isinstance(projections, str):
            projections = [p for p in projections.split("\n") if p]
        yield Scan(str(node.get("name")), identity, frozenset(str(p).casefold() for p in projections))
    for child in children:
        yield from _leaves(child)


def unauthorized(scans: list[Scan], allowed: dict[ScanKey, set[str]]) -> list[Scan]:
    """The scans that are neither neutral nor made by an authorized table (over its own columns)."""
    bad = []
    for scan in scans:
        if scan.neutral:
            continue
        columns = allowed.get(scan.key)
        if columns is None or not scan.columns <= columns:
            bad.append(scan)
    return bad
