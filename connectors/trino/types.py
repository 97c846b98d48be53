"""Trino result columns as Arrow: the type from Trino's type string, the values column by column.

The client is asked for raw values (``legacy_primitive_types``): numbers, booleans and strings as
they arrived in the JSON, lists for arrays and rows, objects for maps. A column becomes an Arrow
array in one ``pa.array`` call, and Arrow's casts parse what Trino sends as text (decimals, dates,
timestamps) in C++. Only the few types Arrow cannot parse (varbinary's base64, named time zones,
intervals, special doubles) are converted value by value.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

# -- Trino type strings ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrinoType:
    """A parsed type: ``base`` (lower case, e.g. "timestamp with time zone"), numeric parameters,
    element types (array, map) or named fields (row)."""

    base: str
    params: tuple[int, ...] = ()
    args: tuple[TrinoType, ...] = ()
    names: tuple[str | None, ...] = ()


_TOKEN = re.compile(
    r'\s*(?:(?P<quoted>"(?:[^"]|"")*")|(?P<word>[A-Za-z_][A-Za-z0-9_$]*)|(?P<num>\d+)|(?P<sym>[(),]))'
)
#: types spelled in several words, so that ``row(interval day to second)`` is not a field "interval"
_MULTI_WORD = {
    "interval day to second",
    "interval year to month",
    "time with time zone",
    "time without time zone",
    "timestamp with time zone",
    "timestamp without time zone",
    "double precision",
}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                raise ValueError(f"cannot read the Trino type {text!r}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ValueError("unexpected end of a Trino type")
        self.i += 1
        return token

    def expect(self, symbol: str) -> None:
        if self.take() != ("sym", symbol):
            raise ValueError(f"expected {symbol!r} in a Trino type")

    def words(self) -> list[str]:
        out = []
        while (token := self.peek()) is not None and token[0] == "word":
            out.append(self.take()[1].lower())
        return out

    def type(self) -> TrinoType:
        words = self.words()
        if not words:
            raise ValueError("expected a type name")
        base = " ".join(words)
        params: list[int] = []
        args: list[TrinoType] = []
        names: list[str | None] = []
        if self.peek() == ("sym", "("):
            self.take()
            while True:
                token = self.peek()
                if token is not None and token[0] == "num":
                    params.append(int(self.take()[1]))
                elif base == "row":
                    name, field = self.field()
                    names.append(name)
                    args.append(field)
                else:
                    args.append(self.type())
                if self.take() == ("sym", ")"):
                    break
        suffix = self.words()  # "timestamp(3) with time zone"
        if suffix:
            base = f"{base} {' '.join(suffix)}"
        return TrinoType(base, tuple(params), tuple(args), tuple(names))

    def field(self) -> tuple[str | None, TrinoType]:
        token = self.peek()
        if token is not None and token[0] == "quoted":
            self.take()
            return token[1][1:-1].replace('""', '"'), self.type()
        # ``name type`` or an anonymous ``type``: a field name is a word followed by a type.
        start = self.i
        words = self.words()
        self.i = start
        if len(words) >= 2 and " ".join(words) not in _MULTI_WORD:
            self.i = start + 1
            return self.tokens[start][1], self.type()
        return None, self.type()


@lru_cache(maxsize=1024)
def parse_type(text: str) -> TrinoType:
    parser = _Parser(text)
    parsed = parser.type()
    if parser.peek() is not None:
        raise ValueError(f"cannot read the Trino type {text!r}")
    return parsed


# -- Arrow types ----------------------------------------------------------------------------

_SIMPLE: dict[str, pa.DataType] = {
    "boolean": pa.bool_(),
    "tinyint": pa.int8(),
    "smallint": pa.int16(),
    "integer": pa.int32(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "real": pa.float32(),
    "double": pa.float64(),
    "date": pa.date32(),
    "varbinary": pa.binary(),
    "unknown": pa.null(),
    "interval day to second": pa.duration("ms"),
}


def _unit(precision: int) -> str:
    if precision == 0:
        return "s"
    if precision <= 3:
        return "ms"
    if precision <= 6:
        return "us"
    return "ns"


def arrow_type(trino: TrinoType) -> pa.DataType:
    """The Arrow type a Trino type becomes; text for types Arrow has no match for (json, uuid,
    ipaddress, time with time zone, interval year to month, ...)."""
    base = trino.base
    if base in _SIMPLE:
        return _SIMPLE[base]
    if base == "decimal":
        precision = trino.params[0] if trino.params else 38
        scale = trino.params[1] if len(trino.params) > 1 else 0
        return pa.decimal128(precision, scale)
    if base == "timestamp":
        return pa.timestamp(_unit(trino.params[0] if trino.params else 3))
    if base == "timestamp with time zone":
        return pa.timestamp(_unit(trino.params[0] if trino.params else 3), tz="UTC")
    if base == "time":
        precision = trino.params[0] if trino.params else 3
        return pa.time32(_unit(precision)) if precision <= 3 else pa.time64(_unit(precision))
    if base == "array" and len(trino.args) == 1:
        return pa.list_(arrow_type(trino.args[0]))
    if base == "map" and len(trino.args) == 2:
        return pa.map_(arrow_type(trino.args[0]), arrow_type(trino.args[1]))
    if base == "row" and trino.args:
        fields = zip(trino.names, trino.args, strict=True)
        return pa.struct([pa.field(name or f"_{i}", arrow_type(t)) for i, (name, t) in enumerate(fields)])
    return pa.string()


def arrow_type_of(type_string: str) -> pa.DataType:
    try:
        return arrow_type(parse_type(type_string))
    except ValueError:
        return pa.string()


# -- values ---------------------------------------------------------------------------------

#: Arrow's string to timestamp cast wants ``+05:30`` right after the time, or no zone at all.
_UTC_SUFFIX = r" UTC$"
_OFFSET_SUFFIX = r" ([+-]\d\d:\d\d)$"
_EXCESS_FRACTION = r"(\.\d{9})\d+"


def to_arrow(values: Sequence[Any], trino: TrinoType) -> pa.Array:
    """One result column (raw values as the client decoded the JSON) as an Arrow array."""
    target = arrow_type(trino)
    base = trino.base
    if base in ("boolean", "tinyint", "smallint", "integer", "int", "bigint", "unknown"):
        return pa.array(values, type=target)
    if base in ("double", "real"):
        try:
            return pa.array(values, type=target)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # "NaN", "Infinity", "-Infinity" arrive as text
            return pa.array([None if v is None else float(v) for v in values], type=target)
    if base == "decimal" or base == "date":
        return _text(values).cast(target)
    if base == "timestamp":
        return _timestamps(_text(values), target)
    if base == "timestamp with time zone":
        return _zoned_timestamps(values, target)
    if base == "time":
        text = _text(values)
        midnight = pc.binary_join_element_wise("1970-01-01 ", text, "")
        return _timestamps(midnight, pa.timestamp(target.unit)).cast(target)
    if base == "varbinary":
        return pa.array([None if v is None else base64.b64decode(v) for v in values], type=target)
    if base == "interval day to second":
        return pa.array([None if v is None else _day_to_second(v) for v in values], type=target)
    if base == "array" and len(trino.args) == 1:
        return _list(values, trino.args[0], target)
    if base == "map" and len(trino.args) == 2:
        return _map(values, trino.args[0], trino.args[1], target)
    if base == "row" and trino.args:
        return _row(values, trino, target)
    if pa.types.is_string(target):
        try:
            return pa.array(values, type=target)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # e.g. a type this module does not know
            return pa.array([None if v is None or isinstance(v, str) else json.dumps(v) for v in values])
    return pa.array(values, type=target)


def _text(values: Sequence[Any]) -> pa.Array:
    return pa.array(values, type=pa.string())


def _timestamps(text: pa.Array, target: pa.DataType) -> pa.Array:
    if target.unit == "ns":
        text = pc.replace_substring_regex(text, _EXCESS_FRACTION, r"\1")  # timestamp(12) -> ns
    return text.cast(target)


def _zoned_timestamps(values: Sequence[Any], target: pa.DataType) -> pa.Array:
    text = pc.replace_substring_regex(_text(values), _UTC_SUFFIX, "+00:00")
    text = pc.replace_substring_regex(text, _OFFSET_SUFFIX, r"\1")
    try:
        return _timestamps(text, target)
    except pa.ArrowInvalid:  # named zones ("2024-01-31 12:00:00.000 Europe/Paris")
        return pa.array([None if v is None else _zoned(v) for v in values], type=target)


def _zoned(value: str) -> dt.datetime:
    stamp, zone = value.rsplit(" ", 1)
    whole, _, fraction = stamp.partition(".")
    parsed = dt.datetime.fromisoformat(whole).replace(tzinfo=ZoneInfo(zone))
    micros = int((fraction + "000000")[:6]) if fraction else 0
    return parsed.replace(microsecond=micros)


def _day_to_second(value: str) -> dt.timedelta:
    negative = value.startswith("-")
    days, clock = value.lstrip("-").split(" ")
    hours, minutes, seconds = clock.split(":")
    delta = dt.timedelta(days=int(days), hours=int(hours), minutes=int(minutes), seconds=float(seconds))
    return -delta if negative else delta


def _list(values: Sequence[Any], element: TrinoType, target: pa.DataType) -> pa.Array:
    if _native(element):
        return pa.array(values, type=target)
    offsets = [0]
    flat: list[Any] = []
    mask = []
    for value in values:
        mask.append(value is None)
        if value is not None:
            flat.extend(value)
        offsets.append(len(flat))
    children = to_arrow(flat, element)
    return pa.ListArray.from_arrays(
        pa.array(offsets, type=pa.int32()), children, type=target, mask=pa.array(mask, type=pa.bool_())
    )


def _map(values: Sequence[Any], key: TrinoType, item: TrinoType, target: pa.DataType) -> pa.Array:
    offsets = [0]
    keys: list[Any] = []
    items: list[Any] = []
    nulls = []
    for value in values:
        nulls.append(value is None)
        if value is not None:
            keys.extend(value.keys())  # JSON object keys are always text
            items.extend(value.values())
        offsets.append(len(keys))
    key_array = to_arrow(keys, TrinoType("varchar")).cast(target.key_type)
    item_array = to_arrow(items, item)
    mask = pa.array(nulls, type=pa.bool_())
    return pa.MapArray.from_arrays(
        pa.array(offsets, type=pa.int32()), key_array, item_array, type=target, mask=mask
    )


def _row(values: Sequence[Any], trino: TrinoType, target: pa.DataType) -> pa.Array:
    width = len(trino.args)
    blank = [None] * width
    columns = list(zip(*[blank if v is None else v for v in values], strict=True)) if values else []
    children = [
        to_arrow(columns[i] if columns else [], field_type) for i, field_type in enumerate(trino.args)
    ]
    mask = pa.array([v is None for v in values], type=pa.bool_())
    return pa.StructArray.from_arrays(children, fields=list(target), mask=mask)


def _native(trino: TrinoType) -> bool:
    """Values of this type arrive in the JSON as what Arrow takes directly."""
    if trino.base in ("boolean", "tinyint", "smallint", "integer", "int", "bigint", "varchar", "char"):
        return True
    if trino.base == "array" and len(trino.args) == 1:
        return _native(trino.args[0])
    return False


def record_batch(
    rows: Sequence[Sequence[Any]], types: Sequence[TrinoType], schema: pa.Schema
) -> pa.RecordBatch:
    """Rows from ``fetchmany`` as one batch, converted column by column."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in types]
    arrays = [to_arrow(column, t) for column, t in zip(columns, types, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
