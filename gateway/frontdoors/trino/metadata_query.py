"""Run a query over information_schema and system tables in a private, throw-away DuckDB.

Each metadata table the query names is built (only those) as an Arrow table from what the
caller may list, and registered in an in-memory DuckDB opened for this request alone, with no
access to files, extensions or the network; the query, rewritten to read them, runs there. So
any WHERE, JOIN, ORDER BY or LIMIT works, and the gateway's engines and physical names are
never involved. A query that also reads catalog tables is refused.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import duckdb
import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import SqlglotError

from gateway.errors import ErrorCode, LakegateError
from gateway.frontdoors.trino import information_schema, system_tables
from gateway.frontdoors.trino.information_schema import CatalogMetadata, catalog_metadata
from gateway.frontdoors.trino.rewrite import (
    INFORMATION_SCHEMA,
    SYSTEM,
    SessionValues,
    apply_session_values,
    is_virtual,
)
from gateway.frontdoors.trino.system_tables import SystemContext
from gateway.planner.context import QueryContext, QueryRequest
from gateway.planner.passes.allow_functions import allow_functions
from gateway.planner.passes.name_columns import name_trino_columns
from gateway.planner.passes.read_only import read_only
from gateway.planner.relations import relations
from gateway.service import Gateway

_PRIVATE = "lg_meta_"
_PRIVATE_NAME = re.compile(rf'"?{_PRIVATE}\d+"?')
_DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": "false",
    "autoinstall_known_extensions": "false",
    "autoload_known_extensions": "false",
    "threads": "1",
    "memory_limit": "512MB",
}


def _catalog_of(name: str, ctx: SystemContext) -> CatalogMetadata:
    if name.lower() == SYSTEM:
        return system_tables.system_catalog()
    metadata = catalog_metadata(name, ctx.listing)
    if metadata is None:
        raise LakegateError(ErrorCode.CATALOG_NOT_FOUND, f"Catalog '{name}' not found")
    return metadata


def _virtual_table(table: exp.Table, values: SessionValues, ctx: SystemContext) -> tuple[str, pa.Table]:
    if not isinstance(table.this, exp.Identifier):
        raise LakegateError(ErrorCode.FUNCTION_NOT_ALLOWED, "table functions are not allowed")
    catalog = table.catalog or values.catalog
    schema = (table.db or values.schema or "").lower()
    name = table.name.lower()
    if not catalog:
        raise LakegateError(
            ErrorCode.CATALOG_NOT_FOUND, "Catalog must be specified when session catalog is not set"
        )
    built: pa.Table | None
    if schema == INFORMATION_SCHEMA:
        metadata = _catalog_of(catalog, ctx)
        built = information_schema.build(name, metadata)
        label = f"{metadata.catalog}.{schema}.{name}"
    else:
        built = system_tables.build(f"{schema}.{name}", ctx)
        label = f"system.{schema}.{name}"
    if built is None:
        raise LakegateError(ErrorCode.TABLE_NOT_FOUND, f"Table '{label}' does not exist")
    return label, built


def prepare(
    tree: exp.Expr, values: SessionValues, ctx: SystemContext, gateway: Gateway
) -> tuple[str, dict[str, pa.Table], dict[str, str]]:
    """The DuckDB SQL, the tables to register, and private name -> logical name (for messages)."""
    context = QueryContext(
        QueryRequest(tree.sql(dialect="trino"), values.catalog, values.schema, "trino", values.user),
        gateway.snapshot,
        gateway.connectors,
        gateway.config.server.limits.max_sql_bytes,
        tree=tree,
    )
    read_only(context)
    allow_functions(context)
    tables = [r.table for r in relations(tree) if not r.is_cte]
    if any(not is_virtual(t, values.catalog, values.schema) for t in tables):
        raise LakegateError(
            ErrorCode.STATEMENT_NOT_ALLOWED,
            "a query over information_schema or system tables cannot also read catalog tables: "
            "query them separately",
        )
    registered: dict[str, pa.Table] = {}
    labels: dict[str, str] = {}
    by_label: dict[str, str] = {}
    for table in tables:
        label, built = _virtual_table(table, values, ctx)
        private = by_label.get(label)
        if private is None:
            private = by_label[label] = f"{_PRIVATE}{len(registered)}"
            registered[private] = built
            labels[private] = label
        replacement = exp.to_table(private)
        replacement.set("alias", exp.TableAlias(this=exp.to_identifier(table.alias or table.name)))
        table.replace(replacement)
    tree, _ = apply_session_values(tree, values)
    name_trino_columns(tree)
    try:
        sql = tree.sql(dialect="duckdb")
    except SqlglotError as exc:
        raise LakegateError(ErrorCode.ENGINE_USER_ERROR, str(exc)) from None
    return sql, registered, labels


def _execute(con: duckdb.DuckDBPyConnection, sql: str, tables: dict[str, pa.Table]) -> pa.Table:
    try:
        for name, table in tables.items():
            con.register(name, table)
        result: pa.Table = con.execute(sql).to_arrow_table()
        return result
    finally:
        con.close()


def _message(exc: Exception, labels: dict[str, str]) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    rename: Callable[[re.Match[str]], str] = lambda m: labels.get(m.group(0).strip('"'), "table")  # noqa: E731
    return _PRIVATE_NAME.sub(rename, text)[:1000]


async def run(tree: exp.Expr, values: SessionValues, ctx: SystemContext, gateway: Gateway) -> pa.Table:
    """The query's answer as an Arrow table; LakegateError for anything wrong with it."""
    sql, tables, labels = await asyncio.to_thread(prepare, tree, values, ctx, gateway)
    limits = gateway.config.server.limits
    con = duckdb.connect(":memory:", config=_DUCKDB_CONFIG)
    try:
        result = await asyncio.wait_for(asyncio.to_thread(_execute, con, sql, tables), limits.timeout_seconds)
    except TimeoutError:
        con.interrupt()
        raise LakegateError(
            ErrorCode.QUERY_TIMEOUT, f"timeout: the query ran longer than {limits.timeout_seconds:g} s"
        ) from None
    except duckdb.Error as exc:
        message = _message(exc, labels)
        if "not found in FROM clause" in message or "does not have a column named" in message:
            raise LakegateError(ErrorCode.COLUMN_NOT_FOUND, message) from None
        if isinstance(exc, duckdb.ParserException):
            raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, message) from None
        raise LakegateError(ErrorCode.ENGINE_USER_ERROR, message) from None
    if result.num_rows > limits.max_rows:
        raise LakegateError(
            ErrorCode.RESULT_TOO_LARGE, f"the result exceeds the limit of {limits.max_rows} rows"
        )
    return result
