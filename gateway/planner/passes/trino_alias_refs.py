"""A select alias named in WHERE, GROUP BY or HAVING is an unknown column in Trino.

Trino resolves the names of those clauses against the FROM clause only (ORDER BY alone may name a
select alias): ``SELECT a AS x FROM t GROUP BY x`` fails with COLUMN_NOT_FOUND "Column 'x' cannot
be resolved". The engine (and sqlglot's qualification) would read ``x`` as the aliased
expression and answer. This pass, before columns are qualified, raises Trino's error for an
unqualified name that matches an alias of its own SELECT and no column of any relation the query
reads (a name that is also a column resolves to that column, in Trino as in the engine).

It costs a walk of the SELECTs' aliases; the set of known column names is built only when a
clause names an alias.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext

_CLAUSES = ("where", "group", "having")


def trino_alias_refs(ctx: QueryContext) -> QueryContext:
    if ctx.done or ctx.request.dialect != "trino":
        return ctx
    assert ctx.tree is not None
    known: set[str] | None = None
    for select in ctx.tree.find_all(exp.Select):
        if not any(select.args.get(key) is not None for key in _CLAUSES):
            continue
        aliases = {p.alias.lower() for p in select.expressions if isinstance(p, exp.Alias)}
        if not aliases:
            continue
        for column in _alias_refs(select, aliases):
            if known is None:
                known = _column_names(ctx, select)
            if column.name.lower() not in known:
                raise LakegateError(ErrorCode.COLUMN_NOT_FOUND, f"Column '{column.name}' cannot be resolved")
    return ctx


def _alias_refs(select: exp.Select, aliases: set[str]) -> list[exp.Column]:
    """The unqualified columns named as an alias in ``select``'s WHERE, GROUP BY and HAVING (not
    those of nested queries)."""
    out: list[exp.Column] = []
    for key in _CLAUSES:
        clause = select.args.get(key)
        if clause is None:
            continue
        for column in clause.find_all(exp.Column):
            if column.table or column.name.lower() not in aliases:
                continue
            if column.find_ancestor(exp.Select) is select:
                out.append(column)
    return out


def _column_names(ctx: QueryContext, aliased: exp.Select) -> set[str]:
    """Every column name some relation of the query could give: the tables' columns, the
    outputs of other SELECTs (derived tables, CTEs) and declared column lists."""
    assert ctx.tree is not None
    names = {column.name.lower() for resolved in ctx.tables for column in resolved.info.columns}
    for select in ctx.tree.find_all(exp.Select):
        if select is not aliased:
            names.update(p.alias_or_name.lower() for p in select.expressions)
    for alias in ctx.tree.find_all(exp.TableAlias):
        names.update(c.name.lower() for c in alias.columns)
    return names
