"""Arrow types in Trino's spelling, for result columns of any engine."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.types as pat


def trino_type_of(dtype: pa.DataType) -> str:
    if pat.is_dictionary(dtype):
        return trino_type_of(dtype.value_type)
    if pat.is_boolean(dtype):
        return "boolean"
    if pat.is_int8(dtype):
        return "tinyint"
    if pat.is_int16(dtype) or pat.is_uint8(dtype):
        return "smallint"
    if pat.is_int32(dtype) or pat.is_uint16(dtype):
        return "integer"
    if pat.is_int64(dtype) or pat.is_uint32(dtype):
        return "bigint"
    if pat.is_uint64(dtype):
        return "decimal(20,0)"
    if pat.is_float16(dtype) or pat.is_float32(dtype):
        return "real"
    if pat.is_float64(dtype):
        return "double"
    if pat.is_decimal(dtype):
        return f"decimal({dtype.precision},{dtype.scale})"
    if pat.is_string(dtype) or pat.is_large_string(dtype) or pat.is_string_view(dtype):
        return "varchar"
    if pat.is_binary(dtype) or pat.is_large_binary(dtype) or pat.is_fixed_size_binary(dtype):
        return "varbinary"
    if pat.is_date(dtype):
        return "date"
    if pat.is_time(dtype):
        return f"time({_precision(dtype.unit)})"
    if pat.is_timestamp(dtype):
        zone = " with time zone" if dtype.tz else ""
        return f"timestamp({_precision(dtype.unit)}){zone}"
    if pat.is_interval(dtype) or pat.is_duration(dtype):
        return "interval day to second"
    if pat.is_list(dtype) or pat.is_large_list(dtype) or pat.is_fixed_size_list(dtype):
        return f"array({trino_type_of(dtype.value_type)})"
    if pat.is_map(dtype):
        return f"map({trino_type_of(dtype.key_type)}, {trino_type_of(dtype.item_type)})"
    if pat.is_struct(dtype):
        fields = ", ".join(f'"{f.name}" {trino_type_of(f.type)}' for f in dtype)
        return f"row({fields})"
    if pat.is_null(dtype):
        return "unknown"
    return str(dtype)


def _precision(unit: str) -> int:
    return {"s": 0, "ms": 3, "us": 6, "ns": 9}[unit]
