"""The Trino statements that define datasets, read into plain values.

``CREATE [OR REPLACE] VIEW v [COMMENT '...'] [SECURITY DEFINER|INVOKER] AS q``,
``CREATE [OR REPLACE] TABLE t [IF NOT EXISTS] [COMMENT '...'] [WITH (format = 'PARQUET')] AS q``,
``DROP VIEW|TABLE [IF EXISTS] x``, ``ALTER VIEW|TABLE [IF EXISTS] x RENAME TO y``,
``COMMENT ON TABLE|VIEW|COLUMN x IS '...'|NULL``, ``SHOW CREATE VIEW|TABLE x`` and
``REFRESH MATERIALIZED VIEW t`` (refreshes a materialised table). Anything else is not a dataset
statement (:func:`read_statement` returns None) and goes to the planner, which refuses writes.
Names are folded to lower case, as Trino does, and must be plain identifiers (they name folders).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from gateway.datasets.model import Kind, Security
from gateway.errors import ErrorCode, LakegateError

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,127}$")
_COMMENT_NULL = re.compile(r"(?is)^\s*COMMENT\s+ON\s+(TABLE|VIEW|COLUMN)\s+(.+?)\s+IS\s+NULL\s*;?\s*$")
_SHOW_CREATE = re.compile(r"(?is)^\s*SHOW\s+CREATE\s+(VIEW|TABLE)\s+(.+?)\s*;?\s*$")
_DDL_START = re.compile(r"(?is)^\s*(CREATE|DROP|ALTER|COMMENT|SHOW\s+CREATE|REFRESH)\b")


@dataclass(frozen=True, slots=True)
class Name:
    catalog: str
    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.catalog}.{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class CreateDataset:
    kind: Kind
    target: Name
    query: str  # the defining query, Trino dialect
    replace: bool = False
    if_not_exists: bool = False
    security: Security = Security.DEFINER
    comment: str | None = None
    columns: tuple[str, ...] = ()  # CREATE VIEW v (a, b): the output column names
    column_comments: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class DropDataset:
    kind: Kind
    target: Name
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class RenameDataset:
    kind: Kind
    target: Name
    new: Name
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class CommentDataset:
    kind: str  # TABLE, VIEW or COLUMN
    target: Name
    column: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class ShowCreate:
    kind: Kind
    target: Name


@dataclass(frozen=True, slots=True)
class RefreshDataset:
    target: Name


Statement = CreateDataset | DropDataset | RenameDataset | CommentDataset | ShowCreate | RefreshDataset


def _part(identifier: exp.Expr | None, what: str) -> str | None:
    if identifier is None:
        return None
    text = identifier.name.lower()
    if not _NAME.match(text):
        raise LakegateError(
            ErrorCode.SQL_SYNTAX_ERROR,
            f"the {what} name {identifier.name!r} must be letters, digits and _ (it names a dataset)",
        )
    return text


def name_of(table: exp.Table, catalog: str | None, schema: str | None) -> Name:
    """The table's full name, completed from the session's catalog and schema."""
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, "a dataset is named catalog.schema.name")
    name = _part(table.this, "table")
    db = _part(table.args.get("db"), "schema") or (schema.lower() if schema else None)
    cat = _part(table.args.get("catalog"), "catalog") or (catalog.lower() if catalog else None)
    if cat is None:
        # no catalog: not a workspace's, and Lakegate is read-only everywhere else
        raise LakegateError(
            ErrorCode.STATEMENT_NOT_ALLOWED,
            f"{table.sql(dialect='trino')} names no catalog: datasets are written as "
            "workspace_catalog.schema.name (Lakegate is read-only outside its workspace catalogs)",
        )
    if db is None:
        raise LakegateError(
            ErrorCode.SCHEMA_NOT_FOUND,
            f"{table.sql(dialect='trino')} needs a catalog and schema: write catalog.schema.name "
            "or set the session's catalog and schema",
        )
    assert name is not None
    return Name(cat, db, name)


def parse_name(text: str, catalog: str | None, schema: str | None) -> Name:
    try:
        table = exp.to_table(text.strip(), dialect="trino")
    except (SqlglotError, ValueError):
        raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, f"{text!r} is not a table name") from None
    return name_of(table, catalog, schema)


def _kind(value: object) -> Kind | None:
    text = str(value or "").upper()
    return Kind(text) if text in ("VIEW", "TABLE") else None


def _not_supported(what: str) -> LakegateError:
    return LakegateError(ErrorCode.NOT_SUPPORTED, f"{what} is not supported")


def _create(tree: exp.Create, catalog: str | None, schema: str | None) -> CreateDataset | None:
    kind = _kind(tree.args.get("kind"))
    if kind is None:
        return None
    target = tree.this
    columns: list[str] = []
    column_comments: list[tuple[str, str]] = []
    if isinstance(target, exp.Schema):
        if kind is Kind.TABLE:
            raise _not_supported("CREATE TABLE with column definitions (write CREATE TABLE ... AS SELECT)")
        for item in target.expressions:
            column = _part(item.this if isinstance(item, exp.ColumnDef) else item, "column")
            assert column is not None
            columns.append(column)
            for constraint in item.args.get("constraints") or () if isinstance(item, exp.ColumnDef) else ():
                if isinstance(constraint.args.get("kind"), exp.CommentColumnConstraint):
                    column_comments.append((column, constraint.args["kind"].this.name))
        target = target.this
    query = tree.expression
    if not isinstance(query, exp.Query):
        if kind is Kind.TABLE:
            raise _not_supported("CREATE TABLE without AS SELECT (a workspace table is a query's result)")
        raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, "CREATE VIEW needs AS followed by a query")
    security = Security.DEFINER
    comment = None
    for prop in (tree.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.SchemaCommentProperty):
            comment = prop.this.name
        elif isinstance(prop, exp.SqlSecurityProperty) and kind is Kind.VIEW:
            security = Security(str(prop.this.name if isinstance(prop.this, exp.Expr) else prop.this).upper())
        elif isinstance(prop, exp.FileFormatProperty) and kind is Kind.TABLE:
            if prop.this.name.upper() != "PARQUET":
                raise _not_supported(f"format {prop.this.name!r} (workspace tables are Parquet)")
        elif isinstance(prop, exp.WithDataProperty) and not prop.args.get("no"):
            continue
        else:
            raise _not_supported(f"the property {prop.sql(dialect='trino')!r} of CREATE {kind.value}")
    return CreateDataset(
        kind,
        name_of(target, catalog, schema),
        query.sql(dialect="trino"),
        replace=bool(tree.args.get("replace")),
        if_not_exists=bool(tree.args.get("exists")),
        security=security,
        comment=comment,
        columns=tuple(columns),
        column_comments=tuple(column_comments),
    )


def read_statement(sql: str, catalog: str | None, schema: str | None) -> Statement | None:
    """The dataset statement ``sql`` is, or None when it is not one (the planner decides)."""
    if not _DDL_START.match(sql):
        return None
    show = _SHOW_CREATE.match(sql)
    if show:
        return ShowCreate(Kind(show.group(1).upper()), parse_name(show.group(2), catalog, schema))
    null_comment = _COMMENT_NULL.match(sql)
    if null_comment:
        return _comment(null_comment.group(1).upper(), null_comment.group(2), None, catalog, schema)
    try:
        trees = sqlglot.parse(sql, read="trino")
    except SqlglotError:
        return None  # the planner gives the syntax error
    if len(trees) != 1 or trees[0] is None:
        return None
    tree = trees[0]
    if isinstance(tree, exp.Create):
        if tree.args.get("kind") and str(tree.args["kind"]).upper() in ("SCHEMA", "MATERIALIZED VIEW"):
            return None
        return _create(tree, catalog, schema)
    if isinstance(tree, exp.Drop):
        kind = _kind(tree.args.get("kind"))
        tables = tree.args.get("tables") or []
        if kind is None or tree.args.get("materialized") or len(tables) != 1:
            return None
        return DropDataset(kind, name_of(tables[0], catalog, schema), bool(tree.args.get("exists")))
    if isinstance(tree, exp.Alter):
        kind = _kind(tree.args.get("kind"))
        actions = tree.args.get("actions") or []
        if kind is None or len(actions) != 1 or not isinstance(actions[0], exp.AlterRename):
            return None
        target = name_of(tree.this, catalog, schema)
        new_table = actions[0].this
        # RENAME TO name: in the same schema; RENAME TO s.name: in the same catalog (as Trino)
        new = name_of(
            new_table,
            target.catalog,
            target.schema if not new_table.args.get("db") else None,
        )
        return RenameDataset(kind, target, new, bool(tree.args.get("exists")))
    if isinstance(tree, exp.Comment):
        text = tree.expression
        value = text.name if isinstance(text, exp.Literal) and text.is_string else None
        if value is None:
            raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, "COMMENT ON ... IS takes a string or NULL")
        return _comment(
            str(tree.args.get("kind") or "").upper(), tree.this.sql(dialect="trino"), value, catalog, schema
        )
    if isinstance(tree, exp.Refresh) and str(tree.args.get("kind") or "").upper() == "MATERIALIZED VIEW":
        return RefreshDataset(parse_name(tree.this.sql(dialect="trino"), catalog, schema))
    return None


def _comment(
    kind: str, target: str, text: str | None, catalog: str | None, schema: str | None
) -> CommentDataset:
    if kind == "COLUMN":
        parts = [p for p in exp.to_column(target.strip(), dialect="trino").parts]
        if len(parts) < 2:
            raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, "COMMENT ON COLUMN names table.column")
        column = _part(parts[-1], "column")
        table = exp.Table(
            this=parts[-2],
            db=parts[-3] if len(parts) >= 3 else None,
            catalog=parts[-4] if len(parts) >= 4 else None,
        )
        return CommentDataset(kind, name_of(table, catalog, schema), column, text)
    if kind not in ("TABLE", "VIEW"):
        raise _not_supported(f"COMMENT ON {kind}")
    return CommentDataset(kind, parse_name(target, catalog, schema), None, text)
