"""Trino's column descriptions: the type's display name and its type signature, from Arrow.

The signature is what clients parse: ``{"rawType": "varchar", "arguments": [{"kind": "LONG",
"value": 2147483647}]}``. Lengths and precisions are ``LONG`` arguments, array elements and map
keys and values ``TYPE`` arguments, row fields ``NAMED_TYPE`` arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.types as pat

from gateway.conform import TRINO_TYPE_KEY

UNBOUNDED_LENGTH = 2147483647
_SIMPLE_FIELD = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class TrinoType:
    """A Trino type: a raw name, numeric parameters, and (for array/map/row) element types."""

    raw: str
    numbers: tuple[int, ...] = ()
    elements: tuple[TrinoType, ...] = ()
    field_names: tuple[str | None, ...] = ()

    @property
    def display(self) -> str:
        raw = self.raw
        if raw == "varchar" and self.numbers == (UNBOUNDED_LENGTH,):
            return "varchar"
        if raw in ("timestamp with time zone", "time with time zone") and self.numbers:
            base = raw.removesuffix(" with time zone")
            return f"{base}({self.numbers[0]}) with time zone"
        if raw == "array":
            return f"array({self.elements[0].display})"
        if raw == "map":
            return f"map({self.elements[0].display}, {self.elements[1].display})"
        if raw == "row":
            fields = []
            for name, element in zip(self.field_names, self.elements, strict=True):
                if name is None:
                    fields.append(element.display)
                else:
                    shown = name if _SIMPLE_FIELD.match(name) else '"' + name.replace('"', '""') + '"'
                    fields.append(f"{shown} {element.display}")
            return f"row({', '.join(fields)})"
        if self.numbers:
            return f"{raw}({','.join(str(n) for n in self.numbers)})"
        return raw

    def signature(self) -> dict[str, Any]:
        arguments: list[dict[str, Any]]
        if self.raw == "row":
            arguments = []
            for name, element in zip(self.field_names, self.elements, strict=True):
                value: dict[str, Any] = {"typeSignature": element.signature()}
                if name is not None:
                    value["fieldName"] = {"name": name}
                arguments.append({"kind": "NAMED_TYPE", "value": value})
        elif self.elements:
            arguments = [{"kind": "TYPE", "value": e.signature()} for e in self.elements]
        else:
            arguments = [{"kind": "LONG", "value": n} for n in self.numbers]
        return {"rawType": self.raw, "arguments": arguments}


VARCHAR = TrinoType("varchar", (UNBOUNDED_LENGTH,))
BIGINT = TrinoType("bigint")


def _field_name(name: str, position: int) -> str | None:
    """A row field's name; None for an anonymous one, which Arrow holds as ``_<position>`` (as
    Lakegate's Trino connector and the planner name Trino's anonymous fields)."""
    return None if name == f"_{position}" else name


def _precision(unit: str) -> int:
    return {"s": 0, "ms": 3, "us": 6, "ns": 9}[unit]


def trino_type(dtype: pa.DataType) -> TrinoType:
    """The Trino type a column of this Arrow type is sent as (see ``encoding`` for the values)."""
    if pat.is_dictionary(dtype):
        return trino_type(dtype.value_type)
    if pat.is_boolean(dtype):
        return TrinoType("boolean")
    if pat.is_int8(dtype):
        return TrinoType("tinyint")
    if pat.is_int16(dtype) or pat.is_uint8(dtype):
        return TrinoType("smallint")
    if pat.is_int32(dtype) or pat.is_uint16(dtype):
        return TrinoType("integer")
    if pat.is_int64(dtype) or pat.is_uint32(dtype):
        return BIGINT
    if pat.is_uint64(dtype):
        return TrinoType("decimal", (20, 0))
    if pat.is_float16(dtype) or pat.is_float32(dtype):
        return TrinoType("real")
    if pat.is_float64(dtype):
        return TrinoType("double")
    if pat.is_decimal(dtype):
        if dtype.precision > 38:  # decimal256 beyond Trino's range: sent as text
            return VARCHAR
        return TrinoType("decimal", (dtype.precision, dtype.scale))
    if pat.is_string(dtype) or pat.is_large_string(dtype) or pat.is_string_view(dtype):
        return VARCHAR
    if (
        pat.is_binary(dtype)
        or pat.is_large_binary(dtype)
        or pat.is_fixed_size_binary(dtype)
        or pat.is_binary_view(dtype)
    ):
        return TrinoType("varbinary")
    if pat.is_date(dtype):
        return TrinoType("date")
    if pat.is_time(dtype):
        return TrinoType("time", (_precision(dtype.unit),))
    if pat.is_timestamp(dtype):
        raw = "timestamp with time zone" if dtype.tz else "timestamp"
        return TrinoType(raw, (_precision(dtype.unit),))
    if pat.is_interval(dtype) or pat.is_duration(dtype):
        return TrinoType("interval day to second")
    if pat.is_list(dtype) or pat.is_large_list(dtype) or pat.is_fixed_size_list(dtype):
        return TrinoType("array", elements=(trino_type(dtype.value_type),))
    if pat.is_map(dtype):
        return TrinoType("map", elements=(trino_type(dtype.key_type), trino_type(dtype.item_type)))
    if pat.is_struct(dtype):
        if dtype.num_fields == 0:
            return VARCHAR
        elements = tuple(trino_type(f.type) for f in dtype)
        return TrinoType(
            "row", elements=elements, field_names=tuple(_field_name(f.name, i) for i, f in enumerate(dtype))
        )
    if pat.is_null(dtype):
        return TrinoType("unknown")
    return VARCHAR


def column(
    name: str, dtype: pa.DataType, parametric_datetime: bool = True, declared: str | None = None
) -> dict[str, Any]:
    """One entry of QueryResults.columns. Clients without the PARAMETRIC_DATETIME capability
    get times and timestamps without a precision (their values then have milliseconds).
    ``declared``: the Trino type of a text column the planner typed (``gateway/conform.py``)."""
    ttype = _declared(declared) if declared else trino_type(dtype)
    if not parametric_datetime and ttype.raw in _DATETIMES:
        ttype = TrinoType(ttype.raw)
    return {"name": name, "type": ttype.display, "typeSignature": ttype.signature()}


def columns(schema: pa.Schema, parametric_datetime: bool = True) -> list[dict[str, Any]]:
    return [column(f.name, f.type, parametric_datetime, _declared_name(f)) for f in schema]


_CHAR = re.compile(r"^char\((\d+)\)$")


def _declared_name(field: pa.Field) -> str | None:
    metadata = field.metadata
    if not metadata or TRINO_TYPE_KEY not in metadata:
        return None
    return bytes(metadata[TRINO_TYPE_KEY]).decode()


def _declared(name: str) -> TrinoType:
    match = _CHAR.match(name)
    if match:
        return TrinoType("char", (int(match.group(1)),))
    return TrinoType(name)


_DATETIMES = ("time", "time with time zone", "timestamp", "timestamp with time zone")


# -- Trino type names as text (metadata holds them so): for JDBC metadata tables ---------------
_TYPE_TEXT = re.compile(r"^\s*(?P<base>[a-z ]+?)\s*(?:\((?P<args>.*)\))?\s*(?P<tz>with time zone)?\s*$", re.S)


def parse_type_text(text: str) -> tuple[str, list[str]]:
    """``"decimal(15,2)"`` -> ``("decimal", ["15", "2"])``; ``"timestamp(3) with time zone"`` ->
    ``("timestamp with time zone", ["3"])``; nested arguments are kept as text."""
    match = _TYPE_TEXT.match(text.lower())
    if not match:
        return text.lower().strip(), []
    base = match.group("base")
    if match.group("tz"):
        base = f"{base} with time zone"
    args_text = match.group("args")
    args: list[str] = []
    if args_text:
        depth, start = 0, 0
        for i, char in enumerate(args_text):
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            elif char == "," and depth == 0:
                args.append(args_text[start:i].strip())
                start = i + 1
        args.append(args_text[start:].strip())
    return base, args
