"""Trino's array, map and row functions and operators, in the engine's list and struct functions.

Each follows Trino's documentation (``functions/array.md``, ``functions/map.md``) and its
implementation where the documentation is silent (NULL arguments, limits):

* ``a || b``, ``concat(a, b, ...)``: arrays concatenated, an element appended (``array || x``) or
  prepended (``x || array``); NULL when any argument is NULL.
* ``array_distinct(a)``: each value once, in the order it first appears (NULL kept once); the
  engine's ``list_distinct`` neither keeps the order nor a NULL.
* ``repeat(x, n)``: an array of ``n`` times ``x`` (the engine: a string), ``n`` from 0 to 100000.
* ``reverse(array)``: the engine's ``reverse`` takes only text.
* ``sequence(start, stop[, step])`` of dates: an ``array(date)`` (the engine: timestamps); the
  step a literal interval of days, months or years.
* ``map_entries(m)``: rows of two anonymous fields (the engine: fields ``key``, ``value``).
* ``=``, ``<>`` of arrays and rows: NULL where an element or field compares NULL and none compares
  false (``ARRAY[1, NULL] = ARRAY[1, NULL]`` is NULL); the engine takes NULLs as equal.
* ``array_sort(a, comparator)``: refused (the engine sorts only by value).
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.semantics.arithmetic import trino_type
from gateway.planner.semantics.types import T, cast_to, deterministic, raise_error, refuse

#: Trino's bound on ``repeat``'s count (RepeatFunction.MAX_RESULT_ENTRIES)
MAX_REPEAT = 100_000
#: Trino's bound on ``sequence``'s length (SequenceFunction.MAX_RESULT_ENTRIES)
MAX_SEQUENCE = 10_000
_NESTED = frozenset({T.ARRAY, T.STRUCT, T.MAP})
_DATE_STEP_UNITS = frozenset({"DAY", "WEEK", "MONTH", "QUARTER", "YEAR"})
_X = "_lakegate_x"
_I = "_lakegate_i"


def _kind(node: exp.Expr) -> exp.DataType | None:
    return trino_type(node)


def is_array(node: exp.Expr) -> bool:
    if isinstance(node, exp.Array):
        return True
    kind = _kind(node)
    return kind is not None and kind.this == T.ARRAY


def is_row(node: exp.Expr) -> bool:
    if isinstance(node, exp.Struct):
        return True
    kind = _kind(node)
    return kind is not None and kind.this == T.STRUCT


def _nested(node: exp.Expr) -> bool:
    if isinstance(node, exp.Array | exp.Struct | exp.Map | exp.VarMap):
        return True
    kind = _kind(node)
    return kind is not None and kind.this in _NESTED


def _has_nested_elements(array: exp.Expr) -> bool | None:
    """Whether the array's elements are arrays, rows or maps (None: not known)."""
    if isinstance(array, exp.Array):
        return any(_nested(e) for e in array.expressions)
    kind = _kind(array)
    if kind is None or not kind.expressions or not isinstance(kind.expressions[0], exp.DataType):
        return None
    element = kind.expressions[0]
    if element.this in (T.UNKNOWN, T.NULL):
        return None
    return element.this in _NESTED


def _row_fields(row: exp.Expr) -> list[bool] | None:
    """For each field of the row, whether it is nested (None: not known)."""
    if isinstance(row, exp.Struct):
        return [_nested(e.expression if isinstance(e, exp.PropertyEQ) else e) for e in row.expressions]
    kind = _kind(row)
    if kind is None or kind.this != T.STRUCT:
        return None
    out = []
    for field in kind.expressions:
        field_kind = field.args.get("kind") if isinstance(field, exp.ColumnDef) else field
        if not isinstance(field_kind, exp.DataType):
            return None
        out.append(field_kind.this in _NESTED)
    return out


