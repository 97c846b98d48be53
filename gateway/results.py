"""Result encodings for the native API: Arrow IPC stream (the default), CSV and JSON (Parquet:
gateway/result_parquet.py).

Arrow batches are serialized on the query's worker thread, one IPC message per batch, so the
event loop only moves buffers. CSV and JSON are for small results.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.types as pat

from connectors.arrow_types import trino_type_of

ARROW_STREAM = "application/vnd.apache.arrow.stream"
PARQUET = "application/vnd.apache.parquet"
JSON = "application/json"
CSV = "text/csv"
# The IPC end-of-stream marker: continuation token and a zero length.
ARROW_EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with, or None if the client accepts none of ours."""
    if not accept:
        return ARROW_STREAM
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        quality = 1.0
        for param in fields[1:]:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        choice = {
            ARROW_STREAM: ARROW_STREAM,
            JSON: JSON,
            CSV: CSV,
            PARQUET: PARQUET,
            "*/*": ARROW_STREAM,
            "application/*": ARROW_STREAM,
            "text/*": CSV,
        }.get(media)
        if choice and (best is None or (quality, -position) > (best[0], -best[1])):
            best = (quality, position, choice)
    return best[2] if best else None


class _PartsSink:
    """A write-only file that keeps what Arrow writes: its own small bytes, and the batch's
    body buffers as they are (pyarrow hands those over as Buffers, without copying)."""

    closed = False

    def __init__(self) -> None:
        self.parts: list[Any] = []

    def write(self, data: Any) -> int:
        self.parts.append(data)
        return len(memoryview(data))

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class ArrowMessageParts:
    """Encodes record batches as IPC stream messages without copying their bodies.

    ``batch.serialize()`` copies a whole batch into one new buffer; here Arrow's stream writer
    emits each message as a few small metadata/padding pieces (coalesced) and the batch's own
    buffers, which are sent as they are. One encoder serves one query (one schema).
    """

    def __init__(self) -> None:
        self._sink = _PartsSink()
        self._writer: pa.ipc.RecordBatchStreamWriter | None = None

    def __call__(self, batch: pa.RecordBatch) -> list[Any]:
        skip = 0
        if self._writer is None:
            self._writer = pa.ipc.new_stream(pa.PythonFile(self._sink, mode="w"), batch.schema)
            # The writer emits the schema message before the first batch; the response has
            # already sent it (it goes out before any batch exists), so it is dropped here.
            skip = batch.schema.serialize().size
        self._writer.write_batch(batch)
        parts, self._sink.parts = self._sink.parts, []
        return _coalesce(_drop_prefix(parts, skip))


def _drop_prefix(parts: list[Any], count: int) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        view = memoryview(part)
        if count >= len(view):
            count -= len(view)
            continue
        out.append(view[count:] if count else part)
        count = 0
    return out


def _coalesce(parts: list[Any], small: int = 64 * 1024) -> list[Any]:
    """Join runs of small pieces, so the response sends a few large writes per batch."""
    out: list[Any] = []
    pending = bytearray()
    for part in parts:
        view = memoryview(part)
        if len(view) < small:
            pending += view
            continue
        if pending:
            out.append(bytes(pending))
            pending = bytearray()
        out.append(view)
    if pending:
        out.append(bytes(pending))
    return out


def csv_header(schema: pa.Schema) -> bytes:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(pa.Table.from_batches([], schema), sink)
    data: bytes = sink.getvalue().to_pybytes()
    return data


def csv_rows(batch: pa.RecordBatch) -> bytes:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(batch, sink, pacsv.WriteOptions(include_header=False))
    data: bytes = sink.getvalue().to_pybytes()
    return data


def interval_text(months: int, days: int, nanoseconds: int) -> str:
    """An interval as Trino prints it: ``Y-M`` (year to month) or ``D HH:MM:SS.mmm`` (day to
    second; finer digits kept when there are any). One holding both months and days or time,
    which no Trino interval type can, is ISO 8601 (``P1M2DT3H``): never a lossy conversion."""
    if months and (days or nanoseconds):
        sign = "-" if nanoseconds < 0 else ""
        span = decimal.Decimal(abs(nanoseconds)) / 1_000_000_000
        return f"P{months}M{days}DT{sign}{span.normalize():f}S"
    if months:
        sign = "-" if months < 0 else ""
        years, rest = divmod(abs(months), 12)
        return f"{sign}{years}-{rest}"
    total = days * 86_400_000_000_000 + nanoseconds
    sign = "-" if total < 0 else ""
    whole_days, rest = divmod(abs(total), 86_400_000_000_000)
    hours, rest = divmod(rest, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds, fraction = divmod(rest, 1_000_000_000)
    digits = f"{fraction:09d}".rstrip("0").ljust(3, "0")
    return f"{sign}{whole_days} {hours:02d}:{minutes:02d}:{seconds:02d}.{digits}"


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, pa.MonthDayNano):
        return interval_text(value.months, value.days, value.nanoseconds)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dt.timedelta):  # a nested interval day to second
        return interval_text(0, value.days, (value.seconds * 1_000_000 + value.microseconds) * 1000)
    if isinstance(value, dict):
        return value
    return str(value)


def _json_values(column: pa.ChunkedArray) -> list[Any]:
    dtype = column.type
    if pat.is_duration(dtype):  # interval day to second
        nanos = pc.cast(column, pa.duration("ns")).cast(pa.int64()).to_pylist()
        return [None if n is None else interval_text(0, 0, n) for n in nanos]
    if pat.is_temporal(dtype) or pat.is_interval(dtype) or pat.is_decimal(dtype):
        # As text, computed by Arrow: also right for values Python's datetime cannot hold.
        try:
            return pc.cast(column, pa.string()).to_pylist()  # type: ignore[no-any-return]
        except pa.ArrowNotImplementedError:
            pass
    values: list[Any] = column.to_pylist()
    return values


CSV_TYPES_REFUSED = "array, map, row, interval and varbinary"


def csv_can_hold(schema: pa.Schema) -> bool:
    for field in schema:
        dtype = field.type
        if (
            pat.is_nested(dtype)
            or pat.is_interval(dtype)
            or pat.is_binary(dtype)
            or pat.is_large_binary(dtype)
        ):
            return False
        if pat.is_fixed_size_binary(dtype) or pat.is_duration(dtype):
            return False
    return True


def json_document(query_id: str, schema: pa.Schema, batches: list[pa.RecordBatch]) -> bytes:
    table = pa.Table.from_batches(batches, schema)
    columns = [{"name": f.name, "type": trino_type_of(f.type)} for f in schema]
    columns_data = [_json_values(column) for column in table.columns]
    rows = [list(row) for row in zip(*columns_data, strict=True)] if columns_data else []
    return orjson.dumps(
        {"query_id": query_id, "columns": columns, "data": rows, "rows": table.num_rows},
        default=_json_default,
        option=orjson.OPT_NON_STR_KEYS,
    )
