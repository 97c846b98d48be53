"""The Trino type of a result column where the engine's type differs from it.

Trino gives a temporal value the precision of what it was made of (``TIMESTAMP '… 12:34:56.789'``
is ``timestamp(3)``, ``current_timestamp`` is ``timestamp(3) with time zone``, ``CAST(x AS
timestamp)`` is ``timestamp(3)``); the engine gives every one microseconds. Intervals are
``interval day to second`` or ``interval year to month`` by their unit; the engine has one
interval type. JSON, UUID, CHAR(n) have no engine type that reports them. ``sum``/``avg`` of a
``real`` is a ``real`` (the engine: double). An array of nothing but NULLs is ``array(unknown)``
(the engine: an integer array). Only these kinds are typed here; any other column
keeps the engine's type.
"""

from __future__ import annotations

import re

from sqlglot import exp

from gateway.planner.semantics.arithmetic import common_type, trino_type
from gateway.planner.semantics.types import T, refuse, simple_type

#: Trino's precision of a temporal type written without one
DEFAULT_PRECISION = 3
_MAX_ENGINE_PRECISION = 6
_YEAR_MONTH_UNITS = frozenset({"YEAR", "MONTH"})
_TEMPORAL = frozenset({T.TIMESTAMP, T.TIMESTAMPTZ, T.TIME, T.DATETIME})


def precision_of(kind: exp.DataType) -> int | None:
    params = [e for e in kind.expressions if isinstance(e, exp.DataTypeParam)]
    return int(params[0].name) if params else None


def with_precision(this: T, precision: int) -> exp.DataType:
    return exp.DataType(
        this=this, expressions=[exp.DataTypeParam(this=exp.Literal.number(precision))], nested=False
    )


def interval_type(year_month: bool) -> exp.DataType:
    spelled = "INTERVAL YEAR TO MONTH" if year_month else "INTERVAL DAY TO SECOND"
    return exp.DataType.build(spelled, dialect="trino")


def is_interval(kind: exp.DataType | None) -> bool:
    return kind is not None and (kind.this == T.INTERVAL or isinstance(kind.this, exp.Interval))


def is_year_month(kind: exp.DataType | None) -> bool:
    if kind is None or not isinstance(kind.this, exp.Interval):
        return False
    unit = kind.this.args.get("unit")
    first = unit.this if isinstance(unit, exp.IntervalSpan) else unit
    return first is not None and first.name.upper().rstrip("S") in _YEAR_MONTH_UNITS


def _literal_interval(node: exp.Interval) -> exp.DataType:
    unit = node.args.get("unit")
    text = unit.sql("trino").upper() if unit is not None else ""
    first = text.split(" ")[0] if text else ""
    return interval_type(first.rstrip("S") in _YEAR_MONTH_UNITS)


