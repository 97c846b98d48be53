"""Dates and intervals beyond the engine's range fail with NOT_SUPPORTED, naming it.

The engine adds an amount to a date through a timestamp, whose years run from about -290,308 to
294,247; beyond, it fails with its own words ("Date out of range", "Interval value ... out of
range"). Trino computes such dates on longs and answers where the date is only compared (a far
``date_add`` inside ``nullif`` or ``=``), wraps around or fails. Neither can be matched, so a
``date_add`` whose result would leave the years ``MIN_YEAR`` to ``MAX_YEAR`` (a margin inside the
engine's range) is refused when met, before the engine computes it. (On a timestamp, Trino fails
too where the engine does: its timestamps span about the same years.)

An interval times a number: the engine keeps an interval's days and months in 32 bits and the
number must fit 32 bits; Trino keeps milliseconds in 64 bits and wraps around silently
(``INTERVAL '-90' MINUTE * BIGINT '9223372036854775807'`` is 01:30:00). A product beyond
``MAX_INTERVAL_DAYS`` (about 273,000 years), or by a number beyond 32 bits, is refused when met.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.semantics.types import T, cast_to, deterministic, refuse_at_run_time

MIN_YEAR = -290_000
MAX_YEAR = 290_000
MAX_INTERVAL_DAYS = 100_000_000
_INT_MAX = 2**31 - 1
_DAYS_PER_YEAR = 365.2425
#: years per unit of ``date_add`` on a date (the check is on doubles: it never overflows)
_YEARS_PER_UNIT = {
    "day": 1 / _DAYS_PER_YEAR,
    "week": 7 / _DAYS_PER_YEAR,
    "month": 1 / 12,
    "quarter": 1 / 4,
    "year": 1.0,
}


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def guarded_date_add(node: exp.Expr, value: exp.Expr, amount: exp.Expr, unit: str) -> exp.Expr:
    """``node`` (``value`` moved by ``amount`` ``unit``s), refused when met if its year would
    leave the range; as it is when the unit is unknown or an operand is nondeterministic (it is
    read twice)."""
    per_unit = _YEARS_PER_UNIT.get(unit)
    if per_unit is None or not (deterministic(value) and deterministic(amount)):
        return node
    year = cast_to(_call("year", value.copy()), T.DOUBLE)
    moved = exp.Add(
        this=year,
        expression=exp.Mul(
            this=cast_to(amount.copy(), T.DOUBLE), expression=exp.Literal.number(repr(per_unit))
        ),
    )
    outside = exp.Not(
        this=exp.Between(this=moved, low=exp.Literal.number(MIN_YEAR), high=exp.Literal.number(MAX_YEAR))
    )
    refused = refuse_at_run_time(f"a date_add() beyond the years {MIN_YEAR} to {MAX_YEAR}")
    return exp.Case(ifs=[exp.If(this=outside, true=refused)], default=node)


def guarded_interval_product(node: exp.Expr, interval: exp.Expr, factor: exp.Expr) -> exp.Expr:
    """``node`` (``interval * factor``), refused when met if the product leaves the range; as it
    is when an operand is nondeterministic (each is read twice)."""
    if not (deterministic(interval) and deterministic(factor)):
        return node
    number = cast_to(factor.copy(), T.DOUBLE)
    too_many = exp.GT(this=_call("abs", number), expression=exp.Literal.number(_INT_MAX))
    seconds = exp.Mul(this=number.copy(), expression=_call("epoch", interval.copy()))
    too_long = exp.GTE(this=_call("abs", seconds), expression=exp.Literal.number(MAX_INTERVAL_DAYS * 86400))
    refused = refuse_at_run_time(f"an interval times a number beyond {MAX_INTERVAL_DAYS} days")
    return exp.Case(ifs=[exp.If(this=exp.or_(too_many, too_long), true=refused)], default=node)
