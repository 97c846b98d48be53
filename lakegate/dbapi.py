"""PEP 249 ``Connection`` and ``Cursor`` on top of the gateway's HTTP API."""

from __future__ import annotations

import importlib
import weakref
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple, Self
from urllib.parse import urlencode

import httpx
import pyarrow as pa

from lakegate import errors
from lakegate.errors import InterfaceError, NotSupportedError, ProgrammingError
from lakegate.http import (
    CATALOGS_PATH,
    DATASETS_PATH,
    SEARCH_PATH,
    SUGGEST_PATH,
    Credentials,
    HttpSession,
    path_segment,
    query_path,
    split_url,
)
from lakegate.params import render_parameters
from lakegate.result import QueryResult
from lakegate.types import Column, describe_schema

if TYPE_CHECKING:
    import pandas

__all__ = ["CatalogInfo", "ColumnInfo", "Connection", "Cursor", "SchemaInfo", "TableInfo", "connect"]


class CatalogInfo(NamedTuple):
    name: str
    connector: str | None
    comment: str | None


class SchemaInfo(NamedTuple):
    catalog: str
    name: str


class TableInfo(NamedTuple):
    catalog: str
    schema: str
    name: str
    type: str | None
    comment: str | None


class ColumnInfo(NamedTuple):
    name: str
    type: str
    nullable: bool | None
    comment: str | None


def _items(payload: Any, key: str, what: str) -> list[dict[str, Any]]:
    items = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) and "name" in item for item in items):
        raise InterfaceError(f"unexpected response listing {what}")
    return items


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _batch_rows(batch: pa.RecordBatch) -> list[tuple[Any, ...]]:
    num_rows = int(batch.num_rows)
    if batch.num_columns == 0:
        return [()] * num_rows
    columns = [column.to_pylist() for column in batch.columns]
    return list(zip(*columns, strict=True))


