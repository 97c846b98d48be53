"""Every column of every base table a query reads, found through sqlglot's scopes.

The tree must already have its tables qualified (``catalog.schema.table``) and its columns
qualified with ``qualify_columns`` (stars expanded, every column tied to a source alias). Each
scope's columns are then mapped to the source they come from: a base table records the column;
a derived table or CTE is itself a scope and records the columns *it* reads. Correlated columns
are looked up in the enclosing scopes. Nothing is pruned: a column a subquery selects counts
even if the outer query never uses it, which errs on the side of denying.

A base table renamed with a column list (``customers AS x(a, b, c)``) is read through its alias
names: ``a`` is the table's first stored column, and so on; the columns past the list keep their
stored names. The check is made on the stored column behind each name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

TableKey = tuple[str, str, str]
#: the stored column names of a table, in order
ColumnsOf = Callable[[TableKey], Sequence[str]]


def table_key(table: exp.Table) -> TableKey:
    return (table.catalog, table.db, table.name)


def _source_of(scope: Scope | None, alias: str) -> exp.Table | Scope | None:
    while scope is not None:
        source = scope.sources.get(alias)
        if source is not None:
            return source if isinstance(source, exp.Table | Scope) else None
        scope = scope.parent
    return None


def stored_columns(table: exp.Table, name: str, columns_of: ColumnsOf) -> tuple[str, ...]:
    """The stored column(s) behind ``name`` as read through ``table``'s alias column list.

    Two when the name is both an alias and a stored name past the list (both are checked).
    """
    alias = table.args.get("alias")
    renamed = [c.name for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
    if not renamed:
        return (name,)
    stored = list(columns_of(table_key(table)))
    key = name.casefold()
    found = [stored[i] for i, n in enumerate(renamed) if n.casefold() == key and i < len(stored)]
    found += [c for c in stored[len(renamed) :] if c.casefold() == key]
    return tuple(found) or (name,)


def columns_read(tree: exp.Expr, columns_of: ColumnsOf) -> dict[TableKey, set[str]]:
    """Base table -> the stored columns read from it (an empty set: the table is read, no column)."""
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
                read.setdefault(table_key(origin), set()).update(
                    stored_columns(origin, column.name, columns_of)
                )
    return read
