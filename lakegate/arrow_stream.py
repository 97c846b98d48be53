"""Incremental reading of an Arrow IPC stream from a streaming HTTP response.

The body is never buffered as a whole: the response's byte chunks are exposed to
``pyarrow.ipc.open_stream`` through a minimal read-only raw file, so each record batch is
decoded as soon as its bytes have arrived.

A stream that stops before the IPC end-of-stream marker was cut off (the server aborted the
query, or the connection broke). Arrow itself reports a stream that stops exactly between two
messages as a normal end, so the raw file watches the bytes it hands out: the stream is
complete only if the last eight bytes read were the end-of-stream marker and Arrow never asked
for more bytes than the body had.

A query that fails after its first batches were sent ends its stream with a schema message
without fields whose metadata ``lakegate.error`` holds the error's problem document (the
server's gateway/stream_errors.py); Arrow refuses it where a batch must come, and the reader
raises :class:`StreamFailed` with the problem instead of a generic "invalid stream".
"""

from __future__ import annotations

import http.client
import io
import json
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pyarrow as pa
import pyarrow.ipc

from lakegate.errors import OperationalError
from lakegate.socket_stream import SocketResponse

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["EOS_MARKER", "ArrowStream", "ResponseRawIO", "StreamFailed", "StreamInterrupted"]

#: Every IPC message starts with this continuation token (Arrow >= 0.15 format).
CONTINUATION = b"\xff\xff\xff\xff"
#: The IPC end-of-stream marker: continuation token and a zero metadata length.
EOS_MARKER = CONTINUATION + b"\x00\x00\x00\x00"
#: the metadata key of the message that ends a failed stream (the server's gateway/stream_errors.py)
ERROR_METADATA_KEY = b"lakegate.error"


class StreamFailed(Exception):
    """Internal: the server ended the Arrow stream with an error (its problem document)."""

    def __init__(self, problem: dict[str, Any]) -> None:
        super().__init__(str(problem.get("detail") or problem.get("code") or "the query failed"))
        self.problem = problem


