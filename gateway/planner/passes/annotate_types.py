"""Annotate the tree with types from the catalog's schema, so rewrites go by meaning, not spelling.

Runs only when Trino's semantics are owed (a Trino-dialect query on an engine that is not Trino)
and the tree holds something whose translation depends on a type (arithmetic, aggregates and
functions the ``trino_*`` passes rewrite): other queries pay nothing. Columns are qualified first
when no policy pass did it already, so each resolves to its table's column type.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.annotate_types import annotate_types as _annotate_types
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.qualify_columns import qualify_columns as _qualify_columns
from sqlglot.optimizer.scope import Scope, traverse_scope

from gateway.planner.context import QueryContext
from gateway.planner.semantics.arithmetic import common_type, trino_type
from gateway.planner.semantics.types import applies

#: nodes whose translation depends on their operands' types
TYPE_SENSITIVE: tuple[type[exp.Expr], ...] = (
    exp.Div,
    exp.Mod,
    exp.Sum,
    exp.Avg,
    exp.DateAdd,
    exp.DateSub,
    exp.AtTimeZone,
    exp.Format,
    exp.Unnest,
    exp.Interval,
)


def annotate_types(ctx: QueryContext) -> QueryContext:
    if not applies(ctx):
        return ctx
    assert ctx.tree is not None
    if ctx.tree.find(*TYPE_SENSITIVE) is None:
        return ctx
    schema = ctx.snapshot.sqlglot_schema()
    tree = ctx.tree
    if ctx.authorizer is None:  # qualify_columns ran only with policies
        try:
            tree = _qualify_columns(
                normalize_identifiers(tree, dialect="trino"), schema=schema, dialect="trino"
            )
        except OptimizeError:
            tree = ctx.tree  # the engine will name the problem; operand types stay unknown
    ctx.tree = _annotate_types(tree, schema=schema, dialect="trino")
    if ctx.tree.find(exp.Subquery, exp.CTE, exp.Values) is not None:
        _retype_derived_columns(ctx.tree)
    return ctx


def clear_types(ctx: QueryContext) -> QueryContext:
    """Drop the annotations once the trino_* passes have used them: sqlglot's generators shape
    SQL by annotated types (a typed ``approx_quantile`` gains a cast to double), and the SQL sent
    must not depend on sqlglot's idea of a type."""
    if not applies(ctx):
        return ctx
    assert ctx.tree is not None
    if ctx.tree.find(*TYPE_SENSITIVE) is None:
        return ctx
    for node in ctx.tree.walk():
        node.type = None
    return ctx


def _retype_derived_columns(tree: exp.Expr) -> None:
    """Give a column read from a subquery or CTE the Trino type of the expression it names.

    sqlglot typed it with its own rules (``sum`` of a decimal, decimal literals); the rewrites
    rely on Trino's precision and scale. Scopes come innermost first, so each is retyped before
    the ones reading it.
    """
    for scope in traverse_scope(tree):
        for column in scope.columns:
            source = scope.sources.get(column.table)
            if not isinstance(source, Scope):
                continue
            select = source.expression
            if isinstance(select, exp.Values):
                _retype_values_column(column, select)
                continue
            while isinstance(select, exp.SetOperation):
                select = select.left
            if not isinstance(select, exp.Select):
                continue
            for projection in select.selects:
                if projection.alias_or_name == column.name:
                    inner = projection.this if isinstance(projection, exp.Alias) else projection
                    kind = trino_type(inner)
                    if kind is not None:
                        column.type = kind
                        projection.type = kind
                    break


def _retype_values_column(column: exp.Column, values: exp.Values) -> None:
    """A column of ``(VALUES ...) AS t(a, b)``: Trino's common type of its rows."""
    alias = values.args.get("alias")
    names = [c.name for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
    if column.name not in names:
        return
    index = names.index(column.name)
    cells: list[exp.Expr] = []
    for row in values.expressions:
        items = row.expressions if isinstance(row, exp.Tuple) else [row]
        if index >= len(items):
            return
        cells.append(items[index])
    kind = common_type(cells)
    if kind is not None:
        column.type = kind
    else:
        column.type = exp.DataType.build("UNKNOWN")  # never sqlglot's guess from the first row
