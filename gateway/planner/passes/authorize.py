"""Authorize every column of every base table the query reads, one check per column.

A query that reads no column of a table (``count(*)``) is checked at table level. The first
denial (in a stable order) ends planning with an error naming the resource and the access type.
"""

from __future__ import annotations

from auth.enforcement.columns import columns_read
from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext


def authorize(ctx: QueryContext) -> QueryContext:
    if ctx.done or ctx.authorizer is None:
        return ctx
    assert ctx.tree is not None
    identity = ctx.request.identity
    snapshot = ctx.snapshot

    def columns_of(key: tuple[str, str, str]) -> list[str]:
        info = snapshot.table(*key)
        return [c.name for c in info.columns] if info is not None else []

    for table, columns in sorted(columns_read(ctx.tree, columns_of).items()):
        checks: list[str | None] = [*sorted(columns)] or [None]
        for column in checks:
            decision = ctx.authorizer.check_select(identity, table, column)
            ctx.decisions.append(decision)
            if not decision.allowed:
                what = "column" if column else "table"
                raise LakegateError(
                    ErrorCode.ACCESS_DENIED,
                    f"Access denied: user {identity.user} cannot {decision.access_type} from {what} "
                    f"{decision.resource}",
                    resource=decision.resource,
                    access_type=decision.access_type,
                )
    return ctx
