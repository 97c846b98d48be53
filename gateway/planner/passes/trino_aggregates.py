"""Aggregates with Trino's result types and accuracy.

* ``sum`` of integers is ``bigint`` (the engine: ``HUGEINT``/``DECIMAL(38,0)``); an overflow
  fails, as in Trino.
* ``count_if`` and ``bitwise_and_agg``/``bitwise_or_agg``/``bitwise_xor_agg`` are ``bigint``
  (the engine: ``HUGEINT``, the argument's type); ``grouping()`` is ``integer``.
* ``sum``/``avg`` of ``real`` are ``real`` (the engine: double; Trino sums in double too).
* ``avg`` of ``decimal(p,s)`` is ``decimal(p,s)``, rounded half up (the engine: a double).
* ``approx_distinct`` is counted exactly: Trino's standard error is 2.3%; the engine's
  HyperLogLog is coarser (12% off on 5,000 values), an exact count is within any bound.
  Its second argument (the maximum standard error) must be in Trino's range.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext
from gateway.planner.semantics.arithmetic import trino_type
from gateway.planner.semantics.types import (
    T,
    applies,
    cast_to,
    decimal_shape,
    decimal_type,
    is_decimal,
    is_integer,
    wrap_in_place,
)

_AGGREGATES = (
    exp.Sum,
    exp.CountIf,
    exp.Avg,
    exp.ApproxDistinct,
    exp.BitwiseAndAgg,
    exp.BitwiseOrAgg,
    exp.BitwiseXorAgg,
    exp.Grouping,
)


def trino_aggregates(ctx: QueryContext) -> QueryContext:
    if not applies(ctx):
        return ctx
    assert ctx.tree is not None
    for aggregate in list(ctx.tree.find_all(*_AGGREGATES)):
        _rewrite(aggregate)
    return ctx


def _unit(aggregate: exp.Expr) -> exp.Expr:
    """The aggregate with what wraps it (``FILTER (WHERE ...)``, ``OVER (...)``)."""
    unit = aggregate
    while isinstance(unit.parent, exp.Filter | exp.Window) and unit.arg_key == "this":
        unit = unit.parent
    return unit


def _rewrite(node: exp.Expr) -> None:
    if isinstance(node, exp.CountIf | exp.BitwiseAndAgg | exp.BitwiseOrAgg | exp.BitwiseXorAgg):
        wrap_in_place(_unit(node), lambda u: cast_to(u, T.BIGINT))
    elif isinstance(node, exp.Grouping):
        wrap_in_place(node, lambda u: cast_to(u, T.INT))
    elif isinstance(node, exp.ApproxDistinct):
        accuracy = node.args.get("accuracy")
        if accuracy is not None:
            _check_accuracy(accuracy)
        node.replace(exp.Count(this=exp.Distinct(expressions=[node.this])))
    elif isinstance(node, exp.Sum) and is_integer(trino_type(_argument(node))):
        wrap_in_place(_unit(node), lambda u: cast_to(u, T.BIGINT))
    elif isinstance(node, exp.Sum | exp.Avg) and _is_real(trino_type(_argument(node))):
        wrap_in_place(_unit(node), lambda u: cast_to(u, T.FLOAT))
    elif isinstance(node, exp.Avg):
        kind = trino_type(_argument(node))
        shape = decimal_shape(kind) if kind is not None and is_decimal(kind) else None
        if shape is not None:
            _decimal_avg(node, *shape)


def _is_real(kind: exp.DataType | None) -> bool:
    return kind is not None and kind.this == T.FLOAT


def _argument(node: exp.Expr) -> exp.Expr:
    arg: exp.Expr = node.this
    if isinstance(arg, exp.Distinct) and arg.expressions:
        first: exp.Expr = arg.expressions[0]
        return first
    return arg


def _check_accuracy(accuracy: exp.Expr) -> None:
    if isinstance(accuracy, exp.Literal) and not accuracy.is_string:
        value = float(accuracy.name)
        if 0.0040625 <= value <= 0.26000:
            return
        raise LakegateError(
            ErrorCode.ENGINE_DATA_ERROR,
            "approx_distinct: maximum standard error must be in [0.0040625, 0.26000]",
        )
    raise LakegateError(
        ErrorCode.NOT_SUPPORTED, "approx_distinct: the maximum standard error must be a literal"
    )


def _decimal_avg(node: exp.Avg, precision: int, scale: int) -> None:
    """sum / count on unscaled values, rounded half up, as decimal(precision, scale)."""
    unit = _unit(node)
    counted = unit.copy()  # the same FILTER and window, counting
    inner = counted
    while isinstance(inner, exp.Filter | exp.Window):
        inner = inner.this
    count = exp.Count(this=inner.this)
    if inner is counted:
        counted = count
    else:
        inner.replace(count)
    total = exp.Sum(this=node.this)
    node.replace(total)
    if unit is node:
        unit = total

    def build(total: exp.Expr) -> exp.Expr:
        unscaled = cast_to(
            exp.Mul(this=cast_to(total, decimal_type(38, scale)), expression=exp.Literal.number(10**scale)),
            T.INT128,
        )
        numerator = exp.Add(
            this=exp.Mul(this=exp.Literal.number(2), expression=exp.paren(unscaled)),
            expression=exp.Mul(
                this=exp.Anonymous(this="sign", expressions=[unscaled.copy()]), expression=counted
            ),
        )
        quotient = exp.IntDiv(
            this=exp.paren(numerator),
            expression=exp.paren(exp.Mul(this=exp.Literal.number(2), expression=counted.copy())),
        )
        value: exp.Expr = cast_to(quotient, decimal_type(38, 0))
        if scale:
            value = exp.Mul(this=value, expression=exp.Literal.number("0." + "0" * (scale - 1) + "1"))
        # no rows (or only NULLs): the count is 0 and the average NULL, as in Trino
        empty = exp.EQ(this=counted.copy(), expression=exp.Literal.number(0))
        return cast_to(
            exp.Case(ifs=[exp.If(this=empty, true=exp.Null())], default=value), decimal_type(precision, scale)
        )

    wrap_in_place(unit, build)