def temporal_type(node: exp.Expr) -> exp.DataType | None:
    """Trino's type of ``node`` when it is temporal, an interval, or one of the text types."""
    if isinstance(node, exp.Alias | exp.Paren):
        return temporal_type(node.this)
    if isinstance(node, exp.Cast | exp.TryCast):
        to = node.to
        if to.this in (T.TIMESTAMP, T.TIMESTAMPTZ, T.TIME) and precision_of(to) is None:
            return with_precision(to.this, DEFAULT_PRECISION)
        return to
    if isinstance(node, exp.CurrentTimestamp):
        return with_precision(T.TIMESTAMPTZ, DEFAULT_PRECISION)
    if isinstance(node, exp.Localtimestamp):
        return with_precision(T.TIMESTAMP, DEFAULT_PRECISION)
    if isinstance(node, exp.UnixToTime | exp.ParseDatetime):
        return with_precision(T.TIMESTAMPTZ, DEFAULT_PRECISION)
    if isinstance(node, exp.StrToTime):
        return with_precision(T.TIMESTAMP, DEFAULT_PRECISION)
    if isinstance(node, exp.DateTrunc | exp.TimestampTrunc):
        return temporal_type(node.this)
    if isinstance(node, exp.DateAdd):
        return temporal_type(node.this)
    if isinstance(node, exp.AtTimeZone):
        inner = temporal_type(node.this)
        return _zoned(inner)
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("with_timezone", "at_timezone"):
        return _zoned(temporal_type(node.expressions[0])) if node.expressions else None
    if isinstance(node, exp.Interval):
        return _literal_interval(node)
    depth = _unknown_depth(node)
    if depth:
        return unknown_array(depth)
    if isinstance(node, exp.Neg):
        return temporal_type(node.this)
    if isinstance(node, exp.Add | exp.Sub):
        left, right = temporal_type(node.left), temporal_type(node.right)
        if (
            isinstance(node, exp.Sub)
            and left is not None
            and right is not None
            and left.this in _TEMPORAL | {T.DATE}
            and left.this == right.this
        ):
            return interval_type(year_month=False)
        for side, other in ((left, right), (right, left)):
            if side is not None and side.this in _TEMPORAL | {T.DATE}:
                return _plus_interval(side, other)
        if is_interval(left) and is_interval(right) and is_year_month(left) == is_year_month(right):
            return left
        return None
    if isinstance(node, exp.Mul):  # interval * number, number * interval: that interval's type
        for side in (temporal_type(node.left), temporal_type(node.right)):
            if is_interval(side):
                return side
        return None
    if isinstance(node, exp.Nullif):
        return temporal_type(node.this)
    if isinstance(node, exp.Case | exp.If | exp.Coalesce | exp.Greatest | exp.Least):
        kinds = [temporal_type(n) for n in _branches(node) if not isinstance(n, exp.Null)]
        known = [k for k in kinds if k is not None]
        if known and len(known) == len(kinds) and all(k == known[0] for k in known):
            return known[0]
        return None
    if isinstance(node, exp.Sum | exp.Avg | exp.Min | exp.Max):
        argument = node.this
        kind = trino_type(argument) if not isinstance(argument, exp.Distinct) else None
        if kind is not None and kind.this == T.FLOAT:
            return simple_type(T.FLOAT)
        return temporal_type(argument) if isinstance(node, exp.Min | exp.Max) else None
    if isinstance(node, exp.Column):
        kind = node.type
        return kind if isinstance(kind, exp.DataType) and kind.this not in (T.UNKNOWN, T.NULL) else None
    if isinstance(node, exp.ParseJSON) or (
        isinstance(node, exp.JSONExtract) and not node.args.get("json_query")
    ):
        return simple_type(T.JSON)
    return None


def _unknown_depth(node: exp.Expr) -> int:
    """How deep arrays of nothing but NULLs nest in ``node`` (``ARRAY[]``, ``ARRAY[NULL]``:
    1, ``ARRAY[ARRAY[]]``: 2; 0: not such an array). Trino types them ``array(unknown)``,
    ``array(array(unknown))``."""
    if isinstance(node, exp.ArrayDistinct | exp.Reverse | exp.ArraySort):
        return _unknown_depth(node.this)
    if isinstance(node, exp.Repeat):
        return (
            1
            if isinstance(node.this, exp.Null)
            else (1 + _unknown_depth(node.this) if _unknown_depth(node.this) else 0)
        )
    if not isinstance(node, exp.Array):
        return 0
    depths = {_unknown_depth(e) for e in node.expressions if not isinstance(e, exp.Null)}
    if not depths:
        return 1
    if len(depths) == 1 and 0 not in depths:
        return 1 + depths.pop()
    return 0


def unknown_array(depth: int) -> exp.DataType:
    kind = exp.DataType(this=T.UNKNOWN)
    for _ in range(depth):
        kind = exp.DataType(this=T.ARRAY, expressions=[kind], nested=True)
    return kind


def _unknown_array_name(kind: exp.DataType) -> str | None:
    """``array(unknown)``, ``array(array(unknown))``... for those types, else None."""
    depth = 0
    while kind.this == T.ARRAY and kind.expressions and isinstance(kind.expressions[0], exp.DataType):
        kind = kind.expressions[0]
        depth += 1
    return "array(" * depth + "unknown" + ")" * depth if depth and kind.this == T.UNKNOWN else None


