"""Arrow record batches to Trino's JSON rows, a whole column at a time.

Each column becomes an Arrow string array of JSON fragments (``12``, ``"abc"``, ``null``) built
with Arrow compute kernels: casts to text, quoting, escaping only when a column needs it. The
fragments of a row are then joined into ``[a,b,c],``, so a batch is one contiguous UTF-8 buffer
of rows with offsets: a page of the answer is a slice of it, never a Python loop over values.

Values follow Trino's encoding: numbers and booleans as JSON; ``"NaN"``, ``"Infinity"``,
``"-Infinity"`` for special doubles; decimals, dates, times and timestamps as strings
(``2024-01-31 12:34:56.789000``, with a zone: ``... UTC``); varbinary as base64; arrays and rows
as JSON arrays, maps as objects with string keys. Varbinary and intervals (rare in results) and
types Trino has no name for fall back to a per-value conversion.
"""

from __future__ import annotations

import base64
import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

_NULL = pa.scalar("null")
_QUOTE = pa.scalar('"')
_EMPTY = pa.scalar("")
_COMMA = pa.scalar(",")
_UTC_NAMES = frozenset({"utc", "etc/utc", "z", "+00:00", "etc/uct", "uct", "gmt", "etc/gmt", "zulu"})
#: bytes that make a UTF-8 string need JSON escaping: control characters, '"' and '\'
_ESCAPE = np.zeros(256, dtype=bool)
_ESCAPE[:0x20] = True
_ESCAPE[ord('"')] = True
_ESCAPE[ord("\\")] = True
_SIMPLE_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_LARGE = 1 << 30  # fragments bigger than this (per batch) are joined as large_string


class EncodedRows:
    """One batch as JSON rows: ``[...],[...],`` in one buffer, with each row's offsets."""

    __slots__ = ("data", "num_rows", "offsets")

    def __init__(self, rows: pa.Array) -> None:
        buffers = rows.buffers()
        offset_type = np.int64 if pat.is_large_string(rows.type) else np.int32
        offsets = np.frombuffer(buffers[1], dtype=offset_type)
        self.offsets = offsets[rows.offset : rows.offset + len(rows) + 1]
        self.data = memoryview(buffers[2]) if buffers[2] is not None else memoryview(b"")
        self.num_rows = len(rows)

    def __len__(self) -> int:
        """Bytes of JSON (the executor counts these as the query's result bytes)."""
        return int(self.offsets[-1] - self.offsets[0]) if self.num_rows else 0

    def end_row(self, start: int, max_bytes: int) -> int:
        """The row after the last one that fits in ``max_bytes`` from ``start`` (at least one)."""
        limit = self.offsets[start] + max_bytes
        end = int(np.searchsorted(self.offsets, limit, side="right")) - 1
        return min(max(end, start + 1), self.num_rows)

    def rows(self, start: int, end: int) -> memoryview:
        """Rows ``start`` to ``end`` as ``[..],[..],`` (each row ends with a comma)."""
        return self.data[int(self.offsets[start]) : int(self.offsets[end])]


