"""Trino functions whose engine namesakes answer differently, rewritten to Trino's answer.

Each rewrite follows Trino's documentation (``docs/src/main/sphinx/functions``):

* ``slice(x, start, length)``: 1-based start (negative counts from the end) and a length; the
  engine's ``list_slice`` takes an inclusive end.
* ``date_add``/``date_diff`` units on a ``date`` keep the ``date`` type (the engine: timestamp);
  a time unit on a date is refused, as Trino does.
* ``ts AT TIME ZONE zone``, ``with_timezone(ts, zone)``: a ``timestamp with time zone``. A
  timestamp without a zone is read in the session zone (UTC) for ``AT TIME ZONE`` and in ``zone``
  for ``with_timezone``; the instant is exact, shown in the session zone.
* ``format``: Java's format, translated where printf agrees (``semantics/java_format.py``).
* ``format_datetime``/``parse_datetime``: Joda patterns, translated letter by letter
  (``semantics/joda.py``); ``parse_datetime`` gives a ``timestamp with time zone``.
* ``width_bucket(x, bound1, bound2, n)``: Trino's formula and errors; the array form is refused.
* ``map_agg(k, v)``: a map of the pairs with non-NULL keys (a repeated key is refused with
  NOT_SUPPORTED when met: Trino keeps one of the values, which one is not defined).
* ``current_timezone()``: the session zone.
* ``CAST(x AS varchar)``: as Trino prints ``x`` (``semantics/to_text.py``).
* numeric and string functions with another type or edge case (``semantics/scalar_functions.py``).
* ``date_trunc`` of a date is a date; ``typeof`` gives Trino's type name.
* ``length``/``substr``/``reverse``/``lpad``/``rpad``/``concat`` of ``varbinary``
  (``semantics/varbinary.py``); ``concat``/``||`` with a NULL literal (``semantics/concat.py``).
* ``upper``/``lower`` with Java's case mapping (``semantics/java_case.py``); ``from_utf8`` with
  Trino's replacement of invalid UTF-8 (``semantics/from_utf8.py``).
* JSON literals in Trino's canonical form, keys sorted (``semantics/json_canonical.py``).
* ``CASE``/``IF``/``coalesce`` of decimals: branches cast to Trino's common type
  (``semantics/decimal_branches.py``); ``replace`` with an empty search (``semantics/replace.py``);
  ``date_add`` beyond the engine's years refused when met (``semantics/date_range.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlglot import exp

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext
from gateway.planner.semantics import concat, nan_compare, scalar_functions, varbinary
from gateway.planner.semantics.arithmetic import rewrite_bottom_up, trino_type
from gateway.planner.semantics.char import check_char_query, is_char, padded
from gateway.planner.semantics.date_range import guarded_date_add
from gateway.planner.semantics.decimal_branches import decimal_branches
from gateway.planner.semantics.engine_functions import DIFFERENT, LACKING
from gateway.planner.semantics.from_utf8 import from_utf8
from gateway.planner.semantics.java_case import java_case
from gateway.planner.semantics.java_format import to_printf
from gateway.planner.semantics.joda import to_strftime
from gateway.planner.semantics.json_canonical import canonical
from gateway.planner.semantics.replace import empty_search
from gateway.planner.semantics.result_types import precision_of, temporal_type
from gateway.planner.semantics.to_text import cast_to_text, source_type
from gateway.planner.semantics.type_names import type_name
from gateway.planner.semantics.types import (
    T,
    applies,
    cast_to,
    deterministic,
    raise_error,
    refuse,
    refuse_at_run_time,
    type_of,
    typed,
)
from gateway.planner.semantics.zones import valid_zone

_DATE_UNITS = frozenset({"day", "week", "month", "quarter", "year"})
_REWRITTEN = (
    exp.EQ,
    exp.NEQ,
    exp.Nullif,
    exp.Replace,
    exp.Case,
    exp.If,
    exp.Coalesce,
    exp.ArraySlice,
    exp.DateAdd,
    exp.AtTimeZone,
    exp.Format,
    exp.ParseDatetime,
    exp.WidthBucket,
    exp.CurrentTimezone,
    exp.Anonymous,
    exp.Cast,
    exp.DateTrunc,
    exp.TimestampTrunc,
    exp.Typeof,
    exp.Ceil,
    exp.Floor,
    exp.Round,
    exp.Trunc,
    exp.Sign,
    exp.Greatest,
    exp.Least,
    exp.Neg,
    exp.BitwiseAnd,
    exp.BitwiseOr,
    exp.BitwiseXor,
    exp.BitwiseNot,
    exp.ArrayPosition,
    exp.SplitPart,
    exp.RegexpExtract,
    exp.Extract,
    exp.Normalize,
    exp.StrToMap,
    exp.FromBase,
    exp.Substring,
    exp.Split,
    exp.Ln,
    exp.Log,
    exp.Sqrt,
    exp.ArraySize,
    exp.RegexpReplace,
    exp.Skewness,
    exp.Corr,
    exp.CovarSamp,
    exp.CovarPop,
    exp.RegrSlope,
    exp.RegrIntercept,
    exp.Bracket,
    exp.ArrayContains,
    exp.ArrayRemove,
    exp.JSONExtractScalar,
    exp.JSONValue,
    exp.JSONExtract,
    exp.Length,
    exp.Reverse,
    exp.Pad,
    exp.Concat,
    exp.DPipe,
    exp.Upper,
    exp.Lower,
    exp.Decode,
    exp.ParseJSON,
    exp.JSONFormat,
)


def trino_functions(ctx: QueryContext) -> QueryContext:
    if not applies(ctx):
        return ctx
    assert ctx.tree is not None
    # one walk, matching exact classes (a set lookup, not isinstance against every kind)
    nodes = [node for node in ctx.tree.walk(bfs=False) if type(node) in _REWRITTEN_CLASSES]
    if not nodes:
        return ctx
    zone = ctx.request.time_zone
    casts = [node for node in nodes if isinstance(node, exp.Cast)]
    scalar_functions.check_types(casts)
    if any(is_char(cast.to) for cast in casts):
        check_char_query(ctx.tree)
    rewrite_bottom_up(ctx.tree, _REWRITTEN, lambda node: _rewrite(node, zone), nodes)
    return ctx


def _with_subclasses(kinds: tuple[type[exp.Expr], ...]) -> frozenset[type[exp.Expr]]:
    out: set[type[exp.Expr]] = set()
    pending = list(kinds)
    while pending:
        kind = pending.pop()
        if kind not in out:
            out.add(kind)
            pending.extend(kind.__subclasses__())
    return frozenset(out)


_REWRITTEN_CLASSES = _with_subclasses(_REWRITTEN)


def _rewrite(node: exp.Expr, session_zone: str) -> exp.Expr:
    if type(node) is exp.Cast and is_char(node.to):
        return padded(node)
    if type(node) is exp.Cast and node.to.this in (T.TIMESTAMP, T.TIMESTAMPTZ, T.TIME):
        return _temporal_cast(node)
    if type(node) is exp.TryCast and node.to.is_type(*exp.DataType.INTEGER_TYPES):
        return scalar_functions.text_to_integer(node)
    if type(node) is exp.Cast:
        if node.to.is_type(*exp.DataType.INTEGER_TYPES):
            return scalar_functions.text_to_integer(scalar_functions.floating_to_integer(node))
        return cast_to_text(node) if node.to.is_type(*exp.DataType.TEXT_TYPES) else node
    if isinstance(node, exp.Case | exp.If | exp.Coalesce):
        return decimal_branches(node)
    if isinstance(node, exp.Replace):
        return empty_search(node)
    if isinstance(node, exp.EQ | exp.NEQ):
        return nan_compare.equality(node)
    if isinstance(node, exp.Nullif):
        return nan_compare.nullif(node)
    if isinstance(node, exp.DateTrunc | exp.TimestampTrunc):
        return _date_trunc(node)
    if isinstance(node, exp.Typeof):
        return _typeof(node)
    if isinstance(node, _ENGINE_LACKS):
        raise refuse(f"function {_ENGINE_LACKS_NAMES[type(node)]}()")
    if isinstance(node, exp.Ceil | exp.Floor | exp.Round | exp.Trunc):
        return scalar_functions.rounding(node)
    if isinstance(node, exp.Sign):
        return scalar_functions.sign(node)
    if isinstance(node, exp.Greatest | exp.Least):
        return scalar_functions.greatest_ignoring_nan(node)
    if isinstance(node, exp.Neg):
        return scalar_functions.double_negation(node)
    if isinstance(node, exp.BitwiseAnd | exp.BitwiseOr | exp.BitwiseXor | exp.BitwiseNot):
        return scalar_functions.to_bigint(node)
    if isinstance(node, exp.ArrayPosition):
        return scalar_functions.array_position(node)
    if isinstance(node, exp.SplitPart):
        return scalar_functions.split_part(node)
    if isinstance(node, exp.RegexpExtract):
        return scalar_functions.regexp_extract(node)
    if isinstance(node, exp.Extract):
        return scalar_functions.extract(node)
    if isinstance(node, exp.Ln | exp.Log | exp.Sqrt):
        return scalar_functions.logarithm(node)
    if isinstance(node, exp.ArraySize):
        return scalar_functions.cardinality(node, source_type(node.this))
    if isinstance(node, exp.Split):
        return scalar_functions.split(node)
    if isinstance(node, exp.RegexpReplace):
        return scalar_functions.java_replacement(node)
    if isinstance(node, exp.Skewness):
        return scalar_functions.skewness(node)
    if isinstance(node, exp.Corr | exp.CovarSamp | exp.CovarPop | exp.RegrSlope | exp.RegrIntercept):
        return scalar_functions.real_statistic(node)
    if isinstance(node, exp.Bracket):
        return scalar_functions.subscript(node, source_type(node.this))
    if isinstance(node, exp.Substring):
        if varbinary.is_varbinary(node.this):
            return varbinary.substring(node)
        return scalar_functions.substring(node)
    if isinstance(node, exp.Length | exp.Reverse | exp.Pad | exp.Concat | exp.DPipe):
        return _bytes_or_text(node)
    if isinstance(node, exp.Upper | exp.Lower):
        return java_case(node)
    if isinstance(node, exp.Decode):
        return from_utf8(node)
    if isinstance(node, exp.ParseJSON):
        return _json_literal(node)
    if isinstance(node, exp.JSONFormat):
        return _json_format(node)
    if isinstance(node, exp.ArrayContains):
        return scalar_functions.array_contains(node)
    if isinstance(node, exp.ArrayRemove):
        return scalar_functions.array_remove(node)
    if isinstance(node, exp.JSONExtractScalar):
        return scalar_functions.json_extract_scalar(node)
    if isinstance(node, exp.JSONValue):
        return scalar_functions.sql_json_path(node, "path", "json_value")
    if isinstance(node, exp.JSONExtract) and node.args.get("json_query"):
        return scalar_functions.sql_json_path(node, "expression", "json_query")
    if isinstance(node, exp.ArraySlice):
        return _slice(node)
    if isinstance(node, exp.DateAdd):
        return _date_add(node)
    if isinstance(node, exp.AtTimeZone):
        return _at_time_zone(node, session_zone)
    if isinstance(node, exp.Format):
        return _format(node)
    if isinstance(node, exp.ParseDatetime):
        return _parse_datetime(node, session_zone)
    if isinstance(node, exp.WidthBucket):
        return _width_bucket(node)
    if isinstance(node, exp.CurrentTimezone):
        return exp.Literal.string(session_zone)
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        if name == "at_timezone" and len(node.expressions) == 2:
            value, zone = node.expressions
            return _at_time_zone(exp.AtTimeZone(this=value, zone=zone), session_zone)
        handler = _BY_NAME.get(name)
        if handler is not None:
            return handler(node)
        if name in LACKING or name in DIFFERENT:
            raise refuse(f"function {name}()")
    return node


def _bytes_or_text(node: exp.Length | exp.Reverse | exp.Pad | exp.Concat | exp.DPipe) -> exp.Expr:
    """Functions of text that Trino also has for ``varbinary`` (semantics/varbinary.py), and
    concatenation with a NULL literal and of text (semantics/concat.py)."""
    if isinstance(node, exp.Concat | exp.DPipe):
        parts = list(node.expressions) if isinstance(node, exp.Concat) else [node.this, node.expression]
        if any(isinstance(p, exp.Null) for p in parts):
            return concat.with_null(node, parts)
        if all(varbinary.is_varbinary(p) for p in parts):
            return varbinary.concat(parts)
        if all(concat.is_text(p) for p in parts):
            return concat.as_text(node)
        return node
    if not varbinary.is_varbinary(node.this):
        if isinstance(node, exp.Pad):
            return _pad(node)
        return node
    if isinstance(node, exp.Length):
        return varbinary.length(node)
    if isinstance(node, exp.Reverse):
        return varbinary.reverse(node)
    return varbinary.pad(node)


def _pad(node: exp.Pad) -> exp.Expr:
    """The engine's lpad/rpad take an INTEGER size (Trino: bigint); an empty padding fails in
    Trino (the engine pads with nothing)."""
    size = node.args.get("expression")
    if isinstance(size, exp.Expr) and not isinstance(size, exp.Literal):
        size.replace(cast_to(size.copy(), T.INT))
    padding = node.args.get("fill_pattern")
    if isinstance(padding, exp.Literal) and padding.is_string and padding.name:
        return node
    if padding is None or not deterministic(padding):
        raise refuse("lpad()/rpad() with a nondeterministic or missing padding")
    empty = exp.EQ(this=padding.copy(), expression=exp.Literal.string(""))
    failed = raise_error("Padding string must not be empty")
    return exp.Case(ifs=[exp.If(this=empty, true=failed)], default=node.copy())


def _json_literal(node: exp.ParseJSON) -> exp.Expr:
    """A JSON literal in Trino's canonical form (semantics/json_canonical.py)."""
    text = node.this
    if not (isinstance(text, exp.Literal) and text.is_string):
        return node
    known = canonical(text.name)
    if known is None:
        return node
    form, engine_agrees = known
    if not engine_agrees and not isinstance(node.parent, exp.JSONFormat):
        raise refuse(f"a JSON literal with the number(s) of {text.name!r} (Trino writes them as Java does)")
    out = node.copy()
    out.set("this", exp.Literal.string(form))
    return out


