"""What the Trino door changes in a query before the planner sees it, as tree rewrites.

* Session functions are answered here, where the session is known: ``version()``,
  ``current_user``, ``current_catalog``, ``current_schema``, ``current_timezone()`` become literals.
* Output columns are named as Trino names them: an expression without an alias is ``_col<N>``
  (DuckDB would call ``count(*)`` ``count_star()``).
* Queries over ``information_schema`` or the ``system`` catalog are told apart: the door answers
  them from metadata (see ``metadata_query``), never the engine.

A statement sqlglot cannot parse is passed on unchanged, so the planner reports the error.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import sqlglot
from cachetools import LRUCache
from sqlglot import exp
from sqlglot.errors import SqlglotError

from gateway.errors import LakegateError
from gateway.planner.passes.name_columns import name_trino_columns
from gateway.planner.passes.trino_literals import pin_decimal_literals
from gateway.planner.relations import relations

INFORMATION_SCHEMA = "information_schema"
SYSTEM = "system"
SYSTEM_SCHEMAS = ("jdbc", "metadata", "runtime")
_QUERY_ROOTS = (exp.Select, exp.SetOperation, exp.Subquery)
_PASS_THROUGH = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*(SHOW|DESCRIBE|DESC|EXPLAIN)\b", re.I | re.S)


def passes_through(sql: str) -> bool:
    """SHOW, DESCRIBE and EXPLAIN go to the planner as they are (it answers them)."""
    return bool(_PASS_THROUGH.match(sql))


@dataclass(frozen=True, slots=True)
class SessionValues:
    user: str
    catalog: str | None
    schema: str | None
    time_zone: str | None
    version: str


@dataclass(frozen=True, slots=True)
class Analysis:
    #: the SQL to plan (the client's own text when nothing changed)
    sql: str
    #: the query reads information_schema or system tables (answered from metadata)
    virtual: bool = False


def is_virtual(table: exp.Table, catalog: str | None, schema: str | None) -> bool:
    """Does this table reference (with the session's defaults) name a metadata table?"""
    db = (table.db or schema or "").lower()
    cat = (table.catalog or catalog or "").lower()
    return db == INFORMATION_SCHEMA or (cat == SYSTEM and db in SYSTEM_SCHEMAS)


#: Trino functions for special doubles (the Python client sends them as parameters)
_SPECIAL_DOUBLES = {"nan": "NaN", "infinity": "Infinity"}


def _literal(value: str | None) -> exp.Expr:
    return exp.Literal.string(value) if value is not None else exp.Null()


def _session_function(node: exp.Expr, values: SessionValues) -> exp.Expr:
    if isinstance(node, exp.Anonymous) and not node.expressions:
        special = _SPECIAL_DOUBLES.get(str(node.name).lower())
        if special is not None:
            return exp.cast(exp.Literal.string(special), exp.DataType.Type.DOUBLE)
    if isinstance(node, exp.CurrentVersion):
        return exp.Literal.string(values.version)
    if isinstance(node, exp.CurrentUser):
        return exp.Literal.string(values.user)
    if isinstance(node, exp.CurrentCatalog):
        return _literal(values.catalog)
    if isinstance(node, exp.CurrentTimezone):
        return _literal(values.time_zone or "UTC")
    if (
        isinstance(node, exp.Column)
        and not node.table
        and isinstance(node.this, exp.Identifier)
        and not node.this.quoted
        and node.name.lower() == "current_schema"
    ):
        return _literal(values.schema)
    return node


def apply_session_values(tree: exp.Expr, values: SessionValues) -> tuple[exp.Expr, bool]:
    """Replace session functions by their values (and ``nan()``, ``infinity()`` by the doubles);
    the new tree and whether anything changed."""
    replaced = False

    def replace(node: exp.Expr) -> exp.Expr:
        nonlocal replaced
        new = _session_function(node, values)
        replaced = replaced or new is not node
        return new

    return tree.transform(replace), replaced


@dataclass(frozen=True, slots=True)
class TreeAnalysis:
    tree: exp.Expr
    virtual: bool = False
    changed: bool = False


def analyze_tree(tree: exp.Expr, values: SessionValues) -> TreeAnalysis:
    """Classify a parsed query, and rewrite it (session functions, column names) unless virtual."""
    if not isinstance(tree, _QUERY_ROOTS):
        return TreeAnalysis(tree)
    try:
        tables = [r.table for r in relations(tree) if not r.is_cte]
    except LakegateError:
        return TreeAnalysis(tree)
    virtual = [t for t in tables if is_virtual(t, values.catalog, values.schema)]
    if virtual:
        return TreeAnalysis(tree, virtual=True)
    tree, replaced = apply_session_values(tree, values)
    named = name_trino_columns(tree, after_star=False)  # the planner names those by position
    return TreeAnalysis(tree, changed=named or replaced)


def analyze(sql: str, values: SessionValues) -> Analysis:
    if passes_through(sql):
        return Analysis(sql)
    try:
        tree = pin_decimal_literals(sqlglot.parse_one(sql, read="trino"))
    except (SqlglotError, RecursionError, ValueError, LakegateError):
        return Analysis(sql)
    result = analyze_tree(tree, values)
    if result.virtual:
        return Analysis(sql, virtual=True)
    return Analysis(result.tree.sql(dialect="trino") if result.changed else sql)


class Analyzer:
    """:func:`analyze` with an LRU cache (the same SQL from the same session analyzes alike);
    statements longer than ``max_cached_chars`` are analyzed each time (memory stays small)."""

    def __init__(self, size: int = 2048, max_cached_chars: int = 16_384) -> None:
        self.max_cached_chars = max_cached_chars
        self._cache: LRUCache[tuple[str, SessionValues], Analysis] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def cached(self, sql: str, values: SessionValues) -> Analysis | None:
        with self._lock:
            return self._cache.get((sql, values))

    def analyze(self, sql: str, values: SessionValues) -> Analysis:
        result = analyze(sql, values)
        if len(sql) <= self.max_cached_chars:
            with self._lock:
                self._cache[(sql, values)] = result
        return result
