"""One query on one cluster: submit, read pages as Arrow batches, cancel, and explain failures.

Every request of the query (each page, the cancel) goes to the URIs its cluster returned, so a
query never leaves its cluster. A cluster that stops answering fails the query within one
request timeout (a refused connection: at once) and is marked unhealthy for the next queries.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import trino.exceptions as trino_errors

from connectors.base import Cancellation, ConnectorError, QueryCanceled, RoutingHints
from connectors.trino.cluster import TrinoCluster
from connectors.trino.types import TrinoType, arrow_type, parse_type, record_batch

log = logging.getLogger(__name__)

#: Trino USER_ERRORs that mean the data made the query fail (Lakegate's "data" errors)
DATA_ERRORS = frozenset(
    {"DIVISION_BY_ZERO", "INVALID_CAST_ARGUMENT", "NUMERIC_VALUE_OUT_OF_RANGE", "INVALID_FUNCTION_ARGUMENT"}
)
CANCELED_ERRORS = frozenset({"USER_CANCELED", "ADMINISTRATIVELY_KILLED", "ADMINISTRATIVELY_PREEMPTED"})
_HTTP_STATUS = re.compile(r"^error (\d{3})(?::\s*(.*))?$", re.DOTALL)
MAX_MESSAGE = 500


class TrinoRun:
    """A query submitted to ``cluster`` as the hinted end user."""

    def __init__(
        self,
        cluster: TrinoCluster,
        cancellation: Cancellation,
        hints: RoutingHints,
        mark_unhealthy: Callable[[TrinoCluster, str], None],
    ) -> None:
        self.cluster = cluster
        self.cancellation = cancellation
        self.hints = hints
        self._mark_unhealthy = mark_unhealthy
        self._connection: Any = None
        self._cursor: Any = None
        self._closed = False
        self._lock = threading.Lock()
        #: the cluster was never reached: the query was not submitted, another cluster may run it
        self.unreached = False
        #: the cluster stopped answering (a connection error)
        self.unreachable = False
        self.types: list[TrinoType] = []
        self.schema = pa.schema([])

    @property
    def query_id(self) -> str | None:
        return self._cursor.query_id if self._cursor is not None else None

    def start(self, sql: str) -> pa.Schema:
        """Submit the query and wait for its columns; raise ConnectorError if it fails first."""
        try:
            if self.cancellation.canceled:
                raise QueryCanceled(self.cancellation.reason)
            self._connection = self.cluster.connect(
                self.hints.user, source=self.hints.source, client_tags=self.hints.client_tags
            )
            self._cursor = self._connection.cursor(stats_callback=self._on_progress)
            self.cancellation.on_cancel(self._cancel_in_background)
            self._cursor.execute(sql)
            description = self._cursor.description or []
            log.debug("query %s runs on Trino cluster %s", self.query_id, self.cluster.name)
            self.types = [parse_type(d[1]) for d in description]
            self.schema = pa.schema(
                [pa.field(d[0], arrow_type(t)) for d, t in zip(description, self.types, strict=True)]
            )
        except BaseException as exc:
            error = self.error(exc)
            self.close()
            raise error from None
        return self.schema

    def batches(self, batch_rows: int) -> Iterator[pa.RecordBatch]:
        try:
            if not self.types:
                return
            while True:
                if self.cancellation.canceled:
                    raise QueryCanceled(self.cancellation.reason)
                rows = self._cursor.fetchmany(batch_rows)
                if not rows:
                    return
                yield record_batch(rows, self.types, self.schema)
        except GeneratorExit:
            raise
        except BaseException as exc:
            raise self.error(exc) from None
        finally:
            self.close()

    # -- cancel ------------------------------------------------------------------------------
    def _on_progress(self, stats: dict[str, Any]) -> None:
        """Called by the client on every page: stop reading a canceled query."""
        if self.cancellation.canceled:
            raise QueryCanceled(self.cancellation.reason)

    def _cancel_in_background(self) -> None:
        # The owner cancels from the event loop: the DELETE must not block it.
        threading.Thread(target=self._send_cancel, name="trino-cancel", daemon=True).start()

    def _send_cancel(self) -> None:
        cursor = self._cursor
        if cursor is None:
            return
        try:
            cursor.cancel()  # DELETE {nextUri}; nothing when the query is finished
        except Exception as exc:
            log.debug(
                "canceling a query on Trino cluster %s failed: %s", self.cluster.name, type(exc).__name__
            )

    def close(self) -> None:
        """Free the cluster at once; a query left unfinished is canceled there in the background."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self.cluster.ended()
        if self._connection is None:
            return
        if self.unreachable:  # no DELETE to a cluster that stopped answering
            self._connection.close()
            return
        threading.Thread(target=self._cancel_and_close, name="trino-close", daemon=True).start()

    def _cancel_and_close(self) -> None:
        self._send_cancel()  # DELETE {nextUri} of a query left unread; nothing if it finished
        try:
            self._connection.close()
        except Exception as exc:
            log.debug("closing a connection to %s failed: %s", self.cluster.name, type(exc).__name__)

    # -- errors ------------------------------------------------------------------------------
    def error(self, exc: BaseException) -> ConnectorError:
        """A ConnectorError with a message safe to show: naming the cluster, never a credential."""
        if isinstance(exc, ConnectorError):
            return exc
        if self.cancellation.canceled:
            return QueryCanceled(self.cancellation.reason)
        name = self.cluster.name
        if isinstance(exc, trino_errors.TrinoQueryError):
            return self._query_error(exc)
        if isinstance(exc, trino_errors.TrinoConnectionError) or _is_connection_error(exc):
            text = str(exc)
            reason = _connection_reason(text, self.cluster.request_timeout)
            self.unreached = self.query_id is None and _never_connected(text)
            self.unreachable = True
            self._mark_unhealthy(self.cluster, reason)
            return ConnectorError("unavailable", f"Trino cluster {name} stopped answering: {reason}")
        if isinstance(exc, trino_errors.HttpError | trino_errors.OperationalError):
            return self._http_error(str(exc))
        if isinstance(exc, pa.ArrowException):
            return ConnectorError(
                "engine", self._clean(f"a value from Trino cluster {name} could not be read: {exc}")
            )
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise exc
        log.error("query on Trino cluster %s failed: %s", name, type(exc).__name__)
        return ConnectorError("engine", f"the query failed on Trino cluster {name} ({type(exc).__name__})")

    def _query_error(self, exc: trino_errors.TrinoQueryError) -> ConnectorError:
        name = exc.error_name or ""
        message = self._clean(exc.message)
        if name in CANCELED_ERRORS:
            return ConnectorError("canceled", f"the query was canceled on Trino cluster {self.cluster.name}")
        if name == "SERVER_SHUTTING_DOWN":
            self._mark_unhealthy(self.cluster, "shutting down")
            return ConnectorError("unavailable", f"Trino cluster {self.cluster.name} is shutting down")
        if exc.error_type == "USER_ERROR":
            return ConnectorError("data" if name in DATA_ERRORS else "user", message)
        if exc.error_type == "EXTERNAL":
            return ConnectorError("unavailable", f"Trino cluster {self.cluster.name}: {message}")
        return ConnectorError("engine", f"Trino cluster {self.cluster.name}: {message}")

    def _http_error(self, text: str) -> ConnectorError:
        name = self.cluster.name
        match = _HTTP_STATUS.match(text)
        status = int(match.group(1)) if match else 0
        body = _body_text(match.group(2) if match else "")
        if status in (502, 503, 504):
            self._mark_unhealthy(self.cluster, f"HTTP {status}")
            return ConnectorError("unavailable", f"Trino cluster {name} is unavailable (HTTP {status})")
        if status == 401:
            return ConnectorError(
                "unavailable", f"Trino cluster {name} refused Lakegate's service credential (HTTP 401)"
            )
        if status == 403:
            user = self.hints.user or self.cluster.user
            detail = f": {self._clean(body)}" if body else ""
            return ConnectorError("user", f"Trino cluster {name} refused to run the query as {user}{detail}")
        if status in (404, 410):
            return ConnectorError(
                "unavailable",
                f"Trino cluster {name} no longer knows the query (HTTP {status}); it may have restarted",
            )
        return ConnectorError("engine", self._clean(f"Trino cluster {name} answered: {text}"))

    def _clean(self, text: str) -> str:
        for secret in self.cluster.secrets:
            text = text.replace(secret, "***")
        text = text.strip()
        if len(text) > MAX_MESSAGE:
            text = text[:MAX_MESSAGE].rsplit(" ", 1)[0] + " ..."
        return text or "the query failed"


def _is_connection_error(exc: BaseException) -> bool:
    # requests' errors, without importing requests: ConnectionError and Timeout live there.
    return type(exc).__module__.startswith(("requests", "urllib3")) or isinstance(exc, ConnectionError)


def _never_connected(text: str) -> bool:
    """The error says no connection was made (so no request was received)."""
    lowered = text.lower()
    return "refused" in lowered or "connect timeout" in lowered or "failed to establish" in lowered


def _connection_reason(text: str, timeout: float) -> str:
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "connect timeout" in lowered:
        return "cannot connect in time"
    if "timed out" in lowered or "timeout" in lowered:
        return f"no answer within {timeout:g} s"
    if "empty response" in lowered:
        return "an empty answer"
    return "the connection was lost"


def _body_text(body: str) -> str:
    """The body of an HTTP error as the client formatted it (``b'...'``), as plain text."""
    body = body.strip()
    if len(body) >= 3 and body[0] == "b" and body[1] in "'\"" and body[-1] == body[1]:
        body = body[2:-1]
    return body