def _json_format(node: exp.JSONFormat) -> exp.Expr:
    """``json_format`` of a literal: its canonical text, known when planning."""
    value = node.this
    if isinstance(value, exp.ParseJSON) and isinstance(value.this, exp.Literal) and value.this.is_string:
        known = canonical(value.this.name)
        if known is not None:
            return typed(exp.Literal.string(known[0]), T.VARCHAR)
    return node


#: Trino functions sqlglot parses into nodes the engine has no function for
_ENGINE_LACKS_NAMES: dict[type[exp.Expr], str] = {
    exp.Normalize: "normalize",
    exp.StrToMap: "split_to_map",
    exp.FromBase: "from_base",
}
_ENGINE_LACKS = tuple(_ENGINE_LACKS_NAMES)

#: functions whose type sqlglot gives as Trino does (always double)
_TYPEOF_BY_SQLGLOT = (exp.Pow, exp.Sqrt, exp.Ln, exp.Exp, exp.Log, exp.Cbrt)


def _typeof(node: exp.Typeof) -> exp.Expr:
    """Trino's name of the argument's type; the argument is still evaluated (its errors stay)."""
    value = node.this
    known = trino_type(value) is not None or isinstance(value, _TYPEOF_BY_SQLGLOT)
    if isinstance(value, exp.Array):
        known = all(isinstance(i, exp.Literal) for i in value.expressions)
    name = type_name(source_type(value), value) if known else None
    if name is None:
        raise refuse(f"typeof() of {node.this.sql('trino')} (its Trino type is not known to Lakegate)")
    text = exp.Literal.string(name)
    evaluated = exp.Is(this=exp.paren(node.this.copy()), expression=exp.Null())
    return exp.Case(ifs=[exp.If(this=evaluated, true=text)], default=text.copy())