class Connection:
    """A connection to a Lakegate server. Create it with :func:`lakegate.connect`.

    Queries run with the connection's ``catalog``, ``schema`` and ``dialect`` (attributes that
    may be changed between queries). The gateway is read-only: ``commit()`` does nothing and
    ``rollback()`` raises :class:`NotSupportedError`.
    """

    Warning = errors.Warning
    Error = errors.Error
    InterfaceError = errors.InterfaceError
    DatabaseError = errors.DatabaseError
    DataError = errors.DataError
    OperationalError = errors.OperationalError
    IntegrityError = errors.IntegrityError
    InternalError = errors.InternalError
    ProgrammingError = errors.ProgrammingError
    NotSupportedError = errors.NotSupportedError

    def __init__(
        self,
        session: HttpSession,
        *,
        catalog: str | None = None,
        schema: str | None = None,
        dialect: str | None = None,
        progress: bool | None = None,
    ) -> None:
        self._session = session
        self.catalog = catalog
        self.schema = schema
        self.dialect = dialect
        self.progress = progress
        self._cursors: weakref.WeakSet[Cursor] = weakref.WeakSet()

    @property
    def url(self) -> str:
        return self._session.base_url

    @property
    def user(self) -> str | None:
        return self._session.credentials.user

    @property
    def closed(self) -> bool:
        return self._session.closed

    def _check_open(self) -> None:
        if self._session.closed:
            raise InterfaceError("the connection is closed")

    # -- PEP 249 ------------------------------------------------------------------------------

    def cursor(self) -> Cursor:
        self._check_open()
        cursor = Cursor(self)
        self._cursors.add(cursor)
        return cursor

    def close(self) -> None:
        """Close every cursor (canceling their running queries), then the HTTP client."""
        if self._session.closed:
            return
        for cursor in list(self._cursors):
            cursor.close()
        self._session.close()

    def commit(self) -> None:
        """Does nothing: the gateway runs read-only queries without transactions."""
        self._check_open()

    def rollback(self) -> None:
        raise NotSupportedError("the gateway does not support transactions")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<lakegate.Connection {self.url} user={self.user!r} {state}>"

    # -- extensions ---------------------------------------------------------------------------

    def execute(self, operation: str, parameters: Sequence[Any] | None = None) -> Cursor:
        """Shortcut: a new cursor that has executed ``operation``."""
        cursor = self.cursor()
        try:
            return cursor.execute(operation, parameters)
        except BaseException:
            cursor.close()
            raise

    def cancel(self, query_id: str) -> None:
        """Cancel a query by id (``DELETE /v1/queries/{id}``)."""
        self._check_open()
        self._session.delete(query_path(query_id))

    def catalogs(self) -> list[CatalogInfo]:
        self._check_open()
        payload = self._session.get_json(CATALOGS_PATH)
        return [
            CatalogInfo(str(item["name"]), _opt_str(item.get("connector")), _opt_str(item.get("comment")))
            for item in _items(payload, "catalogs", "catalogs")
        ]

    def search(
        self,
        text: str = "",
        *,
        filters: Mapping[str, str | Sequence[str]] | None = None,
        facets: Sequence[str] = (),
        offset: int = 0,
        limit: int = 10,
        sort: str = "relevance",
    ) -> dict[str, Any]:
        """Search the metadata catalog: tables, views, columns, schemas and glossary terms the
        user may see (``GET /v1/search``).

        ``filters`` maps a field (type, source, catalog, schema, owner, classification, term) to
        one value or several (any of them); ``facets`` names the fields to count. The answer holds
        ``total``, ``hits`` (with ``highlights`` and, for tables, ``matched_columns``) and
        ``facets`` (field -> [{value, count}]).
        """
        self._check_open()
        params: list[tuple[str, str]] = [("q", text), ("offset", str(offset)), ("limit", str(limit))]
        params.append(("sort", sort))
        for field, values in (filters or {}).items():
            for value in [values] if isinstance(values, str) else values:
                params.append((field, value))
        params.extend(("facet", facet) for facet in facets)
        payload = self._session.get_json(f"{SEARCH_PATH}?{urlencode(params)}")
        if not isinstance(payload, dict):
            raise InterfaceError("the server sent an unexpected search answer")
        return payload

    def suggest(self, prefix: str, limit: int = 10) -> list[dict[str, Any]]:
        """Names that complete ``prefix`` (``GET /v1/suggest``), agreeing with :meth:`search`."""
        self._check_open()
        payload = self._session.get_json(f"{SUGGEST_PATH}?{urlencode({'q': prefix, 'limit': limit})}")
        return _items(payload, "suggestions", "suggestions")

    def schemas(self, catalog: str) -> list[SchemaInfo]:
        self._check_open()
        path = f"{CATALOGS_PATH}/{path_segment(catalog)}/schemas"
        payload = self._session.get_json(path)
        return [SchemaInfo(catalog, str(item["name"])) for item in _items(payload, "schemas", "schemas")]

    def tables(self, catalog: str, schema: str) -> list[TableInfo]:
        self._check_open()
        path = f"{CATALOGS_PATH}/{path_segment(catalog)}/schemas/{path_segment(schema)}/tables"
        payload = self._session.get_json(path)
        return [
            TableInfo(
                catalog,
                schema,
                str(item["name"]),
                _opt_str(item.get("type")),
                _opt_str(item.get("comment")),
            )
            for item in _items(payload, "tables", "tables")
        ]

    def columns(self, catalog: str, schema: str, table: str) -> list[ColumnInfo]:
        self._check_open()
        path = (
            f"{CATALOGS_PATH}/{path_segment(catalog)}/schemas/{path_segment(schema)}"
            f"/tables/{path_segment(table)}"
        )
        payload = self._session.get_json(path)
        result = []
        for item in _items(payload, "columns", "columns"):
            nullable = item.get("nullable")
            result.append(
                ColumnInfo(
                    str(item["name"]),
                    str(item.get("type", "")),
                    nullable if isinstance(nullable, bool) else None,
                    _opt_str(item.get("comment")),
                )
            )
        return result

    # -- derived datasets (``/v1/datasets``) ------------------------------------------------------
    def create_view(
        self,
        name: str,
        sql: str,
        *,
        description: str | None = None,
        security: str = "DEFINER",
        replace: bool = False,
    ) -> dict[str, Any]:
        """Define a view ``catalog.schema.name`` in a workspace catalog: its query runs at every
        read, with its owner's rights (``security="DEFINER"``, the default) or the reader's
        (``"INVOKER"``). Unqualified names in ``sql`` resolve in this connection's catalog and
        schema. Returns the dataset as the server describes it."""
        return self._define(name, "view", sql, description, replace, security=security)

    def materialize(
        self,
        name: str,
        sql: str,
        *,
        description: str | None = None,
        replace: bool = False,
        refresh_seconds: float | None = None,
    ) -> dict[str, Any]:
        """Write the result of ``sql`` as a table ``catalog.schema.name`` in a workspace catalog
        (Parquet, with its owner's rights), refreshed by :meth:`refresh` or every
        ``refresh_seconds``. Returns the dataset (rows, bytes, duration of the write)."""
        return self._define(name, "table", sql, description, replace, refresh_seconds=refresh_seconds)

    def refresh(self, name: str) -> dict[str, Any]:
        """Refresh a materialised table now (atomically; a failure keeps the old data)."""
        self._check_open()
        payload = self._session.post_json(f"{DATASETS_PATH}/{path_segment(name)}/refresh")
        return dict(payload)

    def drop_dataset(self, name: str) -> None:
        self._check_open()
        self._session.delete(f"{DATASETS_PATH}/{path_segment(name)}")

    def datasets(self) -> list[dict[str, Any]]:
        """The datasets this user may see."""
        self._check_open()
        return _items(self._session.get_json(DATASETS_PATH), "datasets", "datasets")

    def _define(
        self,
        name: str,
        kind: str,
        sql: str,
        description: str | None,
        replace: bool,
        **extra: Any,
    ) -> dict[str, Any]:
        self._check_open()
        body: dict[str, Any] = {"name": name, "kind": kind, "sql": sql, "replace": replace, **extra}
        for key, value in (("description", description), ("catalog", self.catalog), ("schema", self.schema)):
            if value is not None:
                body[key] = value
        body = {key: value for key, value in body.items() if value is not None}
        return dict(self._session.post_json(DATASETS_PATH, body))

    def _start_query(self, sql: str) -> QueryResult:
        self._check_open()
        body = {"sql": sql, "catalog": self.catalog, "schema": self.schema, "dialect": self.dialect}
        # Unset members are left out, so that the server's defaults (dialect "trino") apply.
        body = {key: value for key, value in body.items() if value is not None}
        return QueryResult(self._session, body, progress=self.progress)


