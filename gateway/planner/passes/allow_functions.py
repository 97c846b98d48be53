"""Refuse every function call in the user's SQL that is not on the allowlist.

Runs on the tree as the user wrote it (after resolve_tables, before the passes that add policy
masks and row filters, whose functions are trusted). A call is refused when its function is not
allowed (auth/enforcement/function_allowlist.py), when it is qualified or a method call
(``main.f(x)``, ``x.f()``: only unqualified names were reviewed), or when it stands where a
table should (``FROM f(...)``; ``UNNEST`` excepted).
"""

from __future__ import annotations

from sqlglot import exp

from auth.enforcement.function_allowlist import function_name, is_allowed
from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext

_TABLE_POSITIONS = (exp.Table, exp.From, exp.Join, exp.Lateral)


def check_functions(tree: exp.Expr, dialect: str = "trino") -> None:
    """Raise FUNCTION_NOT_ALLOWED for the first call in ``tree`` that is not allowed."""
    for node in tree.find_all(exp.Func):
        parent = node.parent
        reason = ""
        if isinstance(parent, exp.Dot) and node.arg_key == "expression":
            reason = ": call functions by their unqualified names, not qualified or as methods"
        elif isinstance(parent, _TABLE_POSITIONS) and node.arg_key == "this" and type(node) is not exp.Unnest:
            reason = ": table functions are not allowed; query tables by their catalog.schema.table names"
        elif is_allowed(node):
            continue
        raise LakegateError(
            ErrorCode.FUNCTION_NOT_ALLOWED,
            f"function {function_name(node, dialect)}() is not allowed{reason}",
        )


def allow_functions(ctx: QueryContext) -> QueryContext:
    if ctx.done:
        return ctx
    assert ctx.tree is not None
    check_functions(ctx.tree, ctx.request.dialect)
    return ctx