def _temporal_cast(node: exp.Cast) -> exp.Expr:
    """A cast of a computed value to a precision below microseconds: Trino rounds it there, the
    engine truncates (or cannot convert between its precisions): refused. A literal keeps its
    own digits, so it is cast as written."""
    precision = precision_of(node.to)
    literal = isinstance(node.this, exp.Literal) and node.this.is_string
    if literal and precision is not None:
        fraction = re.search(r":\d{2}\.(\d+)", node.this.name)
        literal = fraction is None or len(fraction.group(1)) <= precision
    if not literal and precision is not None:
        operand = temporal_type(node.this)
        operand_precision = precision_of(operand) if operand is not None else None
        exact = operand is not None and (
            operand.this == T.DATE or (operand_precision is not None and operand_precision <= precision)
        )
        literal = exact  # no digits to round away
    if precision is not None and precision < 6 and not literal:
        raise refuse(f"a cast of a computed value to {node.to.sql('trino').lower()} (Trino rounds it)")
    return node


def _date_trunc(node: exp.DateTrunc | exp.TimestampTrunc) -> exp.Expr:
    """``date_trunc`` of a date is a date (the engine: a timestamp)."""
    kind = trino_type(node.this)
    if kind is None or kind.this != T.DATE:
        return node
    return cast_to(node.copy(), T.DATE)


