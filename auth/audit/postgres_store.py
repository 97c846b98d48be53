"""The audit log in PostgreSQL: the same columns as the SQLite store, one committed row per record.

Each append is its own transaction with ``synchronous_commit = on``, so it returns only once the
server has flushed it to its write-ahead log. The table is created when missing; triggers refuse
UPDATE, DELETE and TRUNCATE. The connection string is a secret: it is never logged, and error
messages are built without it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql

from auth.audit.record import AuditRecord, iso_utc
from auth.audit.store import APPEND_ONLY, COLUMNS, AuditError, AuditFilter, count_tables

DEFAULT_TABLE = "lakegate_audit"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,50}$")
_SESSION = (
    "SET synchronous_commit TO on",
    "SET TimeZone TO 'UTC'",
    "SET statement_timeout TO '30s'",
)


def _problem(exc: Exception) -> str:
    """The first line of a driver error (libpq never puts the password in it)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class PostgresAuditStore:
    def __init__(self, dsn: str, *, table: str = DEFAULT_TABLE, connect_timeout: int = 10) -> None:
        schema, _, name = table.rpartition(".")
        schema = schema or "public"
        if not (_NAME.match(schema) and _NAME.match(name)):
            raise AuditError("the audit table must be 'name' or 'schema.name' in lower case letters and _")
        self.table = f"{schema}.{name}"
        self._dsn = dsn
        self._connect_timeout = connect_timeout
        self._schema, self._name = schema, name
        self._ident = sql.Identifier(schema, name)
        self._lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._closed = False
        self._writer = self._connect()
        self._reader: psycopg.Connection[Any] | None = None
        self._create_table()
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS)
        casts = {
            "event_id": "::uuid",
            "groups": "::text[]",
            "resources": "::text[]",
            "policy_ids": "::bigint[]",
        }
        values = sql.SQL(", ").join(sql.SQL("%s" + casts.get(c, "")) for c in COLUMNS)
        self._insert = sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT (event_id) DO NOTHING").format(
            self._ident, columns, values
        )
        self._select = sql.SQL("SELECT {} FROM {}").format(columns, self._ident)

    def __repr__(self) -> str:
        return f"PostgresAuditStore(table={self.table!r})"

    # -- connections ------------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection[Any]:
        try:
            conn = psycopg.connect(self._dsn, autocommit=True, connect_timeout=self._connect_timeout)
        except psycopg.Error as exc:
            raise AuditError(f"cannot connect to the audit database: {_problem(exc)}") from None
        for statement in _SESSION:
            conn.execute(statement)
        return conn

    def _create_table(self) -> None:
        t, s, n = self._ident, sql.Identifier(self._schema), self._name
        fn = sql.Identifier(self._schema, f"{n}_append_only")
        statements = [
            sql.SQL(
                """CREATE TABLE IF NOT EXISTS {} (
                    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    event_id uuid NOT NULL UNIQUE,
                    event_time timestamptz NOT NULL,
                    query_id text,
                    user_name text NOT NULL,
                    groups text[] NOT NULL,
                    client_address text,
                    front_door text NOT NULL,
                    action text NOT NULL,
                    sql_text text,
                    sql_sha256 text,
                    resources text[] NOT NULL,
                    decision text NOT NULL,
                    policy_ids bigint[] NOT NULL,
                    row_count bigint NOT NULL,
                    byte_count bigint NOT NULL,
                    duration_ms double precision NOT NULL,
                    error_code text,
                    status integer NOT NULL
                )"""
            ).format(t),
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (event_time)").format(
                sql.Identifier(f"{n}_time"), t
            ),
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (user_name, event_time)").format(
                sql.Identifier(f"{n}_user"), t
            ),
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (query_id)").format(sql.Identifier(f"{n}_query"), t),
            sql.SQL(
                "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION {} USING ERRCODE = 'insufficient_privilege'; END $$"
            ).format(fn, sql.Literal(APPEND_ONLY)),
        ]
        triggers = {
            f"{n}_no_update_delete": "BEFORE UPDATE OR DELETE ON {} FOR EACH ROW",
            f"{n}_no_truncate": "BEFORE TRUNCATE ON {} FOR EACH STATEMENT",
        }
        try:
            with self._writer.transaction():
                # Two servers starting together must not race to create the same objects.
                self._writer.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.table,))
                self._writer.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(s))
                for statement in statements:
                    self._writer.execute(statement)
                existing = {
                    row[0]
                    for row in self._writer.execute(
                        "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass", (self.table,)
                    )
                }
                for trigger, when in triggers.items():
                    if trigger not in existing:
                        self._writer.execute(
                            sql.SQL("CREATE TRIGGER {} " + when + " EXECUTE FUNCTION {}()").format(
                                sql.Identifier(trigger), t, fn
                            )
                        )
        except psycopg.Error as exc:
            self._writer.close()
            raise AuditError(f"cannot create the audit table {self.table}: {_problem(exc)}") from None

    # -- the store ---------------------------------------------------------------------------
    def append(self, record: AuditRecord) -> None:
        """Insert one record; returns after the commit is flushed, raises AuditError otherwise.

        A connection lost mid-write is reopened and the insert retried once; the event id is
        unique, so a record whose first commit did land is not written twice.
        """
        self.append_many([record])

    def append_many(self, records: Sequence[AuditRecord]) -> None:
        """Insert records in one transaction; returns after the commit is flushed."""
        rows = [_to_row(record) for record in records]
        with self._lock:
            if self._closed:
                raise AuditError("the audit log is closed")
            for attempt in (1, 2):
                try:
                    if self._writer.closed or self._writer.broken:
                        self._writer = self._connect()
                    with self._writer.transaction(), self._writer.cursor() as cursor:
                        cursor.executemany(self._insert, rows)
                    return
                except psycopg.OperationalError as exc:
                    if attempt == 2 or not (self._writer.closed or self._writer.broken):
                        raise AuditError(f"cannot write the audit log: {_problem(exc)}") from None
                except psycopg.Error as exc:
                    raise AuditError(f"cannot write the audit log: {_problem(exc)}") from None

    def query(self, filters: AuditFilter) -> list[AuditRecord]:
        where: list[sql.Composable] = []
        params: list[Any] = []
        for column, value in (
            ("user_name", filters.user),
            ("query_id", filters.query_id),
            ("decision", filters.decision),
            ("action", filters.action),
            ("error_code", filters.error_code),
        ):
            if value is not None:
                where.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
                params.append(value)
        if filters.since is not None:
            where.append(sql.SQL("event_time >= %s::timestamptz"))
            params.append(filters.since_text)
        if filters.until is not None:
            where.append(sql.SQL("event_time < %s::timestamptz"))
            params.append(filters.until_text)
        if filters.resource_pattern is not None:
            where.append(sql.SQL("EXISTS (SELECT 1 FROM unnest(resources) AS r(v) WHERE r.v ILIKE %s)"))
            params.append(filters.resource_pattern)
        query = self._select
        if where:
            query = sql.SQL("{} WHERE {}").format(query, sql.SQL(" AND ").join(where))
        query = sql.SQL("{} ORDER BY event_time DESC, seq DESC LIMIT %s").format(query)
        params.append(filters.limit)
        with self._read_lock:
            if self._closed:
                raise AuditError("the audit log is closed")
            try:
                if self._reader is None or self._reader.closed or self._reader.broken:
                    self._reader = self._connect()
                    self._reader.execute("SET default_transaction_read_only TO on")
                rows = self._reader.execute(query, params).fetchall()
            except psycopg.Error as exc:
                raise AuditError(f"cannot read the audit log: {_problem(exc)}") from None
        return [_from_row(row) for row in rows]

    def table_popularity(self, since: float) -> dict[str, int]:
        since_text = AuditFilter(since=datetime.fromtimestamp(since, UTC)).since_text
        query = sql.SQL(
            "SELECT resources FROM {} WHERE action = 'query' AND event_time >= %s::timestamptz"
        ).format(self._ident)
        counts: dict[str, int] = {}
        with self._read_lock:
            if self._closed:
                raise AuditError("the audit log is closed")
            try:
                if self._reader is None or self._reader.closed or self._reader.broken:
                    self._reader = self._connect()
                    self._reader.execute("SET default_transaction_read_only TO on")
                for (resources,) in self._reader.execute(query, (since_text,)):
                    count_tables(counts, resources or ())
            except psycopg.Error as exc:
                raise AuditError(f"cannot read the audit log: {_problem(exc)}") from None
        return counts

    def close(self) -> None:
        with self._lock, self._read_lock:
            if self._closed:
                return
            self._closed = True
            self._writer.close()
            if self._reader is not None:
                self._reader.close()


def _to_row(record: AuditRecord) -> tuple[Any, ...]:
    return (
        record.event_id,
        record.time,
        record.query_id,
        record.user,
        list(record.groups),
        record.client_address,
        record.front_door,
        record.action,
        record.sql,
        record.sql_sha256,
        list(record.resources),
        record.decision,
        list(record.policy_ids),
        record.rows,
        record.bytes,
        record.duration_ms,
        record.error_code,
        record.status,
    )


def _from_row(row: tuple[Any, ...]) -> AuditRecord:
    (event_id, time, query_id, user, groups, address, front_door, action, text, sha, resources,
     decision, policy_ids, rows, nbytes, duration_ms, error_code, status) = row  # fmt: skip
    return AuditRecord(
        event_id=str(event_id),
        time=iso_utc(time),
        query_id=query_id,
        user=user,
        groups=tuple(groups),
        client_address=address,
        front_door=front_door,
        action=action,
        sql=text,
        sql_sha256=sha,
        resources=tuple(resources),
        decision=decision,
        policy_ids=tuple(int(p) for p in policy_ids),
        rows=int(rows),
        bytes=int(nbytes),
        duration_ms=float(duration_ms),
        error_code=error_code,
        status=int(status),
    )
