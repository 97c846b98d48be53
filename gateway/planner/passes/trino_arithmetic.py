"""Arithmetic as Trino computes it: integer division and modulo, division by zero, decimals.

* ``int / int`` is integer division truncating toward zero, of the wider integer type; ``%``
  takes the dividend's sign (the engine's ``//`` and ``%`` do both).
* Dividing an integer or a decimal by zero fails with Trino's "Division by zero" (the engine
  would give NULL or infinity); a double divided by zero stays infinity or NaN, as in Trino.
* ``decimal / decimal`` is a decimal of Trino's precision and scale (``max(s1, s2)``), rounded
  half up, computed exactly on the unscaled 128-bit values (the engine would give a double);
  ``decimal % decimal`` keeps Trino's type.
* ``+``, ``-``, ``*`` with a decimal give Trino's decimal type (exact either way; the engine's
  type differs, e.g. ``decimal + NULL integer``); ``date ± interval`` of days, weeks, months,
  quarters or years stays a ``date`` (the engine: a timestamp); ``date - date`` is an
  ``interval day to second`` (the engine: a number of days).
* A ``/`` or ``%`` operand whose type cannot be told is refused: the answer could differ from Trino's.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.context import QueryContext
from gateway.planner.semantics.arithmetic import rewrite_bottom_up, trino_type
from gateway.planner.semantics.date_range import guarded_interval_product
from gateway.planner.semantics.result_types import is_interval, is_year_month, temporal_type
from gateway.planner.semantics.types import (
    T,
    applies,
    cast_to,
    decimal_shape,
    decimal_type,
    deterministic,
    division_by_zero,
    is_decimal,
    is_floating,
    is_integer,
    refuse,
    simple_type,
    wrap_in_place,
)

_ARITHMETIC = (exp.Div, exp.Mod, exp.Add, exp.Sub, exp.Mul)


def trino_arithmetic(ctx: QueryContext) -> QueryContext:
    if not applies(ctx):
        return ctx
    assert ctx.tree is not None
    if ctx.tree.find(*_ARITHMETIC) is None:
        return ctx
    rewrite_bottom_up(ctx.tree, _ARITHMETIC, _rewrite)
    return ctx


_DATE_UNITS = frozenset({"DAY", "WEEK", "MONTH", "QUARTER", "YEAR"})


def _sum_or_product(node: exp.Add | exp.Sub | exp.Mul) -> exp.Expr:
    """``date ± interval`` of days or more stays a date; decimal results get Trino's type."""
    left, right = trino_type(node.left), trino_type(node.right)
    if isinstance(node, exp.Sub) and _is_date(left) and _is_date(right):
        # DATE - DATE is an interval day to second in Trino (the engine: a count of days)
        days = cast_to(exp.Sub(this=node.left.copy(), expression=node.right.copy()), T.INT)
        return exp.Anonymous(this="to_days", expressions=[days])
    if isinstance(node, exp.Add | exp.Sub):
        for side, other in ((left, node.right), (right, node.left)):
            if side is not None and side.this == T.DATE and isinstance(other, exp.Interval):
                unit = other.text("unit").upper()
                if unit in _DATE_UNITS:
                    return wrap_in_place(node, lambda n: cast_to(n, T.DATE))
            if side is not None and side.this == T.DATE and is_year_month(temporal_type(other)):
                return wrap_in_place(node, lambda n: cast_to(n, T.DATE))
    if isinstance(node, exp.Mul):
        for side, interval, factor in ((left, node.left, node.right), (right, node.right, node.left)):
            if is_interval(temporal_type(interval)) and is_integer(trino_type(factor)) and side is not None:
                return guarded_interval_product(node.copy(), interval, factor)
    if is_integer(left) and is_integer(right) and left != right:
        _pin_integer_literals(node)
        return node
    if (is_decimal(left) and (is_decimal(right) or is_integer(right))) or (
        is_integer(left) and is_decimal(right)
    ):
        kind = trino_type(node)
        if kind is not None and is_decimal(kind):
            return wrap_in_place(node, lambda n: cast_to(n, kind))
    return node


def _pin_integer_literals(node: exp.Binary) -> None:
    """The engine types a number literal as the smallest integer type that holds it, so
    ``0 + SMALLINT '1'`` would be a smallint; in Trino the literal is an integer."""
    for side in (node.left, node.right):
        if isinstance(side, exp.Neg) and isinstance(side.this, exp.Literal) and side.this.is_int:
            value = -int(side.this.name)  # -1: an integer in Trino (-2147483649: a bigint)
            width = T.INT if -(2**31) <= value < 2**31 else T.BIGINT
            side.replace(cast_to(side.copy(), simple_type(width)))
        elif isinstance(side, exp.Literal) and not side.is_string:
            kind = trino_type(side)
            if kind is not None:
                side.replace(cast_to(side.copy(), kind))


def _is_date(kind: exp.DataType | None) -> bool:
    return kind is not None and kind.this == T.DATE


def _rewrite(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Add | exp.Sub | exp.Mul):
        return _sum_or_product(node)
    if not isinstance(node, exp.Div | exp.Mod) or isinstance(node, exp.IntDiv):
        return node
    if isinstance(node, exp.Div) and not node.args.get("typed"):
        return node
    left, right = trino_type(node.left), trino_type(node.right)
    op = "/" if isinstance(node, exp.Div) else "%"
    if is_floating(left) or is_floating(right):
        return node  # double or real: IEEE division, as in Trino
    if left is None or right is None:
        raise refuse(f"'{op}' on an operand whose type Lakegate cannot determine ({node.sql('trino')})")
    if is_integer(left) and is_integer(right):
        if left != right:
            _pin_integer_literals(node)
        if isinstance(node, exp.Div):
            result: exp.Expr = exp.IntDiv(this=node.left.copy(), expression=node.right.copy())
        else:
            result = _integer_remainder(node, left if _wider(left, right) else right)
        return _guard_zero(node.right, result, node.left)
    if (is_decimal(left) or is_integer(left)) and (is_decimal(right) or is_integer(right)):
        return _decimal(node)
    raise refuse(f"'{op}' on {left.sql('trino')} and {right.sql('trino')}")