class Cursor:
    """Runs queries and fetches their rows, converting Arrow batches lazily, one at a time."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.arraysize = 1
        self._result: QueryResult | None = None
        self._description: list[Column] | None = None
        self._batch: pa.RecordBatch | None = None
        self._rows: list[tuple[Any, ...]] | None = None
        self._pos = 0
        self._rowcount = -1
        self._generation = 0
        self._closed = False

    # -- state --------------------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        return self._connection

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def description(self) -> list[Column] | None:
        """One 7-item :class:`~lakegate.types.Column` per result column; known before any fetch."""
        return self._description

    @property
    def rowcount(self) -> int:
        """Rows in the result once it has been read to the end; -1 until then."""
        if self._result is not None and self._result.finished:
            return self._result.rows
        return self._rowcount

    @property
    def query_id(self) -> str | None:
        """The server's id of the last query (``X-Lakegate-Query-Id``)."""
        return None if self._result is None else self._result.query_id

    @property
    def schema(self) -> pa.Schema | None:
        """The Arrow schema of the current result."""
        return None if self._result is None else self._result.schema

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the cursor is closed")
        self._connection._check_open()

    def _require_result(self) -> QueryResult:
        self._check_open()
        if self._result is None:
            raise ProgrammingError("no result set: call execute() first")
        return self._result

    def _discard_result(self) -> None:
        self._generation += 1
        result, self._result = self._result, None
        self._description = None
        self._batch = None
        self._rows = None
        self._pos = 0
        self._rowcount = -1
        if result is not None:
            result.close()

    # -- PEP 249 ------------------------------------------------------------------------------

    def execute(self, operation: str, parameters: Sequence[Any] | None = None) -> Self:
        """Run ``operation``; ``?`` placeholders take ``parameters`` (rendered as SQL literals).

        Returns once the server has sent the result's schema; rows stream in as they are fetched.
        While it waits, :meth:`cancel` may be called from another thread.
        """
        self._check_open()
        if not isinstance(operation, str):
            raise ProgrammingError("the operation must be a string of SQL")
        sql = operation if parameters is None else render_parameters(operation, parameters)
        self._discard_result()
        result = self._connection._start_query(sql)
        # Set before waiting for the schema, so that cancel() from another thread works.
        self._result = result
        try:
            schema = result.open()
        except BaseException:
            self._discard_result()
            raise
        self._description = describe_schema(schema)
        return self

    def executemany(self, operation: str, seq_of_parameters: Sequence[Sequence[Any]]) -> Self:
        """Run ``operation`` once per parameter sequence, each to completion; keeps no result."""
        self._check_open()
        total = 0
        for parameters in seq_of_parameters:
            self.execute(operation, parameters)
            for _ in self.iter_batches():
                pass
            total += self.rowcount
        self._discard_result()
        self._rowcount = total
        return self

    def fetchone(self) -> tuple[Any, ...] | None:
        if not self._advance():
            return None
        rows = self._current_rows()
        row = rows[self._pos]
        self._pos += 1
        return row

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        wanted = self.arraysize if size is None else size
        out: list[tuple[Any, ...]] = []
        while len(out) < wanted and self._advance():
            rows = self._current_rows()
            taken = rows[self._pos : self._pos + wanted - len(out)]
            self._pos += len(taken)
            out.extend(taken)
        return out

    def fetchall(self) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        while self._advance():
            rows = self._current_rows()
            out.extend(rows[self._pos :] if self._pos else rows)
            self._pos = len(rows)
        return out

    def setinputsizes(self, sizes: Any) -> None:
        """Does nothing (PEP 249)."""

    def setoutputsize(self, size: Any, column: int | None = None) -> None:
        """Does nothing (PEP 249)."""

    def close(self) -> None:
        """Close the cursor; a query whose result is still streaming is canceled on the server."""
        if self._closed:
            return
        try:
            self._discard_result()
        finally:
            self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return self

    def __next__(self) -> tuple[Any, ...]:
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<lakegate.Cursor query_id={self.query_id!r} {state}>"

    # -- Arrow and pandas ---------------------------------------------------------------------

    def iter_batches(self) -> Iterator[pa.RecordBatch]:
        """Yield the remaining rows as ``pyarrow.RecordBatch`` objects, as they arrive."""
        result = self._require_result()
        generation = self._generation

        def generate() -> Iterator[pa.RecordBatch]:
            while True:
                if self._generation != generation:
                    raise InterfaceError("the cursor was closed or re-executed during iteration")
                batch = self._take_pending_batch()
                if batch is None:
                    batch = result.next_batch()
                    if batch is None:
                        return
                yield batch

        return generate()

    def fetch_arrow_table(self) -> pa.Table:
        """The remaining rows as one ``pyarrow.Table``."""
        result = self._require_result()
        return pa.Table.from_batches(list(self.iter_batches()), schema=result.schema)

    def fetch_record_batch_reader(self) -> pa.RecordBatchReader:
        """The remaining rows as a streaming ``pyarrow.RecordBatchReader``."""
        result = self._require_result()
        return pa.RecordBatchReader.from_batches(result.schema, self.iter_batches())

    def to_pandas(self, **kwargs: Any) -> pandas.DataFrame:
        """The remaining rows as a pandas DataFrame (needs pandas; keywords go to Arrow)."""
        self._require_result()
        try:
            importlib.import_module("pandas")
        except ImportError:
            raise InterfaceError(
                "Cursor.to_pandas() needs pandas, which is not installed: pip install pandas"
            ) from None
        frame: pandas.DataFrame = self.fetch_arrow_table().to_pandas(**kwargs)
        return frame

    def cancel(self) -> None:
        """Ask the server to cancel the running query; later fetches raise QueryCanceledError."""
        if self._result is not None:
            self._result.cancel()

    # -- internals ----------------------------------------------------------------------------

    def _advance(self) -> bool:
        """Make sure a batch with unread rows is current; False when the result is exhausted."""
        result = self._require_result()
        while self._batch is None or self._pos >= self._batch.num_rows:
            batch = result.next_batch()
            self._batch, self._rows, self._pos = batch, None, 0
            if batch is None:
                return False
        return True

    def _current_rows(self) -> list[tuple[Any, ...]]:
        if self._rows is None:
            self._rows = _batch_rows(self._batch)
        return self._rows

    def _take_pending_batch(self) -> pa.RecordBatch | None:
        """The unread part of the current batch (after row fetches), removing it from the cursor."""
        batch, pos = self._batch, self._pos
        self._batch, self._rows, self._pos = None, None, 0
        if batch is None or pos >= batch.num_rows:
            return None
        return batch if pos == 0 else batch.slice(pos)