def _string_literal(node: exp.Expr | None, what: str) -> str:
    if isinstance(node, exp.Literal) and node.is_string:
        return node.name
    raise refuse(f"{what} with a pattern that is not a string literal")


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _slice(node: exp.ArraySlice) -> exp.Expr:
    array, start, length = node.this, node.args.get("start"), node.args.get("end")
    if start is None or length is None or node.args.get("step") is not None:
        return node
    for part in (array, start, length):
        if not deterministic(part):
            raise refuse("slice() of nondeterministic arguments")
    # Trino: start 0 fails; a negative start counts from the end; a negative length fails
    first: exp.Expr
    if isinstance(start, exp.Literal) and not start.is_string and int(start.name) > 0:
        first = start.copy()
    else:
        first = exp.Case(
            ifs=[
                exp.If(
                    this=exp.EQ(this=start.copy(), expression=exp.Literal.number(0)),
                    true=raise_error("SQL array indices start at 1"),
                ),
                exp.If(
                    this=exp.LT(this=start.copy(), expression=exp.Literal.number(0)),
                    true=exp.Add(
                        this=exp.Add(this=_call("len", array.copy()), expression=start.copy()),
                        expression=exp.Literal.number(1),
                    ),
                ),
            ],
            default=start.copy(),
        )
    if not (isinstance(length, exp.Literal) and not length.is_string and int(length.name) >= 0):
        length = exp.Case(
            ifs=[
                exp.If(
                    this=exp.LT(this=length.copy(), expression=exp.Literal.number(0)),
                    true=raise_error("length must be greater than or equal to 0"),
                )
            ],
            default=length.copy(),
        )
    last = exp.Sub(
        this=exp.Add(this=exp.paren(first.copy()), expression=exp.paren(length.copy())),
        expression=exp.Literal.number(1),
    )
    sliced = _call("list_slice", array.copy(), first, last)
    # a negative start beyond the array's length gives an empty array in Trino
    if isinstance(start, exp.Literal) and not start.is_string and int(start.name) > 0:
        return sliced
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.LT(this=exp.paren(first.copy()), expression=exp.Literal.number(1)),
                true=_empty_like(array),
            )
        ],
        default=sliced,
    )


