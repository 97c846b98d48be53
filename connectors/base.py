"""The one interface every engine implements, and the metadata it describes.

A *connector* is an engine (the embedded DuckDB, a Trino cluster) serving one or more logical
catalogs. The gateway never sees how a catalog is stored: it asks the connector for metadata,
hands it SQL in the connector's dialect with physical catalog names, and reads Arrow batches back.
This package imports nothing else of Lakegate's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import pyarrow as pa


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    name: str
    type: str  # the type in Trino's spelling (varchar, bigint, decimal(12,2), timestamp(6), ...)
    nullable: bool = True
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class TableInfo:
    catalog: str
    schema: str
    name: str
    columns: tuple[ColumnInfo, ...]
    kind: str = "BASE TABLE"  # or VIEW
    comment: str | None = None
    # What the engine knows cheaply (None: not known). Storage format and location are for
    # admins only (the catalog keeps them; nothing shows them to other users).
    storage_format: str | None = None
    location: str | None = None
    row_count: int | None = None
    size_bytes: int | None = None
    view_sql: str | None = None  # views: the defining SQL
    #: (column, why) of source columns no engine type holds faithfully: never exposed, never read
    #: (as Trino's connectors leave out columns of unsupported types)
    unsupported_columns: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CatalogInfo:
    name: str
    connector: str
    comment: str | None = None
    schemas: dict[str, dict[str, TableInfo]] = field(default_factory=dict)


class ConnectorError(Exception):
    """An engine refused or failed a query; ``kind`` says how, ``message`` is safe to show."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        # "data" | "user" | "canceled" | "unavailable" | "resources" | "engine" | "refused"
        self.kind = kind
        self.message = message


class QueryCanceled(ConnectorError):
    def __init__(self, message: str = "the query was canceled") -> None:
        super().__init__("canceled", message)


class Cancellation:
    """A flag a query's owner sets; the running execution checks it and interrupts the engine."""

    def __init__(self) -> None:
        # a flag set under the lock, not a threading.Event: nothing waits on it, and an Event
        # (a Condition and two locks) cost every query a few microseconds on the event loop
        self._canceled = False
        self._callbacks: list[object] = []
        self._lock = threading.Lock()
        self.reason = "the query was canceled"

    def cancel(self, reason: str | None = None) -> None:
        with self._lock:
            if self._canceled:
                return
            if reason:
                self.reason = reason
            self._canceled = True
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback()  # type: ignore[operator]
            except Exception:  # noqa: S112 - a failing interrupt must not stop the others
                continue

    def on_cancel(self, callback: object) -> None:
        with self._lock:
            if not self._canceled:
                self._callbacks.append(callback)
                return
        callback()  # type: ignore[operator]

    @property
    def canceled(self) -> bool:
        return self._canceled


@dataclass(frozen=True, slots=True)
class RoutingHints:
    """Who runs a query and what the client asked for, for engines that choose where to run it.

    The embedded engine ignores them; the Trino connector impersonates ``user`` on the cluster
    and picks the cluster's routing group from them (a ``routing_group`` request overrides).
    """

    user: str | None = None
    groups: tuple[str, ...] = ()
    #: the client's own name (``X-Trino-Source``), e.g. "superset"
    source: str | None = None
    client_tags: tuple[str, ...] = ()
    #: a routing group the client asked for (``X-Trino-Routing-Group``)
    routing_group: str | None = None
    #: the logical catalogs the query reads, when the caller knows them
    catalogs: tuple[str, ...] = ()
    #: the logical tables (catalog, schema, table) the planner authorized the query to read; the
    #: embedded engine refuses a query whose bound plan reads anything else. None: an internal
    #: caller that runs its own SQL (not checked)
    tables: tuple[tuple[str, str, str], ...] | None = None


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]


@runtime_checkable
class Connector(Protocol):
    """An engine serving one or more logical catalogs."""

    name: str
    #: sqlglot dialect the engine speaks
    dialect: str

    def catalogs(self) -> list[CatalogInfo]:
        """Metadata for every catalog this connector serves (logical names)."""
        ...

    def physical_catalog(self, logical: str) -> str:
        """The engine's own name for a logical catalog."""
        ...

    def execute(
        self, sql: str, cancellation: Cancellation, batch_rows: int, hints: RoutingHints | None = None
    ) -> ExecutionResult:
        """Run SQL (in ``dialect``, physical names); batches are yielded as the engine makes them.

        ``hints`` say who runs the query (engines that impersonate or route use them).
        Raises ConnectorError when the engine rejects the query; iteration may raise it too.
        """
        ...

    def health(self) -> tuple[bool, str]:
        """(healthy, detail)."""
        ...

    def unreadable(self, tables: Sequence[tuple[str, str, str]]) -> list[str]:
        """Which of these logical tables have stored data that cannot be read now, as
        ``catalog.schema.table`` (for an error that names them; never a path)."""
        ...

    def close(self) -> None: ...
