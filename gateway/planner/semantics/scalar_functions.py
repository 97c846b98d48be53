"""Scalar functions whose engine namesakes differ from Trino in type or in an edge case.

* ``ceiling``/``floor``/``round(x)`` of a ``decimal(p, s)`` is ``decimal(p - s + 1, 0)`` (of an
  integer: that integer type); ``round(x, d)`` of a decimal keeps ``decimal(p + 1, s)``;
  ``truncate(x)`` is ``decimal(max(p - s, 1), 0)``, ``truncate(x, d)`` keeps ``decimal(p, s)``;
  ``truncate`` of an integer is that of a ``decimal(n, 0)``. Of a double or real they keep its
  type, and ``round(x, d)`` of an infinity is that infinity (the engine: 0 when ``d`` < 0).
* ``sign`` has its argument's type (a decimal's is ``decimal(1,0)``); the engine: tinyint.
* ``bitwise_and/or/xor/not`` are ``bigint``.
* ``greatest`` of doubles passes over NaN (the engine: NaN is the greatest); ``-(-x)`` is ``x``
  (Trino simplifies it, so it never overflows).
* ``array_position`` is ``bigint`` and 0 when the element is missing (the engine: NULL).
* ``split_part`` beyond the last field is NULL (the engine: ''); an index below 1 fails.
* ``regexp_extract`` without a match is NULL (the engine: '').
* ``CAST(double AS integer)`` rounds half away from zero.
* ``extract(DOW ...)`` is ISO (Monday 1 … Sunday 7; the engine: Sunday 0).
* ``timezone_hour``/``timezone_minute`` of a literal are its offset's; of any other value they
  are refused (the engine keeps the instant, not the zone).
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime

from sqlglot import exp

from gateway.planner.semantics.arithmetic import trino_type
from gateway.planner.semantics.to_text import source_type
from gateway.planner.semantics.types import (
    INTEGER_PRECISION,
    T,
    cast_to,
    decimal_shape,
    decimal_type,
    deterministic,
    raise_error,
    refuse,
    simple_type,
)


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _decimal(kind: exp.DataType | None) -> tuple[int, int] | None:
    return decimal_shape(kind) if kind is not None and kind.this == T.DECIMAL else None


def rounding(node: exp.Ceil | exp.Floor | exp.Round | exp.Trunc) -> exp.Expr:
    kind = trino_type(node.this)
    if kind is None:
        return node
    if kind.this in INTEGER_PRECISION:
        digits = node.args.get("decimals")
        if isinstance(node, exp.Trunc):  # truncate() takes a decimal: decimal(digits, 0)
            as_decimal = decimal_type(INTEGER_PRECISION[kind.this], 0)
            truncated = node.copy()
            truncated.set("this", cast_to(node.this.copy(), as_decimal))
            return cast_to(truncated, as_decimal)
        return node if digits is not None else cast_to(node.copy(), kind)
    if kind.this in (T.DOUBLE, T.FLOAT):
        return _floating_rounding(node, kind)
    shape = _decimal(kind)
    if shape is None:
        return node
    precision, scale = shape
    digits = node.args.get("decimals")
    if digits is None:
        if isinstance(node, exp.Trunc):
            return cast_to(node.copy(), decimal_type(max(precision - scale, 1), 0))
        if scale == 0:
            return cast_to(node.copy(), kind)
        return cast_to(node.copy(), decimal_type(min(precision - scale + 1, 38), 0))
    if not (isinstance(digits, exp.Literal | exp.Neg) and digits.find(exp.Column) is None):
        return node
    if isinstance(node, exp.Trunc):
        return cast_to(node.copy(), decimal_type(precision, scale))
    return cast_to(node.copy(), decimal_type(min(precision + 1, 38), scale))


def _floating_rounding(node: exp.Ceil | exp.Floor | exp.Round | exp.Trunc, kind: exp.DataType) -> exp.Expr:
    """Of a double or real: its type; ``round(x, d)`` of an infinity is that infinity (the
    engine: 0 for a negative ``d``, or for a real)."""
    value = node.this
    if node.args.get("decimals") is None or not isinstance(node, exp.Round):
        return cast_to(node.copy(), kind)
    if not deterministic(value):
        raise refuse("round(x, d) of a nondeterministic double")
    finite = exp.If(this=_call("isfinite", value.copy()), true=node.copy())
    return cast_to(exp.Case(ifs=[finite], default=value.copy()), kind)


def greatest_ignoring_nan(node: exp.Greatest | exp.Least) -> exp.Expr:
    """``greatest`` of doubles or reals passes over NaN unless every value is NaN (the engine:
    NaN is the greatest); ``greatest``/``least`` of decimals compare at their common type."""
    kind = trino_type(node)
    if kind is not None and kind.this == T.DECIMAL:  # the engine's type may keep a lesser scale
        node.set("this", cast_to(node.this.copy(), kind))
        node.set("expressions", [cast_to(v.copy(), kind) for v in node.expressions])
        return node
    if kind is None or kind.this not in (T.DOUBLE, T.FLOAT) or isinstance(node, exp.Least):
        return node
    values = [node.this, *node.expressions]
    if not all(deterministic(v) for v in values):
        raise refuse("greatest() of nondeterministic doubles")

    def is_nan(value: exp.Expr) -> exp.Expr:
        return _call("isnan", cast_to(value.copy(), kind))

    lowest = cast_to(exp.Literal.string("-Infinity"), kind)
    passed = [
        exp.Case(ifs=[exp.If(this=is_nan(v), true=lowest.copy())], default=cast_to(v.copy(), kind))
        for v in values
    ]
    every_nan = exp.and_(*[is_nan(v) for v in values])
    result = exp.Greatest(this=passed[0], expressions=passed[1:])
    return exp.Case(
        ifs=[exp.If(this=every_nan, true=cast_to(exp.Literal.string("NaN"), kind))], default=result
    )


def double_negation(node: exp.Neg) -> exp.Expr:
    """``-(-x)`` is ``x``: Trino simplifies it away, so ``-(-TINYINT '-128')`` does not overflow."""
    inner = node.this
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if isinstance(inner, exp.Neg) and isinstance(inner.this, exp.Expr):
        return inner.this.copy()
    kind = trino_type(node)
    if kind is not None and kind.this == T.DECIMAL:  # the engine types -CAST(NULL AS decimal) integer
        return cast_to(node.copy(), kind)
    return node


def sign(node: exp.Sign) -> exp.Expr:
    kind = trino_type(node.this)
    if kind is None:
        return node
    if kind.this in INTEGER_PRECISION or kind.this in (T.DOUBLE, T.FLOAT):
        return cast_to(node.copy(), kind)
    if kind.this == T.DECIMAL:
        return cast_to(node.copy(), decimal_type(1, 0))
    return node


def to_bigint(node: exp.Expr) -> exp.Expr:
    return cast_to(node.copy(), T.BIGINT)


def array_position(node: exp.ArrayPosition) -> exp.Expr:
    array, element = node.this, node.expression
    if not (deterministic(array) and deterministic(element)):
        raise refuse("array_position() of nondeterministic arguments")
    found = _call("coalesce", node.copy(), exp.Literal.number(0))
    missing = exp.or_(
        exp.Is(this=exp.paren(array.copy()), expression=exp.Null()),
        exp.Is(this=exp.paren(element.copy()), expression=exp.Null()),
    )
    return cast_to(exp.Case(ifs=[exp.If(this=missing, true=exp.Null())], default=found), T.BIGINT)


def split_part(node: exp.SplitPart) -> exp.Expr:
    text, delimiter, index = node.this, node.args.get("delimiter"), node.args.get("part_index")
    if not (isinstance(delimiter, exp.Literal) and delimiter.is_string and delimiter.name):
        return node
    if index is None or not (deterministic(text) and deterministic(index)):
        raise refuse("split_part() of nondeterministic arguments")
    fields = _call("len", _call("string_split", text.copy(), delimiter.copy()))
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.LT(this=index.copy(), expression=exp.Literal.number(1)),
                true=raise_error("Index must be greater than zero"),
            ),
            exp.If(this=exp.GT(this=index.copy(), expression=fields), true=exp.Null()),
        ],
        default=node.copy(),
    )


def regexp_extract(node: exp.RegexpExtract) -> exp.Expr:
    text, pattern = node.this, node.expression
    if not deterministic(text):
        raise refuse("regexp_extract() of a nondeterministic value")
    matches = exp.RegexpLike(this=text.copy(), expression=pattern.copy())
    return exp.Case(ifs=[exp.If(this=matches, true=node.copy())], default=exp.Null())


def extract(node: exp.Extract) -> exp.Expr:
    unit = node.this
    if isinstance(unit, exp.Var) and unit.name.upper() in ("DOW", "DAY_OF_WEEK", "DAYOFWEEK"):
        node.set("this", exp.var("ISODOW"))
    return node


_OFFSET = re.compile(r"([+-])(\d{1,2}):(\d{2})$")


def timezone_part(node: exp.Anonymous) -> exp.Expr:
    name = node.name.lower()
    value = node.expressions[0] if len(node.expressions) == 1 else None
    literal = value.this if isinstance(value, exp.Cast) and value.to.this == T.TIMESTAMPTZ else None
    if not (isinstance(literal, exp.Literal) and literal.is_string):
        raise refuse(
            f"{name}() of a value that is not a literal (the engine keeps the instant, not the zone)"
        )
    text = literal.name.strip()
    match = _OFFSET.search(text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        minutes = sign * (int(match.group(2)) * 60 + int(match.group(3)))
    else:
        local_text, _, zone = text.rpartition(" ")
        if zone.upper() in ("UTC", "Z"):
            minutes = 0
        else:
            try:
                local = datetime.fromisoformat(local_text)
                offset = local.replace(tzinfo=zoneinfo.ZoneInfo(zone)).utcoffset()
            except (ValueError, zoneinfo.ZoneInfoNotFoundError):
                raise refuse(f"{name}() of '{text}'") from None
            minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = -1 if minutes < 0 else 1
    part = abs(minutes) // 60 if name == "timezone_hour" else abs(minutes) % 60
    return cast_to(exp.Literal.number(sign * part), simple_type(T.BIGINT))


def substring(node: exp.Substring) -> exp.Expr:
    """``substr`` from position 0, or from before the start, or of a negative length, is '' in
    Trino (the engine: the whole string; of a negative length, the characters before ``start``)."""
    text, start, length = node.this, node.args.get("start"), node.args.get("length")
    if start is None:
        return node
    start_fine = isinstance(start, exp.Literal) and not start.is_string and int(start.name) > 0
    length_fine = length is None or (isinstance(length, exp.Literal) and not length.is_string)
    if start_fine and length_fine:
        return node
    if not (deterministic(text) and deterministic(start) and (length is None or deterministic(length))):
        raise refuse("substr() of nondeterministic arguments")
    empty: exp.Expr = exp.false()
    if not start_fine:
        before = exp.LT(
            this=exp.Add(this=_call("length", text.copy()), expression=start.copy()),
            expression=exp.Literal.number(0),
        )
        empty = exp.or_(exp.EQ(this=start.copy(), expression=exp.Literal.number(0)), before)
    if length is not None and not length_fine:
        empty = exp.or_(empty, exp.LT(this=length.copy(), expression=exp.Literal.number(0)))
    # of a NULL argument it is NULL, also where it would be ''
    arguments = [text, start] if length is None else [text, start, length]
    null = exp.or_(*[exp.Is(this=exp.paren(a.copy()), expression=exp.Null()) for a in arguments])
    return exp.Case(
        ifs=[
            exp.If(this=null, true=cast_to(exp.Null(), T.VARCHAR)),
            exp.If(this=empty, true=exp.Literal.string("")),
        ],
        default=node.copy(),
    )


def array_contains(node: exp.ArrayContains) -> exp.Expr:
    """``contains(array, x)``: NULL when not found and the array holds a NULL (the engine: false)."""
    array, element = node.this, node.expression
    if not (deterministic(array) and deterministic(element)):
        raise refuse("contains() of nondeterministic arguments")
    has_null = exp.LT(this=_call("list_count", array.copy()), expression=_call("len", array.copy()))
    unknown = exp.or_(
        exp.Is(this=exp.paren(element.copy()), expression=exp.Null()),
        exp.Is(this=exp.paren(array.copy()), expression=exp.Null()),
    )
    return exp.Case(
        ifs=[
            exp.If(this=unknown, true=exp.Null()),
            exp.If(this=node.copy(), true=exp.true()),
            exp.If(this=has_null, true=exp.Null()),
        ],
        default=exp.false(),
    )


def array_remove(node: exp.ArrayRemove) -> exp.Expr:
    """``array_remove(array, NULL)`` is NULL in Trino."""
    element = node.expression
    if isinstance(element, exp.Null):  # NULL, of the array's type
        return exp.Case(ifs=[exp.If(this=exp.true(), true=exp.Null())], default=node.copy())
    return node


def json_extract_scalar(node: exp.JSONExtractScalar) -> exp.Expr:
    """An object or array at the path gives NULL in Trino (the engine: its JSON text)."""
    document, path = node.this, node.expression
    if not (deterministic(document) and deterministic(path)):
        raise refuse("json_extract_scalar() of nondeterministic arguments")
    found = _call("json_type", _call("json_extract", document.copy(), path.copy()))
    structured = exp.In(this=found, expressions=[exp.Literal.string("OBJECT"), exp.Literal.string("ARRAY")])
    return exp.Case(ifs=[exp.If(this=structured, true=exp.Null())], default=node.copy())


_SIMPLE_PATH = re.compile(r"^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$")


def json_exists(node: exp.Anonymous) -> exp.Expr:
    if len(node.expressions) != 2:
        raise refuse("json_exists() with these arguments")
    return sql_json_path(node, 1, "json_exists")


def sql_json_path(node: exp.Expr, key: str | int, function: str) -> exp.Expr:
    """SQL/JSON paths (``json_value``, ``json_query``, ``json_exists``): ``lax`` with member and
    index steps is what the engine's paths mean; any other path is refused."""
    path = node.expressions[key] if isinstance(key, int) else node.args.get(key)
    if not (isinstance(path, exp.Literal) and path.is_string):
        raise refuse(f"{function}() with a path that is not a string literal")
    text = path.name.strip()
    mode, _, rest = text.partition(" ")
    if mode.lower() != "lax" or not _SIMPLE_PATH.match(rest.strip()):
        raise refuse(f"{function}() with the path '{text}'")
    path.replace(exp.Literal.string(rest.strip()))
    return node


