"""Generate the SQL in the engine's dialect."""

from __future__ import annotations

from sqlglot.errors import ErrorLevel, SqlglotError, UnsupportedError

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext


def transpile(ctx: QueryContext) -> QueryContext:
    if ctx.done:
        return ctx
    assert ctx.tree is not None
    assert ctx.connector is not None
    try:
        # the last pass: the tree is not read again, so the generator need not copy it first
        # (copying a parsed tree costs more than generating its SQL)
        ctx.engine_sql = ctx.tree.sql(
            dialect=ctx.connector.dialect, unsupported_level=ErrorLevel.RAISE, copy=False
        )
    except UnsupportedError as exc:
        # sqlglot has no faithful translation of this for the engine: refused, by name
        raise LakegateError(
            ErrorCode.NOT_SUPPORTED, f"the {ctx.connector.name} engine cannot run this: {exc}"
        ) from None
    except SqlglotError as exc:
        raise LakegateError(ErrorCode.ENGINE_USER_ERROR, str(exc)) from None
    return ctx
