"""DB-API type objects and constructors, and ``Cursor.description`` built from an Arrow schema.

The ``type_code`` in a description is the column's ``pyarrow.DataType`` itself, so it carries
everything Arrow knows (unit, time zone, precision, element type). It compares equal to the
PEP 249 type objects it belongs to: ``description[0].type_code == lakegate.NUMBER``.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.types as pat

__all__ = [
    "BINARY",
    "DATETIME",
    "NUMBER",
    "ROWID",
    "STRING",
    "Binary",
    "Column",
    "DBAPITypeObject",
    "Date",
    "DateFromTicks",
    "Time",
    "TimeFromTicks",
    "Timestamp",
    "TimestampFromTicks",
    "describe_schema",
]


class DBAPITypeObject:
    """A PEP 249 type object: equal to every Arrow type of its category."""

    def __init__(self, name: str, predicate: Callable[[Any], bool]) -> None:
        self.name = name
        self._predicate = predicate

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DBAPITypeObject):
            return self is other
        if isinstance(other, str):
            try:
                other = pa.type_for_alias(other)
            except (ValueError, KeyError):
                return False
        if isinstance(other, pa.DataType):
            return bool(self._predicate(other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("DBAPITypeObject", self.name))

    def __repr__(self) -> str:
        return f"<DBAPITypeObject {self.name}>"


STRING = DBAPITypeObject(
    "STRING", lambda t: pat.is_string(t) or pat.is_large_string(t) or pat.is_string_view(t)
)
BINARY = DBAPITypeObject(
    "BINARY",
    lambda t: (
        pat.is_binary(t) or pat.is_large_binary(t) or pat.is_fixed_size_binary(t) or pat.is_binary_view(t)
    ),
)
NUMBER = DBAPITypeObject("NUMBER", lambda t: pat.is_integer(t) or pat.is_floating(t) or pat.is_decimal(t))
DATETIME = DBAPITypeObject("DATETIME", lambda t: pat.is_timestamp(t) or pat.is_date(t) or pat.is_time(t))
#: The gateway has no row ids; nothing compares equal to ROWID.
ROWID = DBAPITypeObject("ROWID", lambda t: False)

Date = datetime.date
Time = datetime.time
Timestamp = datetime.datetime
Binary = bytes


def DateFromTicks(ticks: float) -> datetime.date:
    return Date(*time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> datetime.time:
    return Time(*time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> datetime.datetime:
    return Timestamp(*time.localtime(ticks)[:6])


class Column(NamedTuple):
    """One entry of ``Cursor.description`` (a PEP 249 7-item sequence)."""

    name: str
    type_code: Any  # pyarrow.DataType
    display_size: int | None
    internal_size: int | None
    precision: int | None
    scale: int | None
    null_ok: bool | None


def describe_field(field: Any) -> Column:
    data_type = field.type
    precision: int | None = None
    scale: int | None = None
    internal_size: int | None = None
    if pat.is_decimal(data_type):
        precision, scale = int(data_type.precision), int(data_type.scale)
    elif pat.is_fixed_size_binary(data_type):
        internal_size = int(data_type.byte_width)
    return Column(str(field.name), data_type, None, internal_size, precision, scale, bool(field.nullable))


def describe_schema(schema: Any) -> list[Column]:
    """``Cursor.description`` for an Arrow schema."""
    return [describe_field(field) for field in schema]
