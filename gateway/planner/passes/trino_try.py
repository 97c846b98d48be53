"""``try(x)``: NULL where evaluating ``x`` fails, also around the checks Lakegate adds.

The trino_* passes give Trino's errors with the engine's ``error(message)`` (division by zero,
array indices...), which the engine deems volatile: its ``TRY`` refuses any expression holding
one. Inside a ``try``, each such ``error(...)`` becomes NULL where a NULL there makes the whole
``try`` NULL, as Trino's answer is: the path from it up to the ``try`` goes only through
operators that are NULL on a NULL operand (arithmetic, comparison, ``||``, casts) and through the
values (never the conditions) of CASE branches. Elsewhere (``coalesce``, ``IS NULL``, AND/OR...)
a NULL would not stand for the failure, so the statement is refused with NOT_SUPPORTED, as is a
``try`` of a nondeterministic function or of a value Lakegate refuses at run time.

Runs after the passes that add ``error(...)`` (their rewrites are bottom-up, so the tree holds
them all); a query whose text has no ``try`` costs nothing more.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.context import QueryContext
from gateway.planner.semantics.types import NOT_SUPPORTED_PREFIX, applies, deterministic, refuse

#: operators whose value is NULL when this operand is NULL (in Trino and in the engine)
_STRICT = (
    exp.Paren,
    exp.Neg,
    exp.Cast,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.IntDiv,
    exp.Mod,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.DPipe,
)


def trino_try(ctx: QueryContext) -> QueryContext:
    if not applies(ctx) or "try" not in ctx.request.sql.lower():
        return ctx
    assert ctx.tree is not None
    tries = list(ctx.tree.find_all(exp.Try))
    for node in reversed(tries):  # innermost first
        _rewrite(node)
    return ctx


def _rewrite(node: exp.Try) -> None:
    if not deterministic(node.this):
        raise refuse("try() of a nondeterministic function")
    for call in list(node.this.find_all(exp.Anonymous)):
        if call.name.lower() != "error":
            continue
        message = call.expressions[0] if call.expressions else None
        if isinstance(message, exp.Literal) and message.name.startswith(NOT_SUPPORTED_PREFIX):
            what = message.name.removeprefix(NOT_SUPPORTED_PREFIX)
            raise refuse(f"try() of a value Lakegate refuses ({what})")
        if not _null_reaches(call, node):
            raise refuse("try() of an expression that fails inside coalesce, IS NULL, AND/OR or a condition")
        call.replace(exp.Null())


def _null_reaches(call: exp.Expr, top: exp.Try) -> bool:
    """Whether a NULL in place of ``call`` makes ``top``'s operand NULL."""
    child, parent = call, call.parent
    while parent is not None and parent is not top:
        if isinstance(parent, exp.If):
            if child is not parent.args.get("true"):
                return False  # a condition: NULL is false, not a failure
        elif isinstance(parent, exp.Case):
            if child is not parent.args.get("default") and not isinstance(child, exp.If):
                return False  # the CASE operand
        elif isinstance(parent, exp.Cast):
            if child is not parent.this:
                return False
        elif not isinstance(parent, _STRICT):
            return False
        child, parent = parent, parent.parent
    return parent is top