def _empty_like(array: exp.Expr) -> exp.Expr:
    return _call("list_slice", array.copy(), exp.Literal.number(1), exp.Literal.number(0))


def _date_add(node: exp.DateAdd) -> exp.Expr:
    """On a date, a date (the engine: a timestamp); beyond the engine's years, refused when met
    (``semantics/date_range.py``)."""
    kind = trino_type(node.this)
    if kind is None or kind.this != T.DATE:
        return node
    unit = (node.text("unit") or "day").lower()
    amount = node.args.get("expression")
    if unit not in _DATE_UNITS:
        raise LakegateError(
            ErrorCode.ENGINE_USER_ERROR, f"'{unit}' is not a valid DATE field (date_add on a date)"
        )
    as_date = cast_to(node.copy(), T.DATE)
    return as_date if amount is None else guarded_date_add(as_date, node.this, amount, unit)


def _at_time_zone(node: exp.AtTimeZone, session_zone: str) -> exp.Expr:
    kind = trino_type(node.this)
    if kind is None:
        raise refuse(
            f"AT TIME ZONE on a value whose type Lakegate cannot determine ({node.this.sql('trino')})"
        )
    if kind.this in (T.TIMESTAMPTZ, T.TIMESTAMPLTZ):
        same: exp.Expr = node.this.copy()  # the same instant; the zone shown is the session's
        return same
    if kind.this in (T.TIMESTAMP, T.DATETIME):
        # read in the session zone: that is the instant, whatever zone it is then shown in
        check_zone(node.args["zone"])
        return _call("timezone", exp.Literal.string(session_zone), node.this.copy())
    raise refuse(f"AT TIME ZONE on a {kind.sql('trino')}")


