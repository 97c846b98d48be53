"""Name the output columns as Trino names them, on every door: ``_col<N>`` for an expression.

Trino names an output column by its alias or by the column it reads; any other expression (a
row field too) is ``_col<N>``, N its position from 0. The engine would name ``count(*)``
``count_star()`` and sqlglot's column qualification ``_col_0``; aliasing here, before either, gives
Trino's names natively and at the Trino door, with or without policies.

Trino keeps a name as the query spells it (``AS "STATE"`` is ``STATE``, ``N_NAME`` is ``N_NAME``,
``AS Foo`` is ``Foo``), while identifiers match case-insensitively; qualification folds every
identifier to lower case. The spelled names are kept here, before it, in ``ctx.result_names``,
and the result columns are renamed to them (``gateway/conform.py``). A star's columns keep the
engine's names (their spelling is the source's, which the tree no longer shows).
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


def spelled_names(tree: exp.Expr) -> tuple[str, ...]:
    """Each output column's name as written (after ``name_trino_columns``); empty with a star."""
    select = output_select(tree)
    if select is None:
        return ()
    names = []
    for projection in select.expressions:
        if isinstance(projection, exp.Alias):
            names.append(projection.alias)
        elif isinstance(projection, exp.Column) and not isinstance(projection.this, exp.Star):
            names.append(projection.name)
        else:
            return ()
    return tuple(names)


def name_columns(ctx: QueryContext) -> QueryContext:
    if ctx.done or ctx.request.dialect != "trino":
        return ctx
    assert ctx.tree is not None
    name_trino_columns(ctx.tree)
    ctx.result_names = spelled_names(ctx.tree)
    if "_col_" not in ctx.request.sql.lower():  # else the names may be the user's own
        name_values_columns(ctx.tree)
    return ctx
