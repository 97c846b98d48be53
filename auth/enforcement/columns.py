"""Every column of every base table a query reads, found through sqlglot's scopes.

The tree must already have its tables qualified (``catalog.schema.table``) and its columns
qualified with ``qualify_columns`` (stars expanded, every column tied to a source alias). Each
scope's columns are then mapped to the source they come from: a base table records the column;
a derived table or CTE is itself a scope and records the columns *it* reads. Correlated columns
are looked up in the enclosing scopes. Nothing is pruned: a column a subquery selects counts
even if the outer query never uses it, which errs on the side of denying.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

TableKey = tuple[str, str, str]


def table_key(table: exp.Table) -> TableKey:
    return (table.catalog, table.db, table.name)


def _source_of(scope: Scope | None, alias: str) -> exp.Table | Scope | None:
    while scope is not None:
        source = scope.sources.get(alias)
        if source is not None:
            return source if isinstance(source, exp.Table | Scope) else None
        scope = scope.parent
    return None


def columns_read(tree: exp.Expr) -> dict[TableKey, set[str]]:
    """Base table -> the columns read from it (an empty set: the table is read, no column)."""
    read: dict[TableKey, set[str]] = {}
    for scope in traverse_scope(tree):
        for source in scope.sources.values():
            if isinstance(source, exp.Table) and source.args.get("db"):
                read.setdefault(table_key(source), set())
        for column in scope.columns:
            if not column.table:
                continue
            origin = _source_of(scope, column.table)
            if isinstance(origin, exp.Table) and origin.args.get("db"):
                read.setdefault(table_key(origin), set()).add(column.name)
    return read