def check_zone(zone: exp.Expr) -> None:
    """A literal zone must be one Trino knows (an IANA name or an offset); others are refused."""
    if not (isinstance(zone, exp.Literal) and zone.is_string):
        raise refuse("a time zone that is not a string literal")
    if not valid_zone(zone.name):
        raise LakegateError(ErrorCode.ENGINE_USER_ERROR, f"Time zone not supported: {zone.name}")


def _with_timezone(node: exp.Anonymous) -> exp.Expr:
    if len(node.expressions) != 2:
        return node
    value, zone = node.expressions
    kind = trino_type(value)
    if kind is None or kind.this not in (T.TIMESTAMP, T.DATETIME):
        raise refuse("with_timezone() of a value that is not a timestamp without time zone")
    check_zone(zone)
    return _call("timezone", zone.copy(), value.copy())


def _format(node: exp.Format) -> exp.Expr:
    pattern = _string_literal(node.this, "format()")
    arguments = list(node.expressions)
    printf = to_printf(pattern, [trino_type(a) for a in arguments])
    return _call("printf", exp.Literal.string(printf), *[a.copy() for a in arguments])


def _format_datetime(node: exp.Anonymous) -> exp.Expr:
    if len(node.expressions) != 2:
        return node
    value, pattern = node.expressions
    kind = type_of(value)
    if kind is None or kind.this not in (T.TIMESTAMP, T.DATETIME, T.TIMESTAMPTZ, T.DATE):
        raise refuse("format_datetime() of a value whose type is not a timestamp")
    text = to_strftime(
        _string_literal(pattern, "format_datetime()"), parsing=False, function="format_datetime"
    )
    return _call("strftime", value.copy(), exp.Literal.string(text))


def _parse_datetime(node: exp.ParseDatetime, session_zone: str) -> exp.Expr:
    if node.args.get("zone") is not None or node.args.get("default_year") is not None:
        raise refuse("parse_datetime() with these arguments")
    text = to_strftime(
        _string_literal(node.args.get("format"), "parse_datetime()"), parsing=True, function="parse_datetime"
    )
    parsed = _call("strptime", node.this.copy(), exp.Literal.string(text))
    return _call("timezone", exp.Literal.string(session_zone), parsed)


