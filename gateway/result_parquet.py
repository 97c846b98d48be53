"""Parquet answers for the native API: one row group per result batch, written as it streams.

Parquet's footer (the schema and every row group's offsets) comes last, so a client has a file
only when the whole answer arrived; an aborted stream leaves no readable file. Batches are
written on the query's worker thread; :meth:`ParquetParts.finish` writes the footer once the last
batch has been encoded (and, for an empty result, the file's header and schema first).
"""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from gateway.results import PARQUET

__all__ = ["PARQUET", "ParquetParts", "parquet_refusal"]


def parquet_refusal(schema: pa.Schema) -> str | None:
    """Why Parquet cannot hold these columns (an interval, say), or None when it can: asked
    before the status line, so such a result is refused (406) rather than cut off midway."""
    try:
        pq.ParquetWriter(io.BytesIO(), schema).close()
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid) as exc:
        return str(exc)
    return None


class ParquetParts:
    """Encodes one query's record batches as the bytes of one Parquet file, piece by piece."""

    def __init__(self) -> None:
        self._sink = io.BytesIO()
        self._writer: pq.ParquetWriter | None = None

    def _open(self, schema: pa.Schema) -> pq.ParquetWriter:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._sink, schema, compression="zstd")
        return self._writer

    def _take(self) -> bytes:
        data = self._sink.getvalue()
        self._sink.seek(0)
        self._sink.truncate()
        return data

    def __call__(self, batch: pa.RecordBatch) -> Any:
        if batch.num_rows:
            self._open(batch.schema).write_batch(batch)
        return self._take()

    def finish(self, schema: pa.Schema) -> bytes:
        """The file's last bytes (its footer), after every batch was encoded."""
        writer = self._open(schema)
        writer.close()
        return self._take()