def _call(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _null_if_any_null(operands: list[exp.Expr], value: exp.Expr) -> exp.Expr:
    """``value``, or NULL when an operand (not a non-NULL literal) is NULL."""
    checks = [o for o in operands if not isinstance(o, exp.Literal | exp.Array | exp.Struct)]
    if not checks:
        return value
    if not all(deterministic(o) for o in checks):
        raise refuse("|| of an array with a nondeterministic operand")
    condition = exp.or_(*(exp.Is(this=o.copy(), expression=exp.Null()) for o in checks))
    return exp.Case(ifs=[exp.If(this=condition, true=exp.Null())], default=value)


def concat(operands: list[exp.Expr]) -> exp.Expr | None:
    """``||``/``concat`` with an array operand, as Trino concatenates (None: no array operand)."""
    arrays = [is_array(o) for o in operands]
    if not any(arrays):
        return None
    if len(operands) > 2 and not all(arrays):
        raise refuse("concat() of arrays and elements beyond two arguments")
    result = operands[0].copy()
    result_is_array = arrays[0]
    for operand, operand_is_array in zip(operands[1:], arrays[1:], strict=True):
        if result_is_array and operand_is_array:
            result = _call("list_concat", result, operand.copy())
        elif result_is_array:
            result = _call("list_append", result, operand.copy())
        else:
            result = _call("list_prepend", result, operand.copy())
        result_is_array = True
    return _null_if_any_null(operands, result)


def array_distinct(node: exp.ArrayDistinct) -> exp.Expr:
    """Each value once, where it first appears: ``list_filter(a, (x, i) -> list_position(a, x) = i)``
    (the engine's ``list_position`` finds a NULL, so one NULL is kept, as Trino keeps it)."""
    array = node.this
    if not deterministic(array):
        raise refuse("array_distinct() of a nondeterministic array")
    first = exp.EQ(this=_call("list_position", array.copy(), exp.column(_X)), expression=exp.column(_I))
    keep = exp.Lambda(this=first, expressions=[exp.to_identifier(_X), exp.to_identifier(_I)])
    return _call("list_filter", array.copy(), keep)


def repeat(node: exp.Repeat) -> exp.Expr:
    """``repeat(x, n)``: ``n`` times ``x`` in an array, Trino's count bounds checked."""
    element, count = node.this, node.args["times"]
    if isinstance(count, exp.Literal) and count.is_int and 0 <= int(count.name) <= MAX_REPEAT:
        return _call("repeat", exp.Array(expressions=[element.copy()]), count.copy())
    if not (deterministic(count) and deterministic(element)):
        raise refuse("repeat() with a nondeterministic argument")
    # a NULL count gives a NULL array of the element's type (the engine's repeat: an integer)
    each = exp.Lambda(this=element.copy(), expressions=[exp.to_identifier(_I)])
    value = _call("list_transform", _call("range", count.copy()), each)
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.GT(this=count.copy(), expression=exp.Literal.number(MAX_REPEAT)),
                true=raise_error(
                    f"count argument of repeat function must be less than or equal to {MAX_REPEAT}"
                ),
            ),
            exp.If(
                this=exp.LT(this=count.copy(), expression=exp.Literal.number(0)),
                true=raise_error("count argument of repeat function must be greater than or equal to 0"),
            ),
        ],
        default=value,
    )


def reverse(node: exp.Reverse) -> exp.Expr:
    """``reverse`` of an array: the engine's ``list_reverse`` (its ``reverse`` takes text)."""
    return _call("list_reverse", node.this.copy()) if is_array(node.this) else node