def floating_to_integer(node: exp.Cast) -> exp.Expr:
    """``CAST(double AS integer)`` rounds half away from zero in Trino (2.5 is 3); the engine
    rounds half to even."""
    kind = trino_type(node.this)
    if kind is None or kind.this not in (T.DOUBLE, T.FLOAT):
        return node
    value = node.this.copy()
    node.set("this", _call("round", node.this.copy()))
    if kind.this == T.FLOAT and node.to.this == T.BIGINT:
        return _saturated(node, value)
    return node


_TWO_TO_63 = "9223372036854775808"


def _saturated(node: exp.Cast, value: exp.Expr) -> exp.Expr:
    """``CAST(real AS bigint)`` saturates in Trino (``REAL 'Infinity'`` is 9223372036854775807;
    NaN still fails); the engine fails out of range."""
    if not deterministic(value):
        raise refuse("CAST of a nondeterministic real to bigint")
    limit = cast_to(exp.Literal.number(_TWO_TO_63), T.DOUBLE)
    wide = cast_to(value, T.DOUBLE)
    return exp.Case(
        ifs=[
            # the engine orders NaN above every number: it is cast (and fails) as written
            exp.If(this=_call("isnan", wide.copy()), true=node.copy()),
            exp.If(
                this=exp.GTE(this=wide.copy(), expression=limit.copy()), true=exp.Literal.number(2**63 - 1)
            ),
            exp.If(
                this=exp.LT(this=wide.copy(), expression=exp.Neg(this=limit)),
                true=exp.Literal.number(-(2**63)),
            ),
        ],
        default=node.copy(),
    )


