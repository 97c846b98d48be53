"""Only read statements pass: SELECT, WITH, VALUES, SHOW, DESCRIBE and EXPLAIN."""

from __future__ import annotations

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
