"""``UNNEST`` of an array of rows as Trino expands it: one column per row field.

Trino's ``CROSS JOIN UNNEST(items) AS i(sku, qty, price)`` over ``array(row(...))`` gives the
row's fields as columns ``sku``, ``qty``, ``price`` (``WITH ORDINALITY`` adds a 1-based position
after them). The engine would give one column holding the whole row. Rewritten into a lateral
subquery that reads each field by position::

    (SELECT struct_extract_at(_u.e, 1) AS sku, ... [, _u.n AS n]
     FROM UNNEST(items) [WITH ORDINALITY] AS _u(e[, n])) AS i

An array is taken for one of rows when its type says so, or when the alias names more columns than
an array of scalars could fill. ``UNNEST`` of a map gives its keys and values as two columns (the
engine's ``map_entries`` read as rows of two fields).
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.context import QueryContext
from gateway.planner.semantics.arithmetic import trino_type
from gateway.planner.semantics.types import T, applies, refuse

_ELEMENT = "_lakegate_e"
_POSITION = "_lakegate_n"
_SOURCE = "_lakegate_u"


def trino_unnest(ctx: QueryContext) -> QueryContext:
    if not applies(ctx):
        return ctx
    assert ctx.tree is not None
    for unnest in list(ctx.tree.find_all(exp.Unnest)):
        if isinstance(unnest.parent, exp.From | exp.Join | exp.Lateral) and unnest.arg_key == "this":
            _rewrite(unnest)
    return ctx


def _is_map(node: exp.Expr) -> bool:
    kind = trino_type(node)
    return isinstance(node, exp.Map | exp.VarMap) or (kind is not None and kind.this == T.MAP)


def _row_fields(array: exp.Expr, named: int) -> int | None:
    """How many fields the rows of ``array`` have (None: not an array of rows); a map's entries
    are rows of two fields."""
    if _is_map(array):
        return 2
    kind = trino_type(array)
    if kind is not None and kind.this == T.ARRAY and kind.expressions:
        element = kind.expressions[0]
        if isinstance(element, exp.DataType):
            if element.this == T.STRUCT:
                return len(element.expressions)
            if element.this != T.UNKNOWN:
                return None
    return named if named > 1 else None


def _rewrite(unnest: exp.Unnest) -> None:
    alias = unnest.args.get("alias")
    columns = list(alias.columns) if isinstance(alias, exp.TableAlias) else []
    offset = unnest.args.get("offset") or None  # sqlglot writes False for no WITH ORDINALITY
    if len(unnest.expressions) != 1:
        if any(_row_fields(e, 0) for e in unnest.expressions):
            raise refuse("UNNEST of several arrays of rows")
        return
    fields = _row_fields(unnest.expressions[0], len(columns))
    if fields is None:
        return
    if columns and len(columns) != fields:
        raise refuse(f"UNNEST naming {len(columns)} columns for rows of {fields} fields")
    names = [c.name for c in columns] or [f"field{i}" for i in range(fields)]
    array = unnest.expressions[0].copy()
    if _is_map(array):
        array = exp.Anonymous(this="map_entries", expressions=[array])
    source = exp.Unnest(
        expressions=[array],
        alias=exp.TableAlias(
            this=exp.to_identifier(_SOURCE),
            columns=[exp.to_identifier(_ELEMENT)],  # the generator adds the position's name
        ),
        offset=exp.to_identifier(_POSITION) if offset else None,
    )
    element = exp.column(_ELEMENT, table=_SOURCE)
    projections: list[exp.Expr] = [
        exp.alias_(
            exp.Anonymous(this="struct_extract_at", expressions=[element.copy(), exp.Literal.number(i + 1)]),
            name,
            quoted=True,
        )
        for i, name in enumerate(names)
    ]
    if offset is not None:
        position_name = offset.name if isinstance(offset, exp.Identifier) else "ordinality"
        projections.append(exp.alias_(exp.column(_POSITION, table=_SOURCE), position_name, quoted=True))
    select = exp.Select(expressions=projections).from_(source)
    table_name = alias.name if isinstance(alias, exp.TableAlias) and alias.name else _SOURCE + "_rows"
    unnest.replace(exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(table_name))))
