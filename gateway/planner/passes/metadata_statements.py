"""Answer SHOW and DESCRIBE from Lakegate's metadata, never from the engine.

The engine knows physical names and storage paths; the metadata snapshot knows only what users
may see. Output columns follow Trino (``Catalog``, ``Schema``, ``Table``; ``Column``, ``Type``,
``Extra``, ``Comment``), so tools written against Trino read them unchanged.
"""

from __future__ import annotations

import re

import pyarrow as pa
from sqlglot import exp

from auth.visible_metadata import VisibleMetadata
from connectors.base import TableInfo
from gateway.errors import ErrorCode, LakegateError, syntax_error
from gateway.planner.context import QueryContext
from gateway.planner.functions_listing import show_functions
from gateway.planner.sql_names import IDENT, like_pattern, split_name

_NAME = rf"{IDENT}(?:\s*\.\s*{IDENT}){{0,2}}"
_LIKE = r"(?:\s+LIKE\s+'(?P<like>(?:[^']|'')*)'(?:\s+ESCAPE\s+'(?P<escape>[^']*)')?)?"
_SHOW = {
    "CATALOGS": re.compile(rf"^SHOW\s+CATALOGS{_LIKE}\s*;?\s*$", re.I | re.S),
    "SCHEMAS": re.compile(
        rf"^SHOW\s+SCHEMAS(?:\s+(?:FROM|IN)\s+(?P<name>{_NAME}))?{_LIKE}\s*;?\s*$", re.I | re.S
    ),
    "TABLES": re.compile(
        rf"^SHOW\s+TABLES(?:\s+(?:FROM|IN)\s+(?P<name>{_NAME}))?{_LIKE}\s*;?\s*$", re.I | re.S
    ),
    "COLUMNS": re.compile(rf"^SHOW\s+COLUMNS\s+(?:FROM|IN)\s+(?P<name>{_NAME}){_LIKE}\s*;?\s*$", re.I | re.S),
    "FUNCTIONS": re.compile(rf"^SHOW\s+FUNCTIONS{_LIKE}\s*;?\s*$", re.I | re.S),
}


def _visible(ctx: QueryContext) -> VisibleMetadata:
    return VisibleMetadata(ctx.snapshot, ctx.authorizer, ctx.request.identity)


def _one_column(name: str, values: list[str], like: re.Pattern[str] | None) -> pa.Table:
    kept = [v for v in values if like is None or like.fullmatch(v)]
    return pa.table({name: pa.array(kept, pa.string())})


def _session_catalog(ctx: QueryContext) -> str:
    if not ctx.request.catalog:
        raise LakegateError(
            ErrorCode.CATALOG_NOT_FOUND, "no catalog given and the session has no default catalog"
        )
    return ctx.request.catalog


def _schema_of(ctx: QueryContext, parts: list[str]) -> tuple[str, str]:
    if len(parts) == 1:
        catalog, schema = _session_catalog(ctx), parts[0]
    elif len(parts) == 2:
        catalog, schema = parts
    else:
        raise syntax_error("expected [catalog.]schema")
    if _visible(ctx).catalog(catalog) is None:
        raise LakegateError(ErrorCode.CATALOG_NOT_FOUND, f"catalog {catalog!r} does not exist")
    real = _visible(ctx).schema_name(catalog, schema)
    if real is None:
        raise LakegateError(ErrorCode.SCHEMA_NOT_FOUND, f"schema {catalog}.{schema} does not exist")
    return catalog.lower(), real


def _table_of(ctx: QueryContext, parts: list[str]) -> TableInfo:
    if len(parts) == 1:
        if not ctx.request.schema:
            raise LakegateError(
                ErrorCode.SCHEMA_NOT_FOUND, "no schema given and the session has no default schema"
            )
        catalog, schema = _schema_of(ctx, [_session_catalog(ctx), ctx.request.schema])
    else:
        catalog, schema = _schema_of(ctx, parts[:-1])
    info = _visible(ctx).table(catalog, schema, parts[-1])
    if info is None:
        raise LakegateError(ErrorCode.TABLE_NOT_FOUND, f"table {catalog}.{schema}.{parts[-1]} does not exist")
    return info


def describe_table(info: TableInfo, like: re.Pattern[str] | None = None) -> pa.Table:
    columns = [c for c in info.columns if like is None or like.fullmatch(c.name)]
    return pa.table(
        {
            "Column": pa.array([c.name for c in columns], pa.string()),
            "Type": pa.array([c.type for c in columns], pa.string()),
            "Extra": pa.array(["" for _ in columns], pa.string()),
            "Comment": pa.array([c.comment or "" for c in columns], pa.string()),
        }
    )


def answer_show(ctx: QueryContext, text: str) -> pa.Table:
    for kind, pattern in _SHOW.items():
        match = pattern.match(text.strip())
        if not match:
            continue
        like = like_pattern(match.group("like"), match.group("escape"))
        name = match.groupdict().get("name")
        if kind == "FUNCTIONS":
            return show_functions(like)
        if kind == "CATALOGS":
            return _one_column("Catalog", [c.name for c in _visible(ctx).catalogs()], like)
        if kind == "SCHEMAS":
            catalog = split_name(name)[0] if name else _session_catalog(ctx)
            if _visible(ctx).catalog(catalog) is None:
                raise LakegateError(ErrorCode.CATALOG_NOT_FOUND, f"catalog {catalog!r} does not exist")
            return _one_column("Schema", _visible(ctx).schemas(catalog), like)
        if kind == "TABLES":
            if name:
                catalog, schema = _schema_of(ctx, split_name(name))
            else:
                if not ctx.request.schema:
                    raise LakegateError(
                        ErrorCode.SCHEMA_NOT_FOUND, "no schema given and the session has no default schema"
                    )
                catalog, schema = _schema_of(ctx, [_session_catalog(ctx), ctx.request.schema])
            return _one_column("Table", [t.name for t in _visible(ctx).tables(catalog, schema)], like)
        assert name is not None
        return describe_table(_table_of(ctx, split_name(name)), like)
    raise LakegateError(
        ErrorCode.STATEMENT_NOT_ALLOWED,
        "supported SHOW statements: SHOW CATALOGS, SHOW SCHEMAS, SHOW TABLES, SHOW COLUMNS, SHOW FUNCTIONS",
    )


def _part(node: exp.Expr) -> str:
    quoted = isinstance(node, exp.Identifier) and node.quoted
    return str(node.name) if quoted else str(node.name).lower()


def metadata_statements(ctx: QueryContext) -> QueryContext:
    tree = ctx.tree
    if isinstance(tree, exp.Describe):
        target = tree.this
        if not isinstance(target, exp.Table) or not isinstance(target.this, exp.Identifier):
            raise LakegateError(ErrorCode.STATEMENT_NOT_ALLOWED, "DESCRIBE takes a table name")
        parts = [_part(p) for p in target.parts]
        ctx.local_result = describe_table(_table_of(ctx, parts))
        ctx.done = True
    elif isinstance(tree, exp.Command) and str(tree.this).upper() == "SHOW":
        ctx.local_result = answer_show(ctx, tree.sql(dialect="trino"))
        ctx.done = True
    return ctx
