"""One running query's result: the Arrow stream, its progress, its server-side status.

When the stream is cut off, :class:`QueryResult` asks the server why
(``GET /v1/queries/{id}``) and raises the typed error recorded there.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from lakegate.arrow_stream import ArrowStream, StreamFailed, StreamInterrupted
from lakegate.errors import Error, OperationalError, QueryTimeoutError, error_from_problem
from lakegate.http import HEADER_QUERY_ID, HttpSession, query_path
from lakegate.progress import Progress, create_progress

__all__ = ["QueryResult"]

#: Pauses between polls of the query status while the server still reports the query as
#: running after its stream broke off (the server may record the failure a moment later).
STATUS_POLL_DELAYS: tuple[float, ...] = (0.05, 0.2, 0.5)

_ACTIVE_STATES = frozenset({"QUEUED", "RUNNING"})


class QueryResult:
    """The result of one ``POST /v1/query``.

    Constructing it sends the query and returns with the response headers (and so the query id);
    :meth:`open` then waits for the schema, which the server sends as soon as the engine knows it
    (for a long aggregate, only once it has been computed).
    """

    def __init__(
        self, session: HttpSession, body: Mapping[str, Any], *, progress: bool | None = None
    ) -> None:
        self._session = session
        response = session.start_query(body)
        self.query_id: str | None = response.headers.get(HEADER_QUERY_ID)
        total = response.headers.get("Content-Length")
        self._progress: Progress = create_progress(
            progress, total_bytes=int(total) if total and total.isdigit() else None
        )
        self._stream = ArrowStream(response, on_bytes=self._progress.add_bytes)
        self.rows = 0
        self.finished = False
        self.closed = False
        self._error: Error | None = None
        self.schema: pa.Schema | None = None

    def open(self) -> pa.Schema:
        """Wait for the result's schema and return it."""
        if self._error is not None:
            raise self._error
        if self.schema is None:
            try:
                self.schema = self._stream.open()
            except StreamInterrupted as exc:
                raise self._fail(exc) from exc.cause
            except StreamFailed as exc:
                raise self._failed(exc) from None
            except BaseException as exc:  # an invalid stream, or Ctrl-C while waiting
                self._abandon(exc)
                raise
        return self.schema

    @property
    def bytes_read(self) -> int:
        return self._stream.bytes_read

    @property
    def active(self) -> bool:
        """True while the server may still be producing this result."""
        return not (self.finished or self.closed or self._error is not None)

    def next_batch(self) -> pa.RecordBatch | None:
        """The next record batch, or ``None`` once the result is complete."""
        if self._error is not None:
            raise self._error
        if self.finished or self.closed:
            return None
        self.open()
        try:
            batch = self._stream.read_batch()
        except StreamInterrupted as exc:
            raise self._fail(exc) from exc.cause
        except StreamFailed as exc:
            raise self._failed(exc) from None
        except BaseException as exc:  # an invalid stream, or Ctrl-C while waiting for data
            self._abandon(exc)
            raise
        if batch is None:
            self.finished = True
            self._progress.close()
            return None
        self.rows += int(batch.num_rows)
        self._progress.add_rows(int(batch.num_rows))
        return batch

    def cancel(self) -> None:
        """Ask the server to cancel the query (best effort; the stream stays open)."""
        if self.query_id is not None and self.active:
            self._cancel_on_server()

    def close(self) -> None:
        """Release the stream, canceling the query on the server if it is still running."""
        if self.closed:
            return
        if self.active:
            self._cancel_on_server()
        self.closed = True
        self._shutdown()

    # -- internals ----------------------------------------------------------------------------

    def _shutdown(self) -> None:
        self._stream.close()
        self._progress.close()

    def _cancel_on_server(self) -> None:
        if self.query_id is None:
            return
        # Best effort: if the query already ended or the server is unreachable, there is
        # nothing more the client can do.
        with contextlib.suppress(Error):
            self._session.delete(query_path(self.query_id))

    def _abandon(self, exc: BaseException) -> None:
        """Reading stopped for another reason than the stream ending: give the result up."""
        if self.active:
            self._cancel_on_server()
        self._shutdown()
        if isinstance(exc, Error):
            self._error = exc
        else:
            self._error = OperationalError(
                f"reading the result was abandoned ({type(exc).__name__})", query_id=self.query_id
            )

    def _failed(self, failed: StreamFailed) -> Error:
        """The server ended the stream with its error: the typed error, without asking."""
        self._shutdown()
        self._error = error_from_problem(failed.problem, query_id=self.query_id, redact=self._session.redact)
        return self._error

    def _fail(self, interrupted: StreamInterrupted) -> Error:
        self._shutdown()
        self._error = self._explain(interrupted)
        return self._error

    def _explain(self, interrupted: StreamInterrupted) -> Error:
        """The typed error for a stream that broke off, as recorded by the server."""
        if interrupted.timed_out:
            # The client stopped waiting: that is a timeout, whatever the server then records
            # (it sees a client that went away). The query is canceled, not left to run.
            self._cancel_on_server()
            return QueryTimeoutError(
                "no data arrived within the connection's timeout; the query was canceled "
                "(raise timeout= in lakegate.connect for long queries)",
                query_id=self.query_id,
            )
        message = f"result stream was interrupted: {interrupted.reason}"
        if self.query_id is None:
            return OperationalError(message)
        status: Any = None
        for delay in (*STATUS_POLL_DELAYS, None):
            try:
                status = self._session.get_json(query_path(self.query_id))
            except Error as exc:
                return OperationalError(
                    f"{message}; its status is unavailable ({exc})", query_id=self.query_id
                )
            if not isinstance(status, dict) or status.get("state") not in _ACTIVE_STATES:
                break
            if delay is not None:
                time.sleep(delay)
        if isinstance(status, dict):
            problem = status.get("error")
            if isinstance(problem, dict):
                return error_from_problem(problem, query_id=self.query_id, redact=self._session.redact)
            if status.get("state") in _ACTIVE_STATES:
                # The server still runs a query nobody reads any more.
                self._cancel_on_server()
        return OperationalError(message, query_id=self.query_id)
