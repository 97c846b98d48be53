"""Incremental Arrow IPC reading and truncation detection (lakegate.arrow_stream)."""

from __future__ import annotations

import httpx
import pyarrow as pa
import pytest
from client_fakes import EOS, ChunkSource, chunked, ipc_bytes, ipc_parts

from lakegate.arrow_stream import ArrowStream, ResponseRawIO, StreamInterrupted
from lakegate.errors import OperationalError


def _table(rows: int = 10) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(rows), pa.int64()),
            "name": [f"row-{i}" for i in range(rows)],
        }
    )


def _stream(source: ChunkSource) -> ArrowStream:
    response = httpx.Response(200, content=iter(source))
    return ArrowStream(response)


def _read_all(stream: ArrowStream) -> list[pa.RecordBatch]:
    stream.open()
    batches = []
    while (batch := stream.read_batch()) is not None:
        batches.append(batch)
    return batches


def test_raw_io_reads_exact_sizes_across_chunks() -> None:
    raw = ResponseRawIO(iter([b"ab", b"", b"cde", b"f"]))
    assert raw.read(1) == b"a"
    assert raw.read(3) == b"bcd"
    assert raw.tell() == 4
    assert not raw.short_read
    assert raw.read(5) == b"ef"
    assert raw.short_read
    assert raw.read(1) == b""
    assert raw.eof


def test_raw_io_read_all_and_readinto() -> None:
    raw = ResponseRawIO(iter([b"abc", b"def"]))
    buffer = bytearray(2)
    assert raw.readinto(buffer) == 2
    assert bytes(buffer) == b"ab"
    assert raw.read() == b"cdef"


def test_raw_io_keeps_transport_errors() -> None:
    def chunks() -> ChunkSource:
        return ChunkSource([b"abc"], error=httpx.RemoteProtocolError("peer closed connection"))

    raw = ResponseRawIO(iter(chunks()))
    assert raw.read(10) == b"abc"
    assert isinstance(raw.error, httpx.RemoteProtocolError)
    assert not raw.complete


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 1 << 20])
def test_complete_stream_in_any_chunking(chunk_size: int) -> None:
    tbl = _table(100)
    data = ipc_bytes(tbl.to_batches(max_chunksize=16), tbl.schema)
    source = ChunkSource(chunked(data, chunk_size))
    stream = _stream(source)
    batches = _read_all(stream)
    assert len(batches) == 7
    assert pa.Table.from_batches(batches).equals(tbl)
    assert stream.finished
    assert stream.bytes_read == len(data)


def test_schema_is_available_before_the_batches_arrive() -> None:
    tbl = _table(30)
    parts = ipc_parts(tbl.to_batches(max_chunksize=10), tbl.schema)
    source = ChunkSource(parts)
    stream = _stream(source)
    assert stream.open() == tbl.schema
    assert source.pulled == 1  # only the schema message has been received
    first = stream.read_batch()
    assert first is not None
    assert first.num_rows == 10
    assert source.pulled == 2


def test_empty_result_stream() -> None:
    schema = pa.schema([("x", pa.int32())])
    stream = _stream(ChunkSource([ipc_bytes([], schema)]))
    assert _read_all(stream) == []
    assert stream.finished


def test_truncation_at_a_message_boundary_is_detected() -> None:
    # The last batch's body ends with the same eight bytes as the end-of-stream marker:
    # an int32 -1 followed by four bytes of padding. Only the missing marker tells.
    schema = pa.schema([pa.field("x", pa.int32(), nullable=False)])
    batch = pa.record_batch([pa.array([-1], pa.int32())], schema=schema)
    parts = ipc_parts([batch, batch], schema)
    truncated = b"".join(parts[:-1])
    assert truncated.endswith(EOS)
    stream = _stream(ChunkSource([truncated]))
    stream.open()
    assert stream.read_batch() is not None
    assert stream.read_batch() is not None
    with pytest.raises(StreamInterrupted, match="end-of-stream marker"):
        stream.read_batch()


def test_truncation_inside_a_message_is_detected() -> None:
    tbl = _table(30)
    parts = ipc_parts(tbl.to_batches(max_chunksize=10), tbl.schema)
    data = b"".join(parts[:2]) + parts[2][:50]
    stream = _stream(ChunkSource(chunked(data, 13)))
    stream.open()
    assert stream.read_batch() is not None
    with pytest.raises(StreamInterrupted):
        stream.read_batch()


def test_truncation_before_the_schema_is_detected() -> None:
    tbl = _table(3)
    data = ipc_bytes(tbl.to_batches(), tbl.schema)
    stream = _stream(ChunkSource([data[:20]]))
    with pytest.raises(StreamInterrupted):
        stream.open()


def test_empty_body_is_an_interruption() -> None:
    stream = _stream(ChunkSource([]))
    with pytest.raises(StreamInterrupted, match="empty"):
        stream.open()


def test_connection_loss_is_an_interruption() -> None:
    tbl = _table(30)
    parts = ipc_parts(tbl.to_batches(max_chunksize=10), tbl.schema)
    source = ChunkSource(parts[:2], error=httpx.ReadError("connection reset"))
    stream = _stream(source)
    stream.open()
    assert stream.read_batch() is not None
    with pytest.raises(StreamInterrupted, match="connection lost") as info:
        stream.read_batch()
    assert isinstance(info.value.cause, httpx.ReadError)


def test_garbage_is_an_invalid_stream() -> None:
    stream = _stream(ChunkSource([b"<html><body>hello there, this is not arrow</body></html>" * 4]))
    with pytest.raises(OperationalError, match="invalid Arrow stream"):
        stream.open()