class StreamInterrupted(Exception):
    """Internal: the Arrow stream ended before its end-of-stream marker."""

    def __init__(self, reason: str, cause: BaseException | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.cause = cause

    @property
    def timed_out(self) -> bool:
        """The client's own read timeout ended the stream (not the server, not the network)."""
        return isinstance(self.cause, (httpx.TimeoutException, TimeoutError))


class ResponseRawIO(io.RawIOBase):
    """A read-only, non-seekable raw file over an iterator of byte chunks.

    ``read(n)`` returns exactly ``n`` bytes unless the body ends first: Arrow does not retry
    short reads. Transport errors raised while pulling chunks end the body early and are kept
    in :attr:`error` instead of propagating through Arrow.
    """

    def __init__(self, chunks: Iterator[bytes], on_bytes: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self._chunks = chunks
        self._on_bytes = on_bytes
        self._buffer = b""
        self._offset = 0
        self._tail = b""
        #: the last reads: a message's continuation, length and metadata (see stream_error)
        self._recent: deque[bytes] = deque(maxlen=3)
        self.head = b""
        self.position = 0
        self.eof = False
        self.short_read = False
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.position

    def _next_chunk(self) -> bool:
        while not self.eof:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self.eof = True
            except (httpx.HTTPError, httpx.StreamError) as exc:
                self.error = exc
                self.eof = True
            else:
                if chunk:
                    if self._on_bytes is not None:
                        self._on_bytes(len(chunk))
                    self._buffer = chunk
                    self._offset = 0
                    return True
        return False

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            parts = [self._buffer[self._offset :]]
            self._buffer, self._offset = b"", 0
            while self._next_chunk():
                parts.append(self._buffer)
                self._buffer = b""
            return self._account(b"".join(parts), None)
        available = len(self._buffer) - self._offset
        if available >= size:
            out = self._buffer[self._offset : self._offset + size]
            self._offset += size
            return self._account(out, size)
        parts = [self._buffer[self._offset :]] if available else []
        missing = size - available
        self._buffer, self._offset = b"", 0
        while missing > 0 and self._next_chunk():
            take = min(missing, len(self._buffer))
            parts.append(self._buffer[:take])
            self._offset = take
            missing -= take
        return self._account(b"".join(parts), size)

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def _account(self, data: bytes, requested: int | None) -> bytes:
        if requested is not None and len(data) < requested:
            self.short_read = True
        if data:
            if len(self.head) < 4:
                self.head = (self.head + data[:4])[:4]
            self.position += len(data)
            self._tail = (self._tail + data[-8:])[-8:]
            self._recent.append(data)
        return data

    def stream_error(self) -> dict[str, Any] | None:
        """The problem document of the error message read last, if that is what was read last.

        Arrow reads a message as its continuation token, its metadata length and its metadata
        (a schema has no body), so the last reads hold it whole."""
        recent = b"".join(self._recent)
        end = len(recent)
        while (start := recent.rfind(CONTINUATION, 0, end)) >= 0:
            end = start + len(CONTINUATION) - 1  # next: one that starts before this one
            length = int.from_bytes(recent[start + 4 : start + 8], "little")
            if length != len(recent) - start - 8:
                continue
            try:
                schema = pa.ipc.read_schema(pa.py_buffer(recent[start:]))
            except (pa.ArrowException, OSError, ValueError):
                return None
            return problem_of(schema)
        return None

    @property
    def complete(self) -> bool:
        """True if the end-of-stream marker was the last thing read and nothing was missing."""
        return self.error is None and not self.short_read and self._tail == EOS_MARKER


def problem_of(schema: pa.Schema) -> dict[str, Any] | None:
    """The problem document an error message's schema carries, if it is one."""
    text = (schema.metadata or {}).get(ERROR_METADATA_KEY)
    if text is None or len(schema) != 0:
        return None
    try:
        problem = json.loads(text)
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        return {"detail": "the server ended the result with an error it could not describe"}
    return problem


class FileRawIO(ResponseRawIO):
    """The same bookkeeping over a file-like body (the standard library's HTTP response).

    Arrow asks for whole IPC messages; each read goes to the socket in one call and comes back
    as one buffer, with no re-chunking.
    """

    def __init__(self, file: Any, on_bytes: Callable[[int], None] | None = None) -> None:
        super().__init__(iter(()), on_bytes)
        self._file = file

    def read(self, size: int | None = -1) -> bytes:
        if self.eof:
            return self._account(b"", size if size is not None and size >= 0 else None)
        try:
            data: bytes = self._file.read() if size is None or size < 0 else self._read_exactly(size)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            self.error = exc
            self.eof = True
            data = b""
        if data and self._on_bytes is not None:
            self._on_bytes(len(data))
        if size is not None and size >= 0 and len(data) < size:
            self.eof = True
        return self._account(data, size if size is not None and size >= 0 else None)

    def _read_exactly(self, size: int) -> bytes:
        """Fill one buffer of ``size`` straight from the socket (``readinto``: the HTTP chunks a
        message spans are not joined into a second copy). Short only at the end of the body."""
        buffer = bytearray(size)
        view = memoryview(buffer)
        filled = 0
        while filled < size:
            count = self._file.readinto(view[filled:])
            if not count:
                break
            filled += count
        return bytes(view[:filled]) if filled < size else buffer  # type: ignore[return-value]


class ArrowStream:
    """Reads record batches one at a time from a 200 response carrying an Arrow IPC stream."""

    def __init__(
        self, response: httpx.Response | SocketResponse, on_bytes: Callable[[int], None] | None = None
    ) -> None:
        self._response = response
        self._raw: ResponseRawIO
        if isinstance(response, SocketResponse):
            self._raw = FileRawIO(response.raw_file, on_bytes)
        else:
            # No chunk_size: httpx would re-buffer chunks until that many bytes have arrived,
            # which delays small messages (the schema, early batches) until much later.
            self._raw = ResponseRawIO(response.iter_bytes(), on_bytes)
        self._reader: pa.ipc.RecordBatchStreamReader | None = None
        self.schema: pa.Schema | None = None
        self.finished = False

    @property
    def bytes_read(self) -> int:
        return self._raw.position

    def open(self) -> pa.Schema:
        """Read up to and including the schema message; return the schema."""
        try:
            self._reader = pa.ipc.open_stream(self._raw)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise self._failure(exc) from None
        problem = problem_of(self._reader.schema)
        if problem is not None:
            self.close()
            raise StreamFailed(problem)
        self.schema = self._reader.schema
        return self.schema

    def read_batch(self) -> pa.RecordBatch | None:
        """The next record batch, or ``None`` after a complete stream.

        Raises :class:`StreamInterrupted` if the stream was cut off.
        """
        if self.finished:
            return None
        if self._reader is None:
            self.open()
        assert self._reader is not None
        try:
            return self._reader.read_next_batch()
        except StopIteration:
            if self._raw.complete:
                self.finished = True
                self.close()
                return None
            raise self._interrupted(None) from None
        except (pa.ArrowException, OSError, ValueError) as exc:
            problem = self._raw.stream_error()
            if problem is not None:
                self.close()
                raise StreamFailed(problem) from None
            raise self._failure(exc) from None

    def close(self) -> None:
        self._response.close()

    def _interrupted(self, cause: BaseException | None) -> StreamInterrupted:
        self.close()
        raw = self._raw
        if raw.error is not None:
            reason = f"connection lost ({type(raw.error).__name__})"
            cause = raw.error
        elif raw.position == 0:
            reason = "the response body was empty"
        else:
            reason = f"the stream ended after {raw.position} bytes, before its end-of-stream marker"
        return StreamInterrupted(reason, cause)

    def _failure(self, exc: BaseException) -> Exception:
        raw = self._raw
        looks_like_arrow = CONTINUATION.startswith(raw.head)  # also true for a (near) empty body
        if looks_like_arrow and (raw.short_read or raw.error is not None):
            return self._interrupted(exc)
        self.close()
        return OperationalError(f"the server sent an invalid Arrow stream: {exc}")