def date_sequence(node: exp.GenerateSeries) -> exp.Expr:
    """``sequence`` of dates: the engine's series (timestamps) as dates, with Trino's default
    step (a day towards ``stop``) and its errors (a step away from ``stop``, zero, more than
    10000 entries). A month step adds ``i`` months to ``start`` in Trino, the engine one month
    to the previous date: they agree when ``start`` is a literal date on a day up to the 28th."""
    start, end = node.args.get("start"), node.args.get("end")
    if start is None or end is None:
        return node
    kinds = [_kind(start), _kind(end)]
    if not all(k is not None and k.this == T.DATE for k in kinds):
        return node
    if not (deterministic(start) and deterministic(end)):
        raise refuse("sequence() of nondeterministic dates")
    step = node.args.get("step")
    if step is None:
        toward_stop = exp.GTE(this=end.copy(), expression=start.copy())
        step = exp.Case(ifs=[exp.If(this=toward_stop, true=_days(1))], default=_days(-1))
        sign = 0
    else:
        sign = _date_step_sign(step, start)
    series = node.copy()
    series.set("step", step.copy())
    dates = cast_to(series, exp.DataType(this=T.ARRAY, expressions=[exp.DataType(this=T.DATE)], nested=True))
    if sign == 0 and node.args.get("step") is not None:
        return raise_error("step must not be zero")
    checks = []
    if sign:
        away = exp.LT if sign > 0 else exp.GT
        checks.append(
            exp.If(
                this=away(this=end.copy(), expression=start.copy()),
                true=raise_error(
                    "sequence stop value should be greater than or equal to start value if step is "
                    "greater than zero otherwise stop should be less than or equal to start"
                ),
            )
        )
    checks.append(
        exp.If(
            this=exp.GT(this=_call("len", series.copy()), expression=exp.Literal.number(MAX_SEQUENCE)),
            true=raise_error(f"result of sequence function must not have more than {MAX_SEQUENCE} entries"),
        )
    )
    return exp.Case(ifs=checks, default=dates)


def _days(count: int) -> exp.Interval:
    return exp.Interval(this=exp.Literal.string(str(count)), unit=exp.var("DAY"))


def _date_step_sign(step: exp.Expr, start: exp.Expr) -> int:
    """The sign of a literal step of whole days, months or years (refused otherwise)."""
    unit = step.args.get("unit") if isinstance(step, exp.Interval) else None
    value = step.this if isinstance(step, exp.Interval) else None
    name = unit.name.upper().rstrip("S") if unit is not None else ""
    text = value.name if isinstance(value, exp.Literal) else ""
    if name not in _DATE_STEP_UNITS or not text.lstrip("-").isdigit():
        raise refuse("sequence() of dates with a step other than a literal interval of days, months or years")
    if name not in ("DAY", "WEEK") and not _early_in_month(start):
        raise refuse("sequence() of dates by months from a day after the 28th (or not a literal date)")
    number = int(text)
    return (number > 0) - (number < 0)


def _early_in_month(start: exp.Expr) -> bool:
    literal = start.this if isinstance(start, exp.Cast) else None
    text = literal.name if isinstance(literal, exp.Literal) and literal.is_string else ""
    day = text.strip()[8:10]
    return day.isdigit() and int(day) <= 28


def map_entries(node: exp.Anonymous) -> exp.Expr:
    """``map_entries(m)`` as rows of anonymous fields (Arrow ``_0``, ``_1``)."""
    if len(node.expressions) != 1:
        return node
    entry = exp.column(_X)
    row = exp.Struct(
        expressions=[
            exp.PropertyEQ(
                this=exp.to_identifier("_0"),
                expression=_call("struct_extract", entry, exp.Literal.string("key")),
            ),
            exp.PropertyEQ(
                this=exp.to_identifier("_1"),
                expression=_call("struct_extract", entry.copy(), exp.Literal.string("value")),
            ),
        ]
    )
    entries = _call("map_entries", node.expressions[0].copy())
    return _call("list_transform", entries, exp.Lambda(this=row, expressions=[exp.to_identifier(_X)]))


def equality(node: exp.EQ | exp.NEQ) -> exp.Expr:
    """``=``/``<>`` of arrays or rows with Trino's NULLs (unchanged for other operands)."""
    left, right = node.this, node.expression
    if is_array(left) or is_array(right):
        equal = _arrays_equal(left, right)
    elif is_row(left) or is_row(right):
        equal = _rows_equal(left, right)
    elif _untyped_array(left) or _untyped_array(right):
        if _without_null_elements(left) and _without_null_elements(right):
            return node  # no element can be NULL: the engine's equality is Trino's
        raise refuse("= of arrays whose element type is not known when planning")
    else:
        return node
    return exp.Not(this=exp.Paren(this=equal)) if isinstance(node, exp.NEQ) else equal