_JAVA_INTEGER = r"\s*[+-]?[0-9]+\s*"
#: the same, as the engine's regular expressions read it (``\s``: these five), for a literal
_JAVA_INTEGER_TEXT = re.compile(r"[\t\n\f\r ]*[+-]?[0-9]+[\t\n\f\r ]*")


#: Trino functions that give ``varchar`` whose type sqlglot cannot tell (it says UNKNOWN)
_TEXT_RESULTS = (
    exp.Replace,
    exp.RegexpReplace,
    exp.RegexpExtract,
    exp.SplitPart,
    exp.Format,
    exp.JSONFormat,
    exp.Normalize,
)


def text_to_integer(node: exp.Expr) -> exp.Expr:
    """``CAST(varchar AS integer)`` takes only an optional sign and digits (Java's parseInt), the
    engine also '1.5', '1e2' and '1_000'; such text fails (``try_cast``: NULL). Functions giving
    ``varchar`` whose type sqlglot cannot tell (``replace(...)``) are text too."""
    if not isinstance(node, exp.Cast):  # a rewrite made it something else
        return node
    operand = node.this
    if isinstance(operand, exp.Null) or (
        isinstance(operand, exp.Literal) and operand.is_string and _JAVA_INTEGER_TEXT.fullmatch(operand.name)
    ):
        return node
    while isinstance(operand, exp.Paren):
        operand = operand.this
    kind = source_type(node.this)
    is_text = kind is not None and kind.is_type(*exp.DataType.TEXT_TYPES)
    if not (is_text or ((kind is None or kind.this == T.UNKNOWN) and isinstance(operand, _TEXT_RESULTS))):
        return node
    if not deterministic(node.this):
        raise refuse("CAST of a nondeterministic varchar to an integer type")
    valid = _call("regexp_full_match", node.this.copy(), exp.Literal.string(_JAVA_INTEGER))
    invalid = exp.Not(this=exp.paren(valid))
    if isinstance(node, exp.TryCast):
        return exp.Case(ifs=[exp.If(this=invalid, true=exp.Null())], default=node.copy())
    target = node.to.sql("trino").upper()
    target = "INT" if target == "INTEGER" else target
    # Trino's message names the text, as the engine's own cast errors do
    failed = exp.Anonymous(
        this="error",
        expressions=[
            _call(
                "concat",
                exp.Literal.string("Cannot cast '"),
                cast_to(node.this.copy(), T.VARCHAR),
                exp.Literal.string(f"' to {target}"),
            )
        ],
    )
    return exp.Case(ifs=[exp.If(this=invalid, true=failed)], default=node.copy())


