"""Tie every column to its source and expand stars, so authorization sees every column read.

Runs when policies are configured, when a star reads a join USING (the expansion gives Trino's
order: ``trino_join_stars`` marks it), and when a table read has source columns left out of its
metadata (types no engine type holds faithfully, e.g. PostgreSQL's unconstrained numeric): only
expanded stars and checked names keep those columns from the engine. An open server reading
other tables does not spend the planning time.

What qualification cannot tie to named columns is refused, since no check could see what it
reads: a star left unexpanded (``*`` over an ambiguous alias list), star patterns
(``* LIKE 's%'``, ``* SIMILAR TO``, ``COLUMNS(...)``) and positional references (``#4``).
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.qualify_columns import qualify_columns as _qualify_columns
from sqlglot.optimizer.qualify_columns import validate_qualify_columns

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext


def qualify_columns(ctx: QueryContext) -> QueryContext:
    if ctx.done:
        return ctx
    left_out = {
        (t.catalog, t.schema, t.table, column): why
        for t in ctx.tables
        for column, why in t.info.unsupported_columns
    }
    if ctx.authorizer is None and not left_out and not ctx.stars_over_using:
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
        _refuse_left_out_columns(message, left_out)
        code = ErrorCode.COLUMN_NOT_FOUND if "column" in message.lower() else ErrorCode.SQL_SYNTAX_ERROR
        raise LakegateError(code, message) from None
    return ctx


def _refuse_left_out_columns(message: str, left_out: dict[tuple[str, str, str, str], str]) -> None:
    """A column that could not be resolved because the metadata leaves it out: say why."""
    for (catalog, schema, table, column), why in left_out.items():
        if re.search(rf"\b{re.escape(column)}\b", message, re.IGNORECASE):
            raise LakegateError(
                ErrorCode.NOT_SUPPORTED, f"column {catalog}.{schema}.{table}.{column} is not supported: {why}"
            )


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