#: calls whose result is an array even when the planner could not type it (Trino's names as
#: sqlglot parses them, and the engine's list functions earlier rewrites produce)
_ARRAY_RESULTS: tuple[type[exp.Expr], ...] = (
    exp.Split,
    exp.RegexpSplit,
    exp.ArrayFilter,
    exp.Transform,
    exp.MapKeys,
    exp.ArraySlice,
    exp.ArrayIntersect,
    exp.ArrayExcept,
    exp.ArrayRemove,
    exp.Flatten,
    exp.GenerateSeries,
    exp.ArraySort,
    exp.Shuffle,
    exp.ArrayAgg,
    exp.ArrayDistinct,
    exp.ArrayConcat,
)
_ARRAY_RESULT_NAMES = frozenset(
    {"map_values", "array_union", "zip", "zip_with", "ngrams", "combinations", "array_agg"}
)


def _untyped_array(node: exp.Expr) -> bool:
    """An array by the call that makes it, though its type is unknown (e.g. ``split(a, ',')``):
    compared with ``=``, it must not fall through to the engine's NULL rules."""
    if isinstance(node, exp.Paren):
        return _untyped_array(node.this)
    if isinstance(node, _ARRAY_RESULTS):
        return True
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        return name in _ARRAY_RESULT_NAMES or name.startswith("list_")
    return False


def _without_null_elements(node: exp.Expr) -> bool:
    """``split``/``regexp_split`` of text never give a NULL element (a NULL text gives a NULL
    array, which both engines compare as NULL), nor do ``map_keys`` (a map key is never NULL)."""
    return isinstance(node, exp.Split | exp.RegexpSplit | exp.MapKeys)


def _operands_checked(left: exp.Expr, right: exp.Expr, what: str) -> None:
    if not (deterministic(left) and deterministic(right)):
        raise refuse(f"= of {what} with a nondeterministic operand")


def _arrays_equal(left: exp.Expr, right: exp.Expr) -> exp.Expr:
    nested = [_has_nested_elements(side) for side in (left, right)]
    if any(n for n in nested) or all(n is None for n in nested):
        raise refuse("= of arrays whose elements are arrays, rows or maps (or of unknown type)")
    _operands_checked(left, right, "arrays")
    same = exp.EQ(this=exp.column(_X), expression=_call("list_extract", right.copy(), exp.column(_I)))
    compared = _call(
        "list_transform",
        left.copy(),
        exp.Lambda(this=same, expressions=[exp.to_identifier(_X), exp.to_identifier(_I)]),
    )
    either_null = exp.or_(
        exp.Is(this=left.copy(), expression=exp.Null()), exp.Is(this=right.copy(), expression=exp.Null())
    )
    return exp.Case(
        ifs=[
            exp.If(this=either_null, true=exp.Null()),
            exp.If(
                this=exp.NEQ(this=_call("len", left.copy()), expression=_call("len", right.copy())),
                true=exp.false(),
            ),
            exp.If(this=_call("list_contains", compared, exp.false()), true=exp.false()),
            exp.If(
                this=exp.LT(
                    this=_call("list_count", compared.copy()), expression=_call("len", compared.copy())
                ),
                true=exp.Null(),
            ),
        ],
        default=exp.true(),
    )


def _rows_equal(left: exp.Expr, right: exp.Expr) -> exp.Expr:
    fields = _row_fields(left) or _row_fields(right)
    if fields is None or any(fields):
        raise refuse("= of rows whose fields are arrays, rows or maps (or of unknown type)")
    _operands_checked(left, right, "rows")
    comparisons = [
        exp.EQ(
            this=_call("struct_extract_at", left.copy(), exp.Literal.number(i + 1)),
            expression=_call("struct_extract_at", right.copy(), exp.Literal.number(i + 1)),
        )
        for i in range(len(fields))
    ]
    return exp.Paren(this=exp.and_(*comparisons))


def array_sort(node: exp.ArraySort) -> exp.Expr:
    if node.args.get("expression") is not None:
        raise refuse("array_sort() with a comparator lambda")
    return node