def _quote(text: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(_QUOTE, text, _QUOTE, _EMPTY)


def _needs_escaping(arr: pa.Array) -> bool:
    data = arr.buffers()[2]
    if data is None or data.size == 0:
        return False
    return bool(_ESCAPE[np.frombuffer(data, dtype=np.uint8)].any())


def _json_strings(arr: pa.Array) -> pa.Array:
    if pat.is_large_string(arr.type) or pat.is_string_view(arr.type):
        arr = arr.cast(pa.string()) if len(arr) and arr.nbytes < _LARGE else arr.cast(pa.large_string())
    if not _needs_escaping(arr):
        return _quote(arr)
    escaped = arr
    for old, new in _SIMPLE_ESCAPES:
        escaped = pc.replace_substring(escaped, old, new)
    if _needs_escaping(pc.replace_substring(pc.replace_substring(escaped, "\\", ""), '"', "")):
        # other control characters: rare, so orjson escapes this column value by value
        return _per_value(arr, _json_text)
    return _quote(escaped)


def _special_doubles(text: pa.Array, arr: pa.Array) -> pa.Array:
    if pat.is_float16(arr.type):
        arr = arr.cast(pa.float32())
    nan = pc.is_nan(arr)
    inf = pc.is_inf(arr)
    if not (pc.any(nan).as_py() or pc.any(inf).as_py()):
        return text
    text = pc.if_else(nan, pa.scalar('"NaN"'), text)
    positive = pc.greater(arr, pa.scalar(0, arr.type))
    text = pc.if_else(pc.and_(inf, positive), pa.scalar('"Infinity"'), text)
    return pc.if_else(pc.and_(inf, pc.invert(positive)), pa.scalar('"-Infinity"'), text)


def zone_label(zone: str) -> str:
    return "UTC" if zone.lower() in _UTC_NAMES else zone


def _timestamp(arr: pa.Array, session_zone: str | None) -> pa.Array:
    zone = arr.type.tz
    if zone is None:
        return _quote(pc.cast(arr, pa.string()))
    if session_zone is not None:
        zone = session_zone
    naive = pa.timestamp(arr.type.unit)
    if zone.lower() in _UTC_NAMES:
        wall = arr.cast(naive)
    else:
        wall = pc.local_timestamp(arr.cast(pa.timestamp(arr.type.unit, tz=zone)))
    text = pc.cast(wall, pa.string())
    return pc.binary_join_element_wise(_QUOTE, text, pa.scalar(" " + zone_label(zone) + '"'), _EMPTY)


def _interval_text(value: Any) -> str:
    if isinstance(value, dt.timedelta):
        total_ms = round(value.total_seconds() * 1000)
    else:  # MonthDayNano: months count as 30 days (Trino has no mixed interval type)
        months, days, nanos = value
        total_ms = round((months * 30 + days) * 86_400_000 + nanos / 1_000_000)
    sign = "-" if total_ms < 0 else ""
    total_ms = abs(total_ms)
    days, rest = divmod(total_ms, 86_400_000)
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f'"{sign}{days} {hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"'


def _per_value(arr: pa.Array, convert: Callable[[Any], str]) -> pa.Array:
    return pa.array([None if v is None else convert(v) for v in arr.to_pylist()], pa.string())


def _base64(value: bytes) -> str:
    return '"' + base64.b64encode(value).decode("ascii") + '"'


def _text(value: Any) -> str:
    return orjson.dumps(str(value)).decode()


def _json_text(value: str) -> str:
    return orjson.dumps(value).decode()


def _list(arr: pa.Array, session_zone: str | None) -> pa.Array:
    if pat.is_fixed_size_list(arr.type):
        size = arr.type.list_size
        offsets = pa.array(np.arange(len(arr) + 1, dtype=np.int64) * size + arr.offset * size, pa.int64())
        values = arr.values
        builder: Any = pa.LargeListArray
    else:
        offsets, values = arr.offsets, arr.values
        if offsets.offset:  # a sliced column: Arrow wants offsets that start their own buffer
            offsets = pa.array(offsets.to_numpy())
        builder = pa.LargeListArray if pat.is_large_list(arr.type) else pa.ListArray
    elements = encode_array(values, session_zone)
    if pat.is_large_list(arr.type) or pat.is_fixed_size_list(arr.type):
        elements = elements.cast(pa.large_string())
    lists = builder.from_arrays(offsets, elements, mask=arr.is_null() if arr.null_count else None)
    joined = pc.binary_join(lists, _COMMA)
    return pc.binary_join_element_wise(pa.scalar("["), joined, pa.scalar("]"), _EMPTY)


def _map(arr: pa.MapArray, session_zone: str | None) -> pa.Array:
    keys, items = arr.values.flatten()
    key_text = encode_array(keys, session_zone)
    if not (pat.is_string(keys.type) or pat.is_large_string(keys.type) or pat.is_string_view(keys.type)):
        # JSON object keys are strings: quote numbers and booleans (quoted kinds stay as they are)
        starts_quoted = pc.starts_with(key_text, '"')
        key_text = pc.if_else(starts_quoted, key_text, _quote(key_text))
    entries = pc.binary_join_element_wise(key_text, encode_array(items, session_zone), pa.scalar(":"))
    offsets = arr.offsets
    if offsets.offset:
        offsets = pa.array(offsets.to_numpy())
    lists = pa.ListArray.from_arrays(offsets, entries, mask=arr.is_null() if arr.null_count else None)
    joined = pc.binary_join(lists, _COMMA)
    return pc.binary_join_element_wise(pa.scalar("{"), joined, pa.scalar("}"), _EMPTY)


def _struct(arr: pa.StructArray, session_zone: str | None) -> pa.Array:
    fields = [encode_array(f, session_zone) for f in arr.flatten()]
    inner = pc.binary_join_element_wise(*fields, _COMMA)
    text = pc.binary_join_element_wise(pa.scalar("["), inner, pa.scalar("]"), _EMPTY)
    if arr.null_count:
        text = pc.if_else(arr.is_valid(), text, _NULL)
    return text


def _fragments(arr: pa.Array, session_zone: str | None) -> pa.Array:
    """JSON fragments of one column; nulls stay null (the caller writes them as ``null``)."""
    dtype = arr.type
    if pat.is_dictionary(dtype):
        return _fragments(arr.dictionary_decode(), session_zone)
    if pat.is_null(dtype):
        return pa.nulls(len(arr), pa.string())
    if pat.is_boolean(dtype) or (pat.is_integer(dtype) and not pat.is_uint64(dtype)):
        return pc.cast(arr, pa.string())
    if pat.is_uint64(dtype):
        return _quote(pc.cast(arr, pa.string()))
    if pat.is_floating(dtype):
        if pat.is_float16(dtype):
            arr = arr.cast(pa.float32())
        return _special_doubles(pc.cast(arr, pa.string()), arr)
    if pat.is_decimal(dtype) or pat.is_date(dtype) or pat.is_time(dtype):
        return _quote(pc.cast(arr, pa.string()))
    if pat.is_string(dtype) or pat.is_large_string(dtype) or pat.is_string_view(dtype):
        return _json_strings(arr)
    if pat.is_timestamp(dtype):
        return _timestamp(arr, session_zone)
    if pat.is_list(dtype) or pat.is_large_list(dtype) or pat.is_fixed_size_list(dtype):
        return _list(arr, session_zone)
    if pat.is_map(dtype):
        return _map(arr, session_zone)
    if pat.is_struct(dtype):
        if dtype.num_fields == 0:
            return pc.if_else(arr.is_valid(), pa.scalar('""'), _NULL)
        return _struct(arr, session_zone)
    if pat.is_binary(dtype) or pat.is_large_binary(dtype) or pat.is_fixed_size_binary(dtype):
        return _per_value(arr, _base64)
    if pat.is_binary_view(dtype):
        return _per_value(arr.cast(pa.large_binary()), _base64)
    if pat.is_interval(dtype) or pat.is_duration(dtype):
        return _per_value(arr, _interval_text)
    return _per_value(arr, _text)


def encode_array(arr: pa.Array, session_zone: str | None = None) -> pa.Array:
    """A column as JSON fragments, one per value, with ``null`` for nulls."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    text = _fragments(arr, session_zone)
    if text.null_count:
        text = text.fill_null(_NULL)
    return text


def _in_millis(arr: pa.Array) -> pa.Array:
    """Times and timestamps rounded to milliseconds (for clients of fixed-precision types)."""
    dtype = arr.type
    if pat.is_timestamp(dtype) and dtype.unit in ("us", "ns"):
        return pc.round_temporal(arr, unit="millisecond").cast(pa.timestamp("ms", tz=dtype.tz))
    if pat.is_time(dtype) and dtype.unit in ("us", "ns"):
        return pc.cast(arr, pa.time32("ms"), safe=False)
    if pat.is_time(dtype) and dtype.unit == "s":
        return arr.cast(pa.time32("ms"))
    if pat.is_timestamp(dtype) and dtype.unit == "s":
        return arr.cast(pa.timestamp("ms", tz=dtype.tz))
    return arr


def _valid_zone(zone: str | None) -> str | None:
    if not zone:
        return None
    if zone.lower() in _UTC_NAMES:
        return "UTC"
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return zone


class RowEncoder:
    """The Trino door's ``encode`` for :meth:`Gateway.start_query`: a batch to EncodedRows.

    ``time_zone`` (the client's ``X-Trino-Time-Zone``) is the zone that values of columns with
    a time zone are shown in, as Trino does; unknown zones leave the column's own zone. Clients
    without the PARAMETRIC_DATETIME capability get times and timestamps in milliseconds.
    """

    def __init__(self, time_zone: str | None = None, parametric_datetime: bool = True) -> None:
        self.time_zone = _valid_zone(time_zone)
        self.parametric_datetime = parametric_datetime

    def __call__(self, batch: pa.RecordBatch) -> EncodedRows:
        arrays = batch.columns if self.parametric_datetime else [_in_millis(c) for c in batch.columns]
        columns = [encode_array(column, self.time_zone) for column in arrays]
        if sum(c.nbytes for c in columns) > _LARGE or any(pat.is_large_string(c.type) for c in columns):
            columns = [c.cast(pa.large_string()) for c in columns]
        if not columns:
            rows = pa.array(["[],"] * batch.num_rows, pa.string())
        else:
            inner = pc.binary_join_element_wise(*columns, _COMMA) if len(columns) > 1 else columns[0]
            rows = pc.binary_join_element_wise(pa.scalar("["), inner, pa.scalar("],"), _EMPTY)
        return EncodedRows(rows)