_INTEGER_ORDER = (T.TINYINT, T.SMALLINT, T.INT, T.BIGINT)


def _wider(left: exp.DataType, right: exp.DataType) -> bool:
    return _INTEGER_ORDER.index(left.this) >= _INTEGER_ORDER.index(right.this)


def _integer_remainder(node: exp.Mod, kind: exp.DataType) -> exp.Expr:
    """``x % -1`` is 0 (Java's remainder; the engine overflows on the type's minimum)."""
    remainder = exp.Mod(this=exp.paren(node.left.copy()), expression=exp.paren(node.right.copy()))
    divisor = node.right
    if isinstance(divisor, exp.Literal) and not divisor.is_string:
        return remainder
    if not deterministic(divisor):
        raise refuse(f"'%' by a nondeterministic value ({divisor.sql('trino')})")
    minus_one = exp.EQ(this=divisor.copy(), expression=exp.Literal.number(-1))
    zero = exp.Mul(this=exp.paren(node.left.copy()), expression=cast_to(exp.Literal.number(0), kind))
    return exp.Case(ifs=[exp.If(this=minus_one, true=zero)], default=remainder)


def _guard_zero(divisor: exp.Expr, result: exp.Expr, dividend: exp.Expr | None = None) -> exp.Expr:
    """Division by zero fails, unless the dividend is NULL (then the answer is NULL, as in Trino)."""
    if isinstance(divisor, exp.Literal) and not divisor.is_string and float(divisor.name) != 0:
        return exp.paren(result)
    if not deterministic(divisor):
        raise refuse(f"dividing by a nondeterministic value ({divisor.sql('trino')})")
    zero: exp.Expr = exp.EQ(this=divisor.copy(), expression=exp.Literal.number(0))
    if dividend is not None and not isinstance(dividend, exp.Literal) and deterministic(dividend):
        zero = exp.and_(zero, exp.Not(this=exp.Is(this=exp.paren(dividend.copy()), expression=exp.Null())))
    return exp.Case(ifs=[exp.If(this=zero, true=division_by_zero())], default=result)


def _unscaled(node: exp.Expr, scale: int, target: int) -> exp.Expr:
    """The value of ``node`` (a decimal of ``scale``, or an integer) times 10^target, as HUGEINT."""
    factor = exp.Literal.number(10**target)
    if scale == 0:
        value: exp.Expr = cast_to(node.copy(), T.INT128)
        return exp.Mul(this=value, expression=factor) if target else value
    widened = cast_to(node.copy(), decimal_type(38, scale))
    return cast_to(exp.Mul(this=widened, expression=factor), T.INT128)


def _scaled(unscaled: exp.Expr, precision: int, scale: int) -> exp.Expr:
    """A HUGEINT of unscaled digits as decimal(precision, scale)."""
    value: exp.Expr = cast_to(unscaled, decimal_type(38, 0))
    if scale:
        value = exp.Mul(this=value, expression=exp.Literal.number("0." + "0" * (scale - 1) + "1"))
    return cast_to(value, decimal_type(precision, scale))


def _decimal(node: exp.Div | exp.Mod) -> exp.Expr:
    left, right = trino_type(node.left), trino_type(node.right)
    assert left is not None
    assert right is not None
    shapes = decimal_shape(left), decimal_shape(right)
    left_shape, right_shape = shapes
    if left_shape is None or right_shape is None:
        raise refuse(f"decimal arithmetic on a decimal of unknown precision ({node.sql('trino')})")
    s1, s2 = left_shape[1], right_shape[1]
    kind = trino_type(node)
    result_shape = decimal_shape(kind) if kind is not None else None
    if result_shape is None:
        raise refuse(f"decimal arithmetic {node.sql('trino')}")
    precision, scale = result_shape
    if not deterministic(node):
        raise refuse(f"decimal division of nondeterministic values ({node.sql('trino')})")
    if isinstance(node, exp.Mod):
        if max(left_shape[0] - s1, right_shape[0] - s2) + scale > 38:
            # the operands at their common scale may not fit the engine's 128 bits (Trino's may)
            raise refuse(
                f"decimal '%' of operands wider than 38 digits at a common scale ({node.sql('trino')})"
            )
        remainder = exp.Mod(
            this=exp.paren(_unscaled(node.left, s1, scale)),
            expression=exp.paren(_unscaled(node.right, s2, scale)),
        )
        return _guard_zero(node.right, _scaled(remainder, precision, scale), node.left)
    # round half up: (2n + sign(n) * d) / 2d, truncating, on n = a * 10^(scale - s1 + s2), d = b
    n = _unscaled(node.left, s1, scale + s2)
    d = _unscaled(node.right, s2, s2)
    numerator = exp.Add(
        this=exp.Mul(this=exp.Literal.number(2), expression=exp.paren(n)),
        expression=exp.Mul(this=exp.Anonymous(this="sign", expressions=[n.copy()]), expression=d),
    )
    quotient = exp.IntDiv(
        this=exp.paren(numerator),
        expression=exp.paren(exp.Mul(this=exp.Literal.number(2), expression=d.copy())),
    )
    return _guard_zero(node.right, _scaled(quotient, precision, scale), node.left)
