"""Tie every column to its source and expand stars, so authorization sees every column read.

Runs only when policies are configured: it needs the columns of every table (from metadata)
and costs planning time that an open server does not need to spend.

What qualification cannot tie to named columns is refused, since no check could see what it
reads: a star left unexpanded (``*`` over an ambiguous alias list), star patterns
(``* LIKE 's%'``, ``* SIMILAR TO``, ``COLUMNS(...)``) and positional references (``#4``).
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.qualify_columns import qualify_columns as _qualify_columns
from sqlglot.optimizer.qualify_columns import validate_qualify_columns

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext


def qualify_columns(ctx: QueryContext) -> QueryContext:
    if ctx.done or ctx.authorizer is None:
        return ctx
    assert ctx.tree is not None
    try:
        # Unquoted names are case-insensitive and fold to lower case, as Trino and the engine
        # do, whatever the dialect (Snowflake's upper-case folding would miss every column).
        tree = normalize_identifiers(ctx.tree, dialect="trino")
        tree = _qualify_columns(tree, schema=ctx.snapshot.sqlglot_schema(), dialect=ctx.request.dialect)
        # Every column must resolve to a source: one that does not could not be authorized.
        ctx.tree = validate_qualify_columns(tree)
        _refuse_unnamed_columns(ctx.tree)
    except OptimizeError as exc:
        message = str(exc)
        code = ErrorCode.COLUMN_NOT_FOUND if "column" in message.lower() else ErrorCode.SQL_SYNTAX_ERROR
        raise LakegateError(code, message) from None
    return ctx


def _refuse_unnamed_columns(tree: exp.Expr) -> None:
    for node in tree.find_all(exp.Star, exp.PositionalColumn, exp.Columns):
        if isinstance(node, exp.Star) and isinstance(node.parent, exp.Count):
            continue  # count(*) reads no column
        what = {
            exp.PositionalColumn: "positional column references (#n)",
            exp.Columns: "COLUMNS(...)",
        }.get(type(node), "this use of *")
        raise LakegateError(
            ErrorCode.NOT_SUPPORTED,
            f"{what} cannot be checked against column policies: name the columns instead",
        )