def _plus_interval(kind: exp.DataType, interval: exp.DataType | None) -> exp.DataType:
    """A timestamp or time plus an ``interval day to second`` (milliseconds) has at least
    millisecond precision."""
    precision = precision_of(kind)
    if kind.this == T.DATE or precision is None or not is_interval(interval) or is_year_month(interval):
        return kind
    return with_precision(kind.this, max(precision, DEFAULT_PRECISION))


def _zoned(inner: exp.DataType | None) -> exp.DataType | None:
    if inner is None or inner.this not in (T.TIMESTAMP, T.TIMESTAMPTZ, T.DATETIME):
        return None
    precision = precision_of(inner)
    return with_precision(T.TIMESTAMPTZ, DEFAULT_PRECISION if precision is None else precision)


def _branches(node: exp.Expr) -> list[exp.Expr]:
    if isinstance(node, exp.Case):
        out = [i.args["true"] for i in node.args.get("ifs") or []]
        default = node.args.get("default")
        return [*out, default] if default is not None else out
    if isinstance(node, exp.If):
        return [b for b in (node.args.get("true"), node.args.get("false")) if b is not None]
    return [node.this, *node.expressions]


def values_column_type(cells: list[exp.Expr]) -> exp.DataType | None:
    """A VALUES column's Trino type where it is one this module types: temporal types take the
    widest precision of the rows, others must agree."""
    kinds = [temporal_type(c) for c in cells if not isinstance(c, exp.Null)]
    if not kinds or any(k is None for k in kinds):
        numeric = common_type(cells)
        return numeric if numeric is not None and numeric.this == T.FLOAT else None
    known = [k for k in kinds if k is not None]
    first = known[0]
    if first.this in _TEMPORAL and all(k.this == first.this for k in known):
        precisions = [precision_of(k) for k in known]
        if all(p is not None for p in precisions):
            return with_precision(first.this, max(p for p in precisions if p is not None))
    if is_interval(first):
        same = all(is_interval(k) and is_year_month(k) == is_year_month(first) for k in known)
        return first if same else None
    return first if all(k == first for k in known) else None


def trino_name(kind: exp.DataType) -> str | None:
    """The Trino type name to convert a result column to, or None where the engine's type is it."""
    this = kind.this
    precision = precision_of(kind)
    if this in (T.TIMESTAMP, T.DATETIME, T.TIMESTAMPTZ, T.TIME):
        p = DEFAULT_PRECISION if precision is None else precision
        if p > _MAX_ENGINE_PRECISION:
            raise refuse(f"a {kind.sql('trino').lower()} value (more than microsecond precision)")
        if this == T.TIMESTAMPTZ:
            return f"timestamp({p}) with time zone"
        if p == _MAX_ENGINE_PRECISION:
            return None
        return f"time({p})" if this == T.TIME else f"timestamp({p})"
    if is_interval(kind):
        return "interval year to month" if is_year_month(kind) else "interval day to second"
    if this == T.ARRAY:
        return _unknown_array_name(kind)
    if this == T.FLOAT:
        return "real"
    if this == T.JSON:
        return "json"
    if this == T.UUID:
        return "uuid"
    if this == T.CHAR and precision is not None:
        return f"char({precision})"
    return None


_PRECISION = re.compile(r"^(timestamp|time)\((\d+)\)(.*)$")


def merge_names(names: list[str | None]) -> str | None:
    """The type of a column of a set operation: its branches' (temporal: the widest precision);
    None where they differ otherwise (the engine's common type)."""
    if not names or any(n is None for n in names):
        return None
    first = names[0]
    assert first is not None
    if all(n == first for n in names):
        return first
    shapes = [_PRECISION.match(n) for n in names if n is not None]
    if all(m is not None for m in shapes):
        kinds = {(m.group(1), m.group(3)) for m in shapes if m is not None}
        if len(kinds) == 1:
            base, suffix = kinds.pop()
            widest = max(int(m.group(2)) for m in shapes if m is not None)
            return None if widest == _MAX_ENGINE_PRECISION and not suffix else f"{base}({widest}){suffix}"
    return None
