"""A bare ``VALUES`` statement becomes ``SELECT * FROM (VALUES ...)``, so it has a scope.

Column collection works scope by scope; a top-level VALUES has none, so subqueries inside it
would escape the per-column checks.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.context import QueryContext


def wrap_values(ctx: QueryContext) -> QueryContext:
    if ctx.done or not isinstance(ctx.tree, exp.Values):
        return ctx
    values = ctx.tree
    if values.args.get("alias") is None:
        values.set("alias", exp.TableAlias(this=exp.to_identifier("values")))
    ctx.tree = exp.select("*").from_(values)
    return ctx
