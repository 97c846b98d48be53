"""Type the result columns as Trino types them where the engine's type differs (precision of
timestamps and times, intervals, json, uuid, char, real aggregates): ``ctx.result_types``, which
the executor applies to the engine's batches (``gateway/conform.py``).

Runs before the rewrites, on the query as written. A column read from ``VALUES`` or a derived
table in the outer ``FROM`` takes the type of what it names there; a set operation's column the
widest precision of its branches.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.context import QueryContext
from gateway.planner.semantics.result_types import merge_names, temporal_type, trino_name, values_column_type
from gateway.planner.semantics.types import applies


def result_types(ctx: QueryContext) -> QueryContext:
    if not applies(ctx):
        return ctx
    assert ctx.tree is not None
    branches = _branches(ctx.tree)
    if not branches:
        return ctx
    typed = [_select_types(select) for select in branches]
    widths = {len(t) if t is not None else -1 for t in typed}
    if len(widths) != 1 or -1 in widths:
        return ctx  # a SELECT * or branches of different widths: the engine's types stand
    merged = [merge_names([t[i] for t in typed if t is not None]) for i in range(widths.pop())]
    if any(name is not None for name in merged):
        ctx.result_types = tuple(merged)
    return ctx


def _branches(tree: exp.Expr) -> list[exp.Select]:
    """The SELECTs whose rows make the result (every branch of a set operation)."""
    node = tree.this if isinstance(tree, exp.Subquery) else tree
    if isinstance(node, exp.SetOperation):
        left, right = _branches(node.left), _branches(node.right)
        return left + right if left and right else []
    return [node] if isinstance(node, exp.Select) else []


def _select_types(select: exp.Select) -> tuple[str | None, ...] | None:
    if any(isinstance(p, exp.Star) for p in select.expressions):
        return None
    derived = _derived_columns(select)
    typed: list[exp.Column] = []
    try:
        if derived:
            for column in select.find_all(exp.Column):
                kind = derived.get(column.name)
                if kind is not None and column.type is None and column.find_ancestor(exp.Select) is select:
                    column.type = kind
                    typed.append(column)
        names = []
        for projection in select.expressions:
            kind = temporal_type(projection)
            names.append(trino_name(kind) if kind is not None else None)
    finally:
        for column in typed:
            column.type = None
    return tuple(names)


def _derived_columns(select: exp.Select) -> dict[str, exp.DataType]:
    """Column name -> type, of the VALUES or subquery the outer FROM reads (when it is the only
    source)."""
    source = select.args.get("from_")
    if source is None or select.args.get("joins"):
        return {}
    relation = source.this
    if isinstance(relation, exp.Subquery) and isinstance(relation.this, exp.Values):
        alias = relation.args.get("alias")
        relation = relation.this
        if alias is not None and relation.args.get("alias") is None:
            relation = relation.copy()
            relation.set("alias", alias)
    out: dict[str, exp.DataType] = {}
    if isinstance(relation, exp.Values):
        alias = relation.args.get("alias")
        names = [c.name for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
        rows = [r.expressions if isinstance(r, exp.Tuple) else [r] for r in relation.expressions]
        for index, name in enumerate(names):
            cells = [row[index] for row in rows if index < len(row)]
            kind = values_column_type(cells) if len(cells) == len(rows) else None
            if kind is not None:
                out[name] = kind
    elif isinstance(relation, exp.Subquery) and isinstance(relation.this, exp.Select):
        for projection in relation.this.expressions:
            kind = temporal_type(projection)
            if kind is not None:
                out[projection.alias_or_name] = kind
    return out
