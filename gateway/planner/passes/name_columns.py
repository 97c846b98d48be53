"""Name the output columns as Trino names them, on every door: ``_col<N>`` for an expression.

Trino names an output column by its alias or by the column it reads; any other expression (a
row field too) is ``_col<N>``, N its position from 0. The engine would name ``count(*)``
``count_star()`` and sqlglot's column qualification ``_col_0``; aliasing here, before either, gives
Trino's names natively and at the Trino door, with or without policies.
"""

from __future__ import annotations

import re

from sqlglot import exp

from gateway.planner.context import QueryContext

_NAMED = (exp.Column, exp.Alias, exp.Star)


def output_select(tree: exp.Expr) -> exp.Select | None:
    """The SELECT whose projections name the result (the first branch of a set operation)."""
    select = tree
    while isinstance(select, exp.SetOperation | exp.Subquery):
        select = select.this if isinstance(select, exp.Subquery) else select.left
    return select if isinstance(select, exp.Select) else None


def name_trino_columns(tree: exp.Expr) -> bool:
    """Alias every unnamed output expression ``_col<N>``; True if any was."""
    select = output_select(tree)
    if select is None:
        return False
    changed = False
    for index, projection in enumerate(select.expressions):
        if isinstance(projection, _NAMED):
            continue
        projection.replace(exp.alias_(projection.copy(), f"_col{index}"))
        changed = True
    return changed


_GENERATED = re.compile(r"^_col_(\d+)$")


def name_values_columns(tree: exp.Expr) -> None:
    """``VALUES`` without column names: sqlglot's table qualification names them ``_col_0``,
    Trino ``_col0`` (what ``SELECT *`` over them returns)."""
    for values in tree.find_all(exp.Values):
        alias = values.args.get("alias")
        if not isinstance(alias, exp.TableAlias):
            continue
        columns = alias.columns
        matches = [_GENERATED.match(c.name) if not c.quoted else None for c in columns]
        if columns and all(m is not None and int(m.group(1)) == i for i, m in enumerate(matches)):
            alias.set("columns", [exp.to_identifier(f"_col{i}") for i in range(len(columns))])


def name_columns(ctx: QueryContext) -> QueryContext:
    if ctx.done or ctx.request.dialect != "trino":
        return ctx
    assert ctx.tree is not None
    name_trino_columns(ctx.tree)
    if "_col_" not in ctx.request.sql.lower():  # else the names may be the user's own
        name_values_columns(ctx.tree)
    return ctx