def _width_bucket(node: exp.WidthBucket) -> exp.Expr:
    low, high, count = node.args.get("min_value"), node.args.get("max_value"), node.args.get("num_buckets")
    if low is None or high is None or count is None or node.args.get("threshold") is not None:
        raise refuse("width_bucket(x, bins) (the array form)")
    operand = node.this
    for part in (operand, low, high, count):
        if not deterministic(part):
            raise refuse("width_bucket() of nondeterministic arguments")
    x, lo, hi = (cast_to(p.copy(), T.DOUBLE) for p in (operand, low, high))
    n = cast_to(count.copy(), T.BIGINT)
    ascending = exp.LT(this=lo.copy(), expression=hi.copy())
    bucket = exp.Add(
        this=_call(
            "floor",
            exp.Div(
                this=exp.Mul(
                    this=n.copy(), expression=exp.paren(exp.Sub(this=x.copy(), expression=lo.copy()))
                ),
                expression=exp.paren(exp.Sub(this=hi.copy(), expression=lo.copy())),
            ),
        ),
        expression=exp.Literal.number(1),
    )
    return cast_to(
        exp.Case(
            ifs=[
                exp.If(
                    this=exp.LTE(this=n.copy(), expression=exp.Literal.number(0)),
                    true=raise_error("bucketCount must be greater than 0"),
                ),
                exp.If(this=_call("isnan", x.copy()), true=raise_error("operand must not be NaN")),
                exp.If(this=_call("isinf", lo.copy()), true=raise_error("first bound must be finite")),
                exp.If(this=_call("isinf", hi.copy()), true=raise_error("second bound must be finite")),
                exp.If(
                    this=exp.EQ(this=lo.copy(), expression=hi.copy()),
                    true=raise_error("bounds cannot equal each other"),
                ),
                exp.If(
                    this=exp.and_(ascending.copy(), exp.LT(this=x.copy(), expression=lo.copy())),
                    true=exp.Literal.number(0),
                ),
                exp.If(
                    this=exp.and_(ascending.copy(), exp.GTE(this=x.copy(), expression=hi.copy())),
                    true=exp.Add(this=n.copy(), expression=exp.Literal.number(1)),
                ),
                exp.If(
                    this=exp.and_(exp.not_(ascending.copy()), exp.GT(this=x.copy(), expression=lo.copy())),
                    true=exp.Literal.number(0),
                ),
                exp.If(
                    this=exp.and_(exp.not_(ascending.copy()), exp.LTE(this=x.copy(), expression=hi.copy())),
                    true=exp.Add(this=n.copy(), expression=exp.Literal.number(1)),
                ),
            ],
            default=bucket,
        ),
        T.BIGINT,
    )


def _map_agg(node: exp.Anonymous) -> exp.Expr:
    if len(node.expressions) != 2:
        return node
    key, value = node.expressions
    entries = exp.Filter(
        this=_call(
            "list",
            exp.Struct(
                expressions=[
                    exp.PropertyEQ(this=exp.to_identifier("k"), expression=key.copy()),
                    exp.PropertyEQ(this=exp.to_identifier("v"), expression=value.copy()),
                ]
            ),
        ),
        expression=exp.Where(this=exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null()))),
    )
    built = _call("map_from_entries", entries)
    if isinstance(node.parent, exp.Filter | exp.Window) or not deterministic(key):
        return built  # a repeated key fails with the engine's words
    # Trino keeps one of a repeated key's values (which one is not defined): refused by name
    keys = exp.Count(this=key.copy())
    distinct = exp.Count(this=exp.Distinct(expressions=[key.copy()]))
    repeated = exp.GT(this=keys, expression=distinct)
    return exp.Case(
        ifs=[exp.If(this=repeated, true=refuse_at_run_time("map_agg() of a repeated key"))], default=built
    )


def _constant(value: str) -> Callable[[exp.Anonymous], exp.Expr]:
    def build(node: exp.Anonymous) -> exp.Expr:
        return node if node.expressions else cast_to(exp.Literal.string(value), T.DOUBLE)

    return build


def _renamed(name: str) -> Callable[[exp.Anonymous], exp.Expr]:
    def build(node: exp.Anonymous) -> exp.Expr:
        return _call(name, *(a.copy() for a in node.expressions)) if len(node.expressions) == 1 else node

    return build


_BY_NAME: dict[str, Callable[[exp.Anonymous], exp.Expr]] = {
    "nan": _constant("NaN"),
    "infinity": _constant("Infinity"),
    "e": lambda node: node if node.expressions else _call("exp", cast_to(exp.Literal.number(1), T.DOUBLE)),
    "is_finite": _renamed("isfinite"),
    "is_infinite": _renamed("isinf"),
    "with_timezone": _with_timezone,
    "format_datetime": _format_datetime,
    "map_agg": _map_agg,
    "timezone_hour": scalar_functions.timezone_part,
    "json_exists": scalar_functions.json_exists,
    "bit_count": scalar_functions.bit_count,
    "timezone_minute": scalar_functions.timezone_part,
}
