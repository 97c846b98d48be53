"""``CAST(x AS varchar)`` as Trino prints ``x``, by the type of ``x``.

* ``double``/``real``: Java's scientific form with the shortest digits (``1.5E0``, ``1.0E2``, ``0E0``,
  ``-1.0E-5``, ``NaN``, ``Infinity``); the engine prints ``1.5``. The digits are the
  engine's shortest round trip, which Java's agree with for normal numbers; a subnormal number
  (where Java may print two digits where one is shortest) fails the query by name.
* ``decimal(p, p)``: the leading zero (``0.05``; the engine prints ``.05``).
* ``interval day to second``: ``D HH:MM:SS.mmm``; ``interval year to month``: ``Y-M``.
* ``timestamp(p) with time zone``: a literal is printed as Trino prints it (its zone kept); any
  other value is refused (the engine keeps the instant, not the zone Trino would print).
* ``char(n)``: the padded value (see ``char.py``).
* ``array``, ``map``, ``row``, ``varbinary``: Trino has no such cast ("Cannot cast ... to
  varchar"); a JSON object or array cannot be cast either, a JSON string gives its text.
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types as _annotate_types

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.semantics.arithmetic import trino_type
from gateway.planner.semantics.result_types import is_interval, is_year_month, precision_of, temporal_type
from gateway.planner.semantics.types import (
    T,
    cast_to,
    decimal_shape,
    decimal_type,
    raise_error,
    refuse,
    refuse_at_run_time,
)

_NO_CAST = {
    T.ARRAY: "array",
    T.MAP: "map",
    T.STRUCT: "row",
    T.VARBINARY: "varbinary",
    T.BINARY: "varbinary",
}
_SMALLEST_NORMAL = {T.DOUBLE: "2.2250738585072014E-308", T.FLOAT: "1.17549435E-38"}


def source_type(node: exp.Expr) -> exp.DataType | None:
    """The Trino type of a cast's operand: the written or computed one, else sqlglot's for an
    operand without columns."""
    kind = temporal_type(node) or trino_type(node)
    if kind is None and node.find(exp.Column, exp.Query, exp.Star) is None:
        annotated = _annotate_types(node.copy(), dialect="trino").type
        if annotated is not None and annotated.this not in (T.UNKNOWN, T.NULL):
            kind = annotated
    return kind


def cast_to_text(node: exp.Cast) -> exp.Expr:
    """The rewrite of a cast to a text type (``node`` itself when the engine prints as Trino)."""
    value = node.this
    kind = source_type(value)
    if kind is None:
        return node
    if kind.this in _NO_CAST:
        raise LakegateError(ErrorCode.ENGINE_USER_ERROR, f"Cannot cast {_name(kind)} to varchar")
    if kind.this in (T.DOUBLE, T.FLOAT):
        return _scientific(value, kind.this)
    if kind.this == T.DECIMAL:
        shape = decimal_shape(kind)
        if shape is not None and shape[0] == shape[1] and shape[0] < 38:
            node.set("this", cast_to(value.copy(), decimal_type(shape[0] + 1, shape[1])))
        return node
    if is_interval(kind):
        return _year_month(value) if is_year_month(kind) else _day_to_second(value)
    if kind.this == T.TIMESTAMPTZ:
        return _zoned_literal(value, kind)
    if kind.this == T.JSON:
        return _json_text(value)
    return node


def _name(kind: exp.DataType) -> str:
    return kind.sql("trino").lower().replace("struct", "row")


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _text(node: exp.Expr) -> exp.Expr:
    return cast_to(node, T.VARCHAR)


def _scientific(value: exp.Expr, kind: T) -> exp.Expr:
    """Java's ``0.################E0`` of the engine's shortest digits, in SQL."""
    x = value.copy()
    s = _text(x.copy())
    body = exp.Trim(this=s, expression=exp.Literal.string("-"), position="LEADING")
    mantissa = _call("split_part", body, exp.Literal.string("e"), exp.Literal.number(1))
    exponent = exp.Case(
        ifs=[
            exp.If(
                this=_call("contains", body.copy(), exp.Literal.string("e")),
                true=cast_to(
                    _call("split_part", body.copy(), exp.Literal.string("e"), exp.Literal.number(2)), T.INT
                ),
            )
        ],
        default=exp.Literal.number(0),
    )
    whole = _call("split_part", mantissa, exp.Literal.string("."), exp.Literal.number(1))
    fraction = _call("split_part", mantissa.copy(), exp.Literal.string("."), exp.Literal.number(2))
    digits = exp.DPipe(this=whole, expression=fraction)
    significant = exp.Trim(this=digits, expression=exp.Literal.string("0"), position="LEADING")
    leading_zeros = exp.Sub(this=_call("length", digits.copy()), expression=_call("length", significant))
    power = exp.Sub(
        this=exp.Add(
            this=exp.Sub(this=_call("length", whole.copy()), expression=exp.Literal.number(1)),
            expression=exponent,
        ),
        expression=exp.paren(leading_zeros),
    )
    trimmed = exp.Trim(this=significant.copy(), expression=exp.Literal.string("0"), position="TRAILING")
    rest = _call("substr", trimmed.copy(), exp.Literal.number(2))
    shown = exp.DPipe(
        this=_call("left", trimmed, exp.Literal.number(1)),
        expression=exp.Case(
            ifs=[
                exp.If(
                    this=exp.GT(this=_call("length", rest), expression=exp.Literal.number(0)),
                    true=exp.DPipe(this=exp.Literal.string("."), expression=rest.copy()),
                )
            ],
            default=exp.Literal.string(".0"),
        ),
    )
    sign = exp.Case(
        ifs=[
            exp.If(this=_call("starts_with", s.copy(), exp.Literal.string("-")), true=exp.Literal.string("-"))
        ],
        default=exp.Literal.string(""),
    )
    scientific = exp.DPipe(
        this=exp.DPipe(this=exp.DPipe(this=sign, expression=shown), expression=exp.Literal.string("E")),
        expression=_text(power),
    )
    zero = exp.EQ(this=x.copy(), expression=exp.Literal.number(0))
    smallest = cast_to(exp.Literal.number(_SMALLEST_NORMAL[kind]), T.DOUBLE)
    return exp.Case(
        ifs=[
            exp.If(this=_call("isnan", x.copy()), true=exp.Literal.string("NaN")),
            exp.If(
                this=_call("isinf", x.copy()),
                true=exp.If(
                    this=exp.GT(this=x.copy(), expression=exp.Literal.number(0)),
                    true=exp.Literal.string("Infinity"),
                    false=exp.Literal.string("-Infinity"),
                ),
            ),
            exp.If(this=zero, true=exp.DPipe(this=sign.copy(), expression=exp.Literal.string("0E0"))),
            exp.If(
                this=exp.LT(this=_call("abs", cast_to(x.copy(), T.DOUBLE)), expression=smallest),
                true=refuse_at_run_time("a cast of a subnormal floating-point number to varchar"),
            ),
        ],
        default=scientific,
    )


def _day_to_second(value: exp.Expr) -> exp.Expr:
    """``D HH:MM:SS.mmm`` with a leading ``-`` for a negative interval."""
    millis = cast_to(
        _call("round", exp.Mul(this=_call("epoch", value.copy()), expression=exp.Literal.number(1000))),
        T.BIGINT,
    )
    magnitude = _call("abs", millis)
    day = exp.IntDiv(this=magnitude, expression=exp.Literal.number(86_400_000))
    hour = exp.Mod(
        this=exp.IntDiv(this=magnitude.copy(), expression=exp.Literal.number(3_600_000)),
        expression=exp.Literal.number(24),
    )
    minute = exp.Mod(
        this=exp.IntDiv(this=magnitude.copy(), expression=exp.Literal.number(60_000)),
        expression=exp.Literal.number(60),
    )
    second = exp.Mod(
        this=exp.IntDiv(this=magnitude.copy(), expression=exp.Literal.number(1000)),
        expression=exp.Literal.number(60),
    )
    milli = exp.Mod(this=magnitude.copy(), expression=exp.Literal.number(1000))
    sign = exp.If(
        this=exp.LT(this=millis.copy(), expression=exp.Literal.number(0)),
        true=exp.Literal.string("-"),
        false=exp.Literal.string(""),
    )
    return _call(
        "printf", exp.Literal.string("%s%d %02d:%02d:%02d.%03d"), sign, day, hour, minute, second, milli
    )


def _year_month(value: exp.Expr) -> exp.Expr:
    months = exp.Add(
        this=exp.Mul(
            this=_call("datepart", exp.Literal.string("year"), value.copy()),
            expression=exp.Literal.number(12),
        ),
        expression=_call("datepart", exp.Literal.string("month"), value.copy()),
    )
    sign = exp.If(
        this=exp.LT(this=months.copy(), expression=exp.Literal.number(0)),
        true=exp.Literal.string("-"),
        false=exp.Literal.string(""),
    )
    magnitude = _call("abs", months)
    return _call(
        "printf",
        exp.Literal.string("%s%d-%d"),
        sign,
        exp.IntDiv(this=magnitude, expression=exp.Literal.number(12)),
        exp.Mod(this=magnitude.copy(), expression=exp.Literal.number(12)),
    )


_ZONED_LITERAL = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.\d+)?\s*(\S.*)$")


def _zoned_literal(value: exp.Expr, kind: exp.DataType) -> exp.Expr:
    """Trino prints a zoned timestamp in its own zone, which the engine does not keep: only a
    literal (whose zone is written) is printed."""
    literal = value.this if isinstance(value, exp.Cast) else None
    match = _ZONED_LITERAL.match(literal.name.strip()) if isinstance(literal, exp.Literal) else None
    if match is None:
        raise refuse("a cast of a timestamp with time zone to varchar (Trino prints the value's own zone)")
    precision = precision_of(kind) or 0
    fraction = (match.group(2) or ".")[1:].ljust(precision, "0")[:precision]
    zone = match.group(3).strip()
    if zone.upper() in ("Z", "UTC"):
        zone = "UTC"
    text = match.group(1) + ("." + fraction if precision else "") + " " + zone
    return exp.Literal.string(text)


def _json_text(value: exp.Expr) -> exp.Expr:
    """A JSON string's text, NULL for JSON null; an object or array fails as in Trino; numbers
    and booleans (printed differently by the engine) are refused when met."""
    kind = _call("json_type", value.copy())
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.In(
                    this=kind, expressions=[exp.Literal.string("OBJECT"), exp.Literal.string("ARRAY")]
                ),
                true=raise_error("Cannot cast a JSON object or array to varchar"),
            ),
            exp.If(
                this=exp.EQ(this=kind.copy(), expression=exp.Literal.string("VARCHAR")),
                true=_call("json_extract_string", value.copy(), exp.Literal.string("$")),
            ),
            exp.If(this=exp.EQ(this=kind.copy(), expression=exp.Literal.string("NULL")), true=exp.Null()),
        ],
        default=refuse_at_run_time("a cast of a JSON number or boolean to varchar"),
    )
