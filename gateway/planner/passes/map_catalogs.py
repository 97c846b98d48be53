"""Replace logical catalog names by the engine's physical ones (the last tree rewrite)."""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.context import QueryContext
from gateway.planner.passes.resolve_tables import resolved_tables


def map_catalogs(ctx: QueryContext) -> QueryContext:
    if ctx.done:
        return ctx
    assert ctx.tree is not None
    assert ctx.connector is not None
    if ctx.explain:
        ctx.logical_sql = ctx.tree.sql(dialect="trino")
    for table in resolved_tables(ctx.tree):
        physical = ctx.connector.physical_catalog(table.catalog)
        table.set("catalog", exp.to_identifier(physical, quoted=True))
        ctx.mapped.add((physical, table.db, table.name))
    return ctx
