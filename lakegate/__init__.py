"""Lakegate notebook client: a PEP 249 (DB-API 2.0) driver that streams results as Arrow.

>>> import lakegate
>>> conn = lakegate.connect("https://lakegate.example.com", token="...")
>>> cur = conn.cursor().execute("SELECT * FROM lake.sales.orders WHERE region = ?", ["EU"])
>>> table = cur.fetch_arrow_table()

Only ``httpx`` and ``pyarrow`` are required; ``tqdm`` (progress bars) and ``pandas``
(``Cursor.to_pandas()``) are used when installed.
"""

from lakegate._version import __version__
from lakegate.dbapi import CatalogInfo, ColumnInfo, Connection, Cursor, SchemaInfo, TableInfo, connect
from lakegate.errors import (
    AuthenticationError,
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    PermissionDeniedError,
    ProgrammingError,
    QueryCanceledError,
    QueryTimeoutError,
    ResultTooLargeError,
    TooManyQueriesError,
    Warning,
)
from lakegate.types import (
    BINARY,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Column,
    Date,
    DateFromTicks,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
)

#: PEP 249 globals.
apilevel = "2.0"
threadsafety = 1  # threads may share the module, not connections
paramstyle = "qmark"

__all__ = [
    "BINARY",
    "DATETIME",
    "NUMBER",
    "ROWID",
    "STRING",
    "AuthenticationError",
    "Binary",
    "CatalogInfo",
    "Column",
    "ColumnInfo",
    "Connection",
    "Cursor",
    "DataError",
    "DatabaseError",
    "Date",
    "DateFromTicks",
    "Error",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "PermissionDeniedError",
    "ProgrammingError",
    "QueryCanceledError",
    "QueryTimeoutError",
    "ResultTooLargeError",
    "SchemaInfo",
    "TableInfo",
    "Time",
    "TimeFromTicks",
    "Timestamp",
    "TimestampFromTicks",
    "TooManyQueriesError",
    "Warning",
    "__version__",
    "apilevel",
    "connect",
    "paramstyle",
    "threadsafety",
]
