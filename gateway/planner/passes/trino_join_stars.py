"""Stars over a join ``USING`` in Trino's order, and ``NATURAL JOIN`` refused as Trino refuses it.

Trino's ``*`` over ``x JOIN y USING (k)`` gives ``k`` first, then x's other columns, then y's
(``SELECT * FROM (SELECT 2 AS b, 1 AS k) x JOIN (SELECT 3 AS c, 1 AS k) y USING (k)`` is
``k, b, c``); the engine keeps ``k`` where x has it (``b, k, c``): other values under the same
positions. sqlglot's column qualification expands such a star in Trino's order, so this pass
marks the query (``ctx.stars_over_using``) for ``qualify_columns`` to run, policies or not.

Trino's ``x.*`` there gives x's columns without ``k``, where the engine and the expansion keep
it: refused (NOT_SUPPORTED), as is ``NATURAL JOIN`` (Trino: "Natural join not supported").
One walk over the joins; a query without one costs nothing more.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext


def trino_join_stars(ctx: QueryContext) -> QueryContext:
    if ctx.done or ctx.request.dialect != "trino":
        return ctx
    assert ctx.tree is not None
    for join in ctx.tree.find_all(exp.Join):
        if str(join.args.get("method") or "").upper() == "NATURAL":
            raise LakegateError(ErrorCode.NOT_SUPPORTED, "NATURAL JOIN is not supported (as in Trino)")
        select = join.parent
        if not join.args.get("using") or not isinstance(select, exp.Select):
            continue
        for projection in select.expressions:
            if isinstance(projection, exp.Star):
                ctx.stars_over_using = True
            elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
                raise LakegateError(
                    ErrorCode.NOT_SUPPORTED,
                    f"{projection.table}.* over a join USING is not supported (Trino leaves out the "
                    "join columns): name the columns instead",
                )
    return ctx