def split(node: exp.Split) -> exp.Expr:
    """``split(s, d, limit)`` keeps the rest in the last field; the engine has no limit."""
    if node.args.get("limit") is not None:
        raise refuse("split() with a limit")
    return node


def java_replacement(node: exp.RegexpReplace) -> exp.Expr:
    """Java's replacement (``$1`` a group, ``\\$`` a dollar) as the engine's (``\\1``)."""
    replacement = node.args.get("replacement")
    if replacement is None:
        return node
    if not (isinstance(replacement, exp.Literal) and replacement.is_string):
        raise refuse("regexp_replace() with a replacement that is not a string literal")
    text, out, i = replacement.name, [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            following = text[i + 1]
            out.append("\\\\" if following == "\\" else following)
            i += 2
        elif char == "$":
            match = re.match(r"\$(\d)", text[i:])
            if match is None:
                raise refuse(f"regexp_replace() with the replacement '{text}'")
            out.append("\\" + match.group(1))
            i += 2
        else:
            out.append(char)
            i += 1
    replacement.replace(exp.Literal.string("".join(out)))
    return node


def skewness(node: exp.Skewness) -> exp.Expr:
    """Trino's skewness is the population one (the engine's is adjusted for a sample)."""
    if not isinstance(node.parent, exp.Alias | exp.Paren | exp.Binary | exp.Cast | exp.Func) or isinstance(
        node.parent, exp.Filter | exp.Window
    ):
        return node
    n = cast_to(exp.Count(this=node.this.copy()), T.DOUBLE)
    factor = exp.Div(
        this=exp.paren(exp.Sub(this=n.copy(), expression=exp.Literal.number(2))),
        expression=_call(
            "sqrt",
            exp.Mul(this=n.copy(), expression=exp.paren(exp.Sub(this=n, expression=exp.Literal.number(1)))),
        ),
    )
    return exp.Mul(this=node.copy(), expression=exp.paren(factor))


def real_statistic(node: exp.Expr) -> exp.Expr:
    """``corr``/``covar_*``/``regr_slope``/``regr_intercept`` of integers are ``real`` in Trino
    (its real overload is chosen)."""
    kinds = [trino_type(node.this), trino_type(node.args["expression"])]
    if all(k is not None and k.this in INTEGER_PRECISION for k in kinds):
        return cast_to(node.copy(), T.FLOAT)
    if all(k is not None and k.this == T.FLOAT for k in kinds):
        return cast_to(node.copy(), T.FLOAT)
    return node


def subscript(node: exp.Bracket, base_type: exp.DataType | None) -> exp.Expr:
    """``array[i]`` fails out of range (the engine: NULL, or counts from the end); ``element_at``
    fails on 0; ``map[k]`` fails on a missing key."""
    if base_type is None or len(node.expressions) != 1:
        return node
    base, index = node.this, node.expressions[0]
    if base_type.this == T.ARRAY and not node.args.get("offset"):
        # sqlglot keeps a subscript's index 0-based (the engine's SQL adds 1 back)
        index = exp.Add(this=exp.paren(index.copy()), expression=exp.Literal.number(1))
    if base_type.this == T.ARRAY:
        if not (deterministic(base) and deterministic(index)):
            raise refuse("an array subscript of nondeterministic values")
        zero = exp.EQ(this=index.copy(), expression=exp.Literal.number(0))
        checks = [exp.If(this=zero, true=raise_error("SQL array indices start at 1"))]
        if not node.args.get("safe"):
            checks += [
                exp.If(
                    this=exp.LT(this=index.copy(), expression=exp.Literal.number(0)),
                    true=raise_error("Array subscript is negative"),
                ),
                exp.If(
                    this=exp.GT(this=index.copy(), expression=_call("len", base.copy())),
                    true=raise_error("Array subscript must be less than or equal to array length"),
                ),
            ]
        return exp.Case(ifs=checks, default=node.copy())
    if base_type.this == T.MAP and not node.args.get("safe"):
        if not (deterministic(base) and deterministic(index)):
            raise refuse("a map subscript of nondeterministic values")
        missing = exp.Not(this=_call("map_contains", base.copy(), index.copy()))
        return exp.Case(
            ifs=[exp.If(this=missing, true=raise_error("Key not present in map"))], default=node.copy()
        )
    return node


_NAN = cast_to(exp.Literal.string("NaN"), T.DOUBLE)
_MINUS_INFINITY = cast_to(exp.Literal.string("-Infinity"), T.DOUBLE)


def logarithm(node: exp.Ln | exp.Log | exp.Sqrt) -> exp.Expr:
    """``ln(0)`` is -Infinity, the log or square root of a negative number NaN (the engine fails)."""
    value = node.expression if isinstance(node, exp.Log) and node.expression is not None else node.this
    if not deterministic(value):
        raise refuse(f"{node.key}() of a nondeterministic value")
    kind = trino_type(value)
    if kind is not None and kind.this not in (*INTEGER_PRECISION, T.DECIMAL, T.DOUBLE, T.FLOAT):
        return node
    checks = [exp.If(this=exp.LT(this=value.copy(), expression=exp.Literal.number(0)), true=_NAN.copy())]
    if not isinstance(node, exp.Sqrt):
        zero = exp.EQ(this=value.copy(), expression=exp.Literal.number(0))
        checks.append(exp.If(this=zero, true=_MINUS_INFINITY.copy()))
    return exp.Case(ifs=checks, default=cast_to(node.copy(), T.DOUBLE))


def cardinality(node: exp.ArraySize, kind: exp.DataType | None) -> exp.Expr:
    """``cardinality`` of a map counts its entries (the engine's array_length takes no map)."""
    if kind is not None and kind.this == T.MAP:
        return cast_to(_call("cardinality", node.this.copy()), T.BIGINT)
    return node


_BIT_WIDTHS = {8: T.TINYINT, 16: T.SMALLINT, 32: T.INT, 64: T.BIGINT}


def bit_count(node: exp.Anonymous) -> exp.Expr:
    """``bit_count(x, bits)``: the set bits of ``x`` in two's complement of ``bits`` bits."""
    if len(node.expressions) != 2:
        return node
    value, bits = node.expressions
    width = int(bits.name) if isinstance(bits, exp.Literal) and not bits.is_string else None
    if width not in _BIT_WIDTHS:
        raise refuse("bit_count() with a width other than 8, 16, 32 or 64")
    return cast_to(_call("bit_count", cast_to(value.copy(), _BIT_WIDTHS[width])), T.BIGINT)


_NO_TYPES = {T.IPADDRESS: "ipaddress", T.IPPREFIX: "ipprefix"}


def check_types(casts: list[exp.Cast]) -> None:
    """Types the engine has no faithful form of (in the query's casts and typed literals) are
    refused by name."""
    for kind in (k for cast in casts for k in cast.to.find_all(exp.DataType)):
        name = _NO_TYPES.get(kind.this)
        if name is not None:
            raise refuse(f"the type {name}")
