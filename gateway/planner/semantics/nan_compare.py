"""``=``, ``<>`` and ``nullif`` of doubles and reals with NaN, as Trino compares (IEEE 754).

In Trino NaN equals nothing, itself included: ``nan() = nan()`` is false, ``nan() <> nan()`` true
and ``nullif(nan(), nan())`` NaN. The engine orders NaN as one value above all numbers, equal to
itself. Where an operand is a double or a real, a NaN on either side decides the comparison (a
NULL still gives NULL). Not yet matched: ``<``, ``>`` and the like, and operands whose type is
not known when planning (a column the type annotation did not reach).
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.semantics.arithmetic import trino_type
from gateway.planner.semantics.types import FLOATING, T, cast_to, deterministic, refuse


def _floating(node: exp.Expr) -> bool:
    kind = trino_type(node)
    return kind is not None and kind.this in FLOATING


def _isnan(node: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this="isnan", expressions=[cast_to(node.copy(), T.DOUBLE)])


def _checked(left: exp.Expr, right: exp.Expr, what: str) -> bool:
    if not (_floating(left) or _floating(right)):
        return False
    if not (deterministic(left) and deterministic(right)):
        raise refuse(f"{what} of nondeterministic doubles")
    return True


def equality(node: exp.EQ | exp.NEQ) -> exp.Expr:
    left, right = node.left, node.right
    if not _checked(left, right, "a comparison"):
        return node
    nan = exp.or_(_isnan(left), _isnan(right))
    null = exp.or_(
        exp.Is(this=exp.paren(left.copy()), expression=exp.Null()),
        exp.Is(this=exp.paren(right.copy()), expression=exp.Null()),
    )
    return exp.Case(
        ifs=[
            exp.If(this=null, true=cast_to(exp.Null(), T.BOOLEAN)),
            exp.If(this=nan, true=exp.Boolean(this=isinstance(node, exp.NEQ))),
        ],
        default=node.copy(),
    )


def nullif(node: exp.Nullif) -> exp.Expr:
    first, second = node.this, node.expression
    if not _checked(first, second, "nullif()"):
        return node
    return exp.Case(ifs=[exp.If(this=_isnan(first), true=first.copy())], default=node.copy())
