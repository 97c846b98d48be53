"""The engine's Arrow results in the Trino types the planner computed (``Plan.result_types``),
named as Trino names them (``Plan.result_names``: the query's spelling, which the engine folds).

The embedded engine has fewer types than Trino: every timestamp has microseconds, a zone-aware
one is labelled ``Etc/UTC``, intervals are month-day-nano, and JSON, UUID, IPADDRESS, CHAR and
``interval year to month`` have no Arrow type of their own. Where a result column's Trino type
differs, its batches are converted here, on the worker thread, so every door sends Trino's type:

* ``timestamp(p)``, ``timestamp(p) with time zone``, ``time(p)``: Arrow's unit of that precision,
  values rounded half up to it as Trino rounds (the planner refuses a precision the engine cannot
  hold), a zone-aware one labelled ``UTC`` as Lakegate's Trino connector labels it;
* ``array(unknown)`` (an array of nothing but NULLs): Arrow's list of ``null``;
* ``interval day to second``: a ``duration[ms]``; ``interval year to month``: Trino's text
  (``1-2``);
* text types with no Arrow match (``json``, ``uuid``, ``ipaddress``, ``char(n)``,
  ``interval year to month``): the field carries ``trino.type`` in its metadata, which the Trino
  door reports as the column's type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from connectors.trino.types import arrow_type_of
from gateway.errors import ErrorCode, LakegateError

#: Arrow field metadata: the Trino type of a text column whose Arrow type does not tell it
TRINO_TYPE_KEY = b"trino.type"
_TEXT_TYPES = ("json", "uuid", "ipaddress", "char", "interval year to month")
_UTC_LABELS = {"utc", "etc/utc", "z", "gmt", "etc/gmt", "+00:00"}


def _target(trino: str, source: pa.DataType) -> pa.DataType:
    target = arrow_type_of(trino)
    if pa.types.is_timestamp(target) and target.tz is not None and pa.types.is_timestamp(source):
        zone = source.tz or "UTC"
        return pa.timestamp(target.unit, tz="UTC" if zone.lower() in _UTC_LABELS else zone)
    return target


_UNNAMED = re.compile(r"^_col\d+$")


def same_columns(engine: Sequence[str], names: Sequence[str | None]) -> bool:
    """True if ``names`` name the engine's columns, position by position: the same names but for
    case (or the engine's ``name_1`` for a name it met twice), where the planner knows them."""
    if len(names) != len(engine):
        return False
    for given, name in zip(engine, names, strict=True):
        if name is None or _UNNAMED.match(name):
            continue  # the engine's own name; an unnamed column, whatever the engine calls it
        given, name = given.lower(), name.lower()
        if given != name and not (given.startswith(f"{name}_") and given[len(name) + 1 :].isdigit()):
            return False
    return True


def conform_schema(
    schema: pa.Schema, types: Sequence[str | None], names: Sequence[str | None] = ()
) -> pa.Schema:
    """The schema in Trino's types and, where ``names`` has them, Trino's column names."""
    if names and not same_columns(schema.names, names):
        names = ()  # the engine's columns are not the ones named: keep the engine's names
    fields = []
    for index, field in enumerate(schema):
        name = names[index] if names else None
        if name is not None:
            field = field.with_name(name)
        trino = types[index] if index < len(types) else None
        if trino is None:
            fields.append(field)
            continue
        metadata = {TRINO_TYPE_KEY: trino.encode()} if trino.startswith(_TEXT_TYPES) else None
        fields.append(pa.field(field.name, _target(trino, field.type), field.nullable, metadata))
    return pa.schema(fields)


def _interval_ms(column: pa.Array) -> pa.Array:
    values: list[int | None] = []
    for value in column.to_pylist():
        if value is None:
            values.append(None)
            continue
        months, days, nanos = value.months, value.days, value.nanoseconds
        if months:
            raise ValueError("an interval day to second with months")
        values.append(days * 86_400_000 + nanos // 1_000_000)
    return pa.array(values, type=pa.duration("ms"))


def year_month_text(months: int) -> str:
    """Trino's text of an ``interval year to month`` of ``months`` (``1-2``, ``-1-2``)."""
    sign = "-" if months < 0 else ""
    years, rest = divmod(abs(months), 12)
    return f"{sign}{years}-{rest}"


def _year_month(column: pa.Array) -> pa.Array:
    if pa.types.is_string(column.type):
        return column
    values: list[str | None] = []
    for value in column.to_pylist():
        if value is None:
            values.append(None)
            continue
        if value.days or value.nanoseconds:
            raise ValueError("an interval year to month with days")
        values.append(year_month_text(value.months))
    return pa.array(values, type=pa.string())


def _family(dtype: pa.DataType) -> str:
    if pa.types.is_timestamp(dtype):
        return "timestamp"
    if pa.types.is_time(dtype):
        return "time"
    if pa.types.is_interval(dtype) or pa.types.is_duration(dtype):
        return "interval"
    if pa.types.is_floating(dtype):
        return "floating"
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "text"
    return str(dtype)


def _is_unknown_array(trino: str) -> bool:
    return trino.startswith("array(") and trino.replace("array(", "").rstrip(")") == "unknown"


def _nulls_kept_shape(value: object) -> object:
    return [_nulls_kept_shape(v) for v in value] if isinstance(value, list) else None


def _all_null_lists(column: pa.Array, target: pa.DataType) -> pa.Array:
    """``array(unknown)``, ``array(array(unknown))`` (``ARRAY[]``, ``ARRAY[NULL]``,
    ``ARRAY[ARRAY[]]``): lists of NULLs, their shape kept."""
    return pa.array([_nulls_kept_shape(v) for v in column.to_pylist()], type=target)


def _convert(column: pa.Array, trino: str, target: pa.DataType) -> pa.Array:
    source = column.type
    if source == target:
        return column
    if _is_unknown_array(trino) and (pa.types.is_list(source) or pa.types.is_large_list(source)):
        return _all_null_lists(column, target)
    if _family(source) != _family(target) and not (
        trino == "interval year to month" and pa.types.is_interval(source)
    ):
        raise ValueError(f"{source} is not a {trino}")
    if trino == "interval day to second" and pa.types.is_interval(source):
        return _interval_ms(column)
    if trino == "interval year to month":
        return _year_month(column)
    column = _rounded(column, target)
    if pa.types.is_timestamp(source) and pa.types.is_timestamp(target) and source.tz and target.tz:
        # the same instants; only the unit and the zone's label change
        return pc.cast(column.cast(pa.timestamp(source.unit, tz="UTC")), target, safe=False)
    return pc.cast(column, target, safe=False)


_UNIT_NAMES = {"s": "second", "ms": "millisecond", "us": "microsecond", "ns": "nanosecond"}
_UNIT_ORDER = ("s", "ms", "us", "ns")


def _rounded(column: pa.Array, target: pa.DataType) -> pa.Array:
    """Times and timestamps rounded half up to the target's precision, as Trino rounds them
    (a plain cast would truncate)."""
    source = column.type
    temporal = (pa.types.is_timestamp(source) and pa.types.is_timestamp(target)) or (
        pa.types.is_time(source) and pa.types.is_time(target)
    )
    if not temporal or _UNIT_ORDER.index(target.unit) >= _UNIT_ORDER.index(source.unit):
        return column
    return pc.round_temporal(column, multiple=1, unit=_UNIT_NAMES[target.unit])


def conform_batch(batch: pa.RecordBatch, schema: pa.Schema, types: Sequence[str | None]) -> pa.RecordBatch:
    arrays = []
    for index, column in enumerate(batch.columns):
        trino = types[index] if index < len(types) else None
        if trino is None:
            arrays.append(column)
            continue
        try:
            arrays.append(_convert(column, trino, schema.field(index).type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
            # the planner typed the column wrongly: refuse rather than send another type
            raise LakegateError(
                ErrorCode.NOT_SUPPORTED,
                f"the engine's {column.type} result column '{schema.field(index).name}' cannot be "
                f"given Trino's type {trino}",
            ) from None
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def conform(
    schema: pa.Schema,
    batches: Iterable[pa.RecordBatch],
    types: Sequence[str | None],
    names: Sequence[str | None] = (),
) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """The schema and batches in the Trino types ``types`` (None: as the engine gave it), their
    columns named ``names`` (empty or None: as the engine named them)."""
    target = conform_schema(schema, types, names)
    if not any(types) and target.equals(schema, check_metadata=True):  # nothing to convert
        return schema, iter(batches)

    def converted() -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield conform_batch(batch, target, types)

    return target, converted()
