"""Only read statements pass: SELECT, WITH, VALUES, SHOW, DESCRIBE and EXPLAIN."""

from __future__ import annotations

import re

from sqlglot import exp

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext

_QUERY_ROOTS = (exp.Select, exp.SetOperation, exp.Values, exp.Subquery)
_COMMANDS = {"SHOW", "EXPLAIN"}
# Nodes that change state or reach outside the query, wherever they hide (CTEs, subqueries).
_WRITES = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Copy,
    exp.Command,
    exp.Pragma,
    exp.Set,
    exp.Use,
    exp.Into,
    exp.LoadData,
    exp.TruncateTable,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Grant,
    exp.Analyze,
)


# Engine commands that sqlglot may read as a bare expression (``INSTALL httpfs`` as an alias).
_ENGINE_COMMANDS = {
    "INSTALL",
    "LOAD",
    "ATTACH",
    "DETACH",
    "COPY",
    "EXPORT",
    "IMPORT",
    "CHECKPOINT",
    "VACUUM",
    "CALL",
    "SET",
    "RESET",
    "PRAGMA",
    "USE",
    "CREATE",
    "DROP",
    "ALTER",
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "GRANT",
    "REVOKE",
    "TRUNCATE",
    "ANALYZE",
    "PREPARE",
    "EXECUTE",
    "DEALLOCATE",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "START",
    "KILL",
    "UPDATE_EXTENSIONS",
    "FORCE",
}


def _first_keyword(sql: str) -> str:
    text = re.sub(r"(--[^\n]*\n|/\*.*?\*/|\s)+", " ", sql, flags=re.S).strip()
    return text.split(" ", 1)[0].upper().rstrip(";") if text else ""


def _is_statement(tree: exp.Expr) -> bool:
    """A statement of some kind (allowed or not), rather than a bare expression such as ``0``."""
    if isinstance(tree, _WRITES):
        return True
    return type(tree).__module__.endswith(("ddl", "dml", "query")) or isinstance(
        tree, exp.Describe | exp.Show | exp.Kill
    )


def statement_kind(tree: exp.Expr) -> str:
    if isinstance(tree, exp.Command):
        return str(tree.this).upper()
    return type(tree).__name__.upper()


def read_only(ctx: QueryContext) -> QueryContext:
    tree = ctx.tree
    assert tree is not None
    if isinstance(tree, exp.Command) and str(tree.this).upper() in _COMMANDS:
        return ctx
    if isinstance(tree, exp.Describe):
        return ctx
    if not isinstance(tree, _QUERY_ROOTS) and not _is_statement(tree):
        keyword = _first_keyword(ctx.request.sql)
        if keyword in _ENGINE_COMMANDS:
            raise LakegateError(
                ErrorCode.STATEMENT_NOT_ALLOWED,
                f"{keyword} statements are not allowed: Lakegate runs read-only queries",
            )
        raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, "syntax error: expected a SQL statement")
    if not isinstance(tree, _QUERY_ROOTS):
        raise LakegateError(
            ErrorCode.STATEMENT_NOT_ALLOWED,
            f"{statement_kind(tree)} statements are not allowed: Lakegate runs read-only queries "
            "(SELECT, WITH, VALUES, SHOW, DESCRIBE, EXPLAIN)",
        )
    for node in tree.walk():
        if isinstance(node, _WRITES):
            raise LakegateError(
                ErrorCode.STATEMENT_NOT_ALLOWED,
                f"{statement_kind(node)} is not allowed inside a query: Lakegate runs read-only queries",
            )
    return ctx
