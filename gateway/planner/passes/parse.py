"""Parse the SQL in the client's dialect, refusing oversized or absurdly nested text."""

from __future__ import annotations

import sqlglot
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError

from gateway.errors import ErrorCode, LakegateError, syntax_error
from gateway.planner.context import QueryContext

MAX_NESTING = 200


def _nesting_depth(sql: str) -> int:
    depth = deepest = 0
    for char in sql:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


def parse(ctx: QueryContext) -> QueryContext:
    sql = ctx.request.sql
    if len(sql.encode("utf-8", "surrogatepass")) > ctx.max_sql_bytes:
        raise LakegateError(
            ErrorCode.QUERY_TOO_LARGE,
            f"the SQL text is larger than the limit of {ctx.max_sql_bytes} bytes",
        )
    try:
        Dialect.get_or_raise(ctx.request.dialect)
    except ValueError:
        raise LakegateError(
            ErrorCode.UNSUPPORTED_DIALECT, f"unknown SQL dialect {ctx.request.dialect!r}"
        ) from None
    if _nesting_depth(sql) > MAX_NESTING:
        raise LakegateError(
            ErrorCode.QUERY_TOO_COMPLEX,
            f"the SQL nests parentheses more than {MAX_NESTING} levels deep",
        )
    try:
        statements = sqlglot.parse(sql, read=ctx.request.dialect)
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        description = str(first.get("description") or "invalid SQL")
        raise syntax_error(
            f"syntax error at line {first.get('line')}, column {first.get('col')}: {description}",
            first.get("line"),
            first.get("col"),
        ) from None
    except TokenError as exc:
        raise syntax_error(f"syntax error: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise LakegateError(ErrorCode.QUERY_TOO_COMPLEX, "the SQL is nested too deeply to parse") from None
    present = [s for s in statements if s is not None]
    if len(present) != 1:
        if not present:
            raise syntax_error("the request holds no SQL statement")
        raise LakegateError(
            ErrorCode.MULTIPLE_STATEMENTS,
            f"send exactly one statement per request; this one holds {len(present)}",
        )
    ctx.tree = present[0]
    return ctx
