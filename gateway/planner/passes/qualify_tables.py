"""Qualify every table to ``catalog.schema.table`` from the session's defaults."""

from __future__ import annotations

from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify_tables import qualify_tables as _qualify_tables

from gateway.errors import syntax_error
from gateway.planner.context import QueryContext


def qualify_tables(ctx: QueryContext) -> QueryContext:
    if ctx.done:
        return ctx
    assert ctx.tree is not None
    try:
        ctx.tree = _qualify_tables(
            ctx.tree,
            db=ctx.request.schema or None,
            catalog=ctx.request.catalog or None,
            dialect=ctx.request.dialect,
        )
    except OptimizeError as exc:
        raise syntax_error(str(exc)) from None
    return ctx
