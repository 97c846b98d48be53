"""Choose the connector that runs the query: the one serving every table it reads."""

from __future__ import annotations

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext


def route(ctx: QueryContext) -> QueryContext:
    if ctx.done:
        return ctx
    chosen = None
    for resolved in ctx.tables:
        connector = ctx.connectors.for_catalog(resolved.catalog)
        if connector is None:
            raise LakegateError(ErrorCode.ENGINE_UNAVAILABLE, f"catalog {resolved.catalog!r} has no engine")
        if chosen is not None and connector is not chosen:
            raise LakegateError(
                ErrorCode.CROSS_ENGINE_QUERY,
                f"this query reads catalogs served by different engines ({chosen.name} and "
                f"{connector.name}); query them separately",
            )
        chosen = connector
    if chosen is None:
        connectors = ctx.connectors.connectors()
        if not connectors:
            raise LakegateError(ErrorCode.ENGINE_UNAVAILABLE, "no engine is configured")
        chosen = connectors[0]
    ctx.connector = chosen
    return ctx
