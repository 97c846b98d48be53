"""The branches of ``CASE``/``IF``/``coalesce`` of decimals, cast to Trino's common type.

Trino's common type of ``decimal(2,1)`` and ``decimal(38,0)`` is ``decimal(38,1)`` (the scale
is kept, the precision capped at 38). The engine's would need 39 digits, so it drops the scale:
``coalesce(DECIMAL '2.5', DECIMAL '99999999999999999999999999999999999999')`` would be ``3``.
Each branch whose type differs from Trino's result type is cast to it (a value that does not
fit fails when met, as Trino's coercion does).
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.semantics.arithmetic import trino_type
from gateway.planner.semantics.types import INTEGER_PRECISION, T, cast_to


def _branches(node: exp.Case | exp.If | exp.Coalesce) -> list[exp.Expr]:
    if isinstance(node, exp.Case):
        values = [i.args.get("true") for i in node.args.get("ifs") or []] + [node.args.get("default")]
    elif isinstance(node, exp.If):
        values = [node.args.get("true"), node.args.get("false")]
    else:
        values = [node.this, *node.expressions]
    return [v for v in values if isinstance(v, exp.Expr) and not isinstance(v, exp.Null)]


def decimal_branches(node: exp.Case | exp.If | exp.Coalesce) -> exp.Expr:
    kind = trino_type(node)
    if kind is None or kind.this != T.DECIMAL:
        return node
    for value in _branches(node):
        own = trino_type(value)
        if own is None or own == kind or not (own.this == T.DECIMAL or own.this in INTEGER_PRECISION):
            continue
        value.replace(cast_to(value.copy(), kind.copy()))
    return node