def connect(
    url: str,
    *,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
    catalog: str | None = None,
    schema: str | None = None,
    dialect: str | None = None,
    timeout: float | httpx.Timeout | None = None,
    progress: bool | None = None,
    verify: bool | str = True,
    http_client: httpx.Client | None = None,
) -> Connection:
    """Connect to a Lakegate server.

    Args:
        url: the server's base URL, e.g. ``"https://lakegate.example.com"`` (a path prefix is kept).
        user, password: HTTP Basic authentication. ``user`` alone sends the development-mode
            ``X-Lakegate-User`` header.
        token: a bearer token (``Authorization: Bearer``).
        catalog, schema: the defaults unqualified names resolve against.
        dialect: the SQL dialect of the queries (the server's default is ``"trino"``).
        timeout: how many seconds a query's result may go without sending data (``None``, the
            default: no limit, the server enforces its own query timeout), or an
            ``httpx.Timeout``. Connecting and the metadata calls have their own limits
            (30 and 60 s). Ignored with ``http_client``, whose own timeouts then apply.
        progress: show a progress display while results download: ``True``, ``False``, or
            ``None`` for "only in an interactive terminal or notebook".
        verify: TLS verification: ``True``, ``False`` or the path of a CA bundle.
            Ignored with ``http_client``.
        http_client: an ``httpx.Client`` to send requests with (it is not closed by
            ``Connection.close()``).
    """
    base_url, url_user, url_password = split_url(url)
    if user is None and password is None and token is None:
        user, password = url_user, url_password
    credentials = Credentials(user=user, password=password, token=token)
    session = HttpSession(base_url, credentials, timeout=timeout, verify=verify, http_client=http_client)
    return Connection(session, catalog=catalog, schema=schema, dialect=dialect, progress=progress)
