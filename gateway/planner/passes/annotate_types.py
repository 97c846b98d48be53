"""Annotate the tree with types from the catalog's schema, so rewrites go by meaning, not spelling.

Runs only when Trino's semantics are owed (a Trino-dialect query on an engine that is not Trino)
and the tree holds something whose translation depends on a type (arithmetic, aggregates and
functions the ``trino_*`` passes rewrite): other queries pay nothing. Columns are qualified first
when no policy pass did it already, so each resolves to its table's column type.

Typing only what the rewrites read is fast (sqlglot's whole-tree annotation cost more than the
rest of planning): each column gets its type from the catalog's schema as sqlglot's annotator
would give it (a derived table's column the Trino type of the expression it names), then every
operand a rewrite reads is typed in a dry run (``STRICT_TYPES``): a column-free operand is typed
by sqlglot on its own; an operand that only the whole-tree annotation could type (a function of
columns, a column of an ``UNNEST``...) sends the query down that path instead. Either way the
rewrites see the same types.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.annotate_types import annotate_types as _annotate_types
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.qualify_columns import qualify_columns as _qualify_columns
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.schema import MappingSchema

from gateway.planner.context import QueryContext
from gateway.planner.semantics.arithmetic import common_type, trino_type
from gateway.planner.semantics.types import STRICT_TYPES, TypeNotKnown, applies, type_of

#: rounding keeps a double's or real's type and an infinity; greatest passes over NaN (both
#: need their operand's type, and trigger typing)
_ROUNDING: tuple[type[exp.Expr], ...] = (
    exp.Round,
    exp.Ceil,
    exp.Floor,
    exp.Trunc,
    exp.Sign,
    exp.Greatest,
    exp.Least,
)

#: nodes whose translation depends on their operands' types
TYPE_SENSITIVE: tuple[type[exp.Expr], ...] = (
    exp.Div,
    exp.Mod,
    exp.Mul,
    exp.Sum,
    exp.Avg,
    exp.DateAdd,
    exp.DateSub,
    exp.AtTimeZone,
    exp.Format,
    exp.Unnest,
    exp.Interval,
    exp.Corr,
    exp.CovarSamp,
    exp.CovarPop,
    exp.RegrSlope,
    exp.RegrIntercept,
    # arrays and rows (trino_arrays): reverse and sequence read their argument's type; = and ||
    # on arrays and rows are rewritten where an operand is typed as one
    exp.Reverse,
    exp.GenerateSeries,
    exp.Array,
    exp.Struct,
    *_ROUNDING,
)


def annotate_types(ctx: QueryContext) -> QueryContext:
    if not applies(ctx):
        return ctx
    assert ctx.tree is not None
    if not _reads_types(ctx.tree):
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
    if ctx.full_type_annotation or not _type_columns(tree, schema):
        ctx.tree = _annotate_types(tree, schema=schema, dialect="trino")
        if ctx.tree.find(exp.Subquery, exp.CTE, exp.Values) is not None:
            _retype_derived_columns(ctx.tree)
    else:
        ctx.tree = tree
    return ctx


def _reads_types(tree: exp.Expr) -> bool:
    return tree.find(*TYPE_SENSITIVE) is not None or _casts_to_integer(tree) or _concatenates_constant(tree)


def _casts_to_integer(tree: exp.Expr) -> bool:
    """A cast to an integer type reads its operand's type (text is checked as Trino parses it)."""
    return any(c.to.is_type(*exp.DataType.INTEGER_TYPES) for c in tree.find_all(exp.Cast))


def _concatenates_constant(tree: exp.Expr) -> bool:
    """A concatenation with a column-free operand the engine may fold to NULL (not a literal)
    is kept ``varchar`` when its operands are text, which reads the columns' types
    (semantics/concat.py)."""
    for node in tree.find_all(exp.DPipe, exp.Concat):
        operands = [node.left, node.right] if isinstance(node, exp.DPipe) else list(node.expressions)
        if any(
            not isinstance(o, exp.Literal) and o.find(exp.Column, exp.Query, exp.Star) is None
            for o in operands
        ):
            return True
    return False


#: rewrites read the types of these nodes' operands (see the trino_* passes)
_READERS: tuple[type[exp.Expr], ...] = (
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Mod,
    exp.Sum,
    exp.Avg,
    exp.Cast,
    exp.DateAdd,
    exp.AtTimeZone,
    exp.Format,
    exp.Unnest,
    exp.Anonymous,
    exp.Corr,
    exp.CovarSamp,
    exp.CovarPop,
    exp.RegrSlope,
    exp.RegrIntercept,
    exp.Reverse,
    exp.GenerateSeries,
    exp.EQ,
    exp.NEQ,
    exp.DPipe,
    exp.Concat,
    exp.Typeof,
    *_ROUNDING,
)


def _type_columns(tree: exp.Expr, schema: MappingSchema) -> bool:
    """Type the columns as sqlglot's annotator would, and check (dry run) that every operand a
    rewrite reads is typed; False, with the tree unchanged in meaning, when the whole-tree
    annotation is needed."""
    if tree.find(exp.Pivot, exp.TableColumn, exp.Dot, exp.Lateral) is not None:
        return False
    derived = tree.find(exp.Subquery, exp.CTE, exp.Values) is not None
    token = STRICT_TYPES.set(_fill)
    known: dict[tuple[int, str], exp.DataType] = {}  # (source table, column name): its type
    try:
        for scope in traverse_scope(tree):
            for column in scope.columns:
                _type_column(column, scope, schema, derived, known)
        for node in tree.find_all(*_READERS):
            _dry_run(node)
    except TypeNotKnown:
        for node in tree.walk():
            node.type = None
        return False
    finally:
        STRICT_TYPES.reset(token)
    return True


def _fill(node: exp.Expr) -> None:
    """Type a node a rewrite reads: a column-free one as sqlglot types it on its own."""
    if isinstance(node, exp.Column) or node.find(exp.Column, exp.Query, exp.Star) is not None:
        raise TypeNotKnown
    node.type = _annotate_types(node.copy(), dialect="trino").type


def _dry_run(node: exp.Expr) -> None:
    if isinstance(node, exp.Sum | exp.Avg):
        argument = node.this
        if isinstance(argument, exp.Distinct) and argument.expressions:
            argument = argument.expressions[0]
        trino_type(argument)
    elif isinstance(node, exp.Cast):
        if node.to.is_type(*exp.DataType.TEXT_TYPES, *exp.DataType.INTEGER_TYPES):
            trino_type(node.this)
    elif isinstance(node, exp.Round | exp.Ceil | exp.Floor | exp.Trunc | exp.Sign):
        trino_type(node.this)
    elif isinstance(node, exp.Greatest | exp.Least):
        trino_type(node)
    elif isinstance(node, exp.Anonymous):
        if node.name.lower() in ("with_timezone", "format_datetime", "at_timezone"):
            for argument in node.expressions:
                trino_type(argument)
                type_of(argument)
    elif isinstance(node, exp.Format | exp.Unnest):
        for argument in (node.this, *node.expressions):
            if isinstance(argument, exp.Expr):
                trino_type(argument)
    elif isinstance(node, exp.Corr | exp.CovarSamp | exp.CovarPop | exp.RegrSlope | exp.RegrIntercept):
        trino_type(node.this)
        trino_type(node.expression)
    elif isinstance(node, exp.Reverse):
        trino_type(node.this)
    elif isinstance(node, exp.Typeof):
        trino_type(node.this)
        type_of(node.this)
    elif isinstance(node, exp.GenerateSeries):
        for argument in (node.args.get("start"), node.args.get("end")):
            if isinstance(argument, exp.Expr):
                trino_type(argument)
    elif isinstance(node, exp.EQ | exp.NEQ | exp.DPipe | exp.Concat):
        # read where an operand is an array or row literal (columns are typed already; typing
        # every compared function of columns would send most queries down the slow path)
        operands = [node.left, node.right] if isinstance(node, exp.Binary) else list(node.expressions)
        if any(isinstance(o, exp.Array | exp.Struct) for o in operands):
            for operand in operands:
                trino_type(operand)
    elif isinstance(node, exp.AtTimeZone | exp.DateAdd):
        trino_type(node.this)
    elif isinstance(node, exp.Binary):  # +, -, *, /, %
        trino_type(node.left)
        trino_type(node.right)
        trino_type(node)


def _type_column(
    column: exp.Column,
    scope: Scope,
    schema: MappingSchema,
    derived: bool,
    known: dict[tuple[int, str], exp.DataType],
) -> None:
    """What sqlglot's annotator (then :func:`_retype_derived_columns`) gives ``column``; left
    untyped where only they could tell."""
    if not column.table:
        return
    source = scope.sources.get(column.table)
    own = source is not None
    parent = scope.parent
    while source is None and parent is not None:
        source = parent.sources.get(column.table)
        parent = parent.parent
    if isinstance(source, exp.Table):
        if source.alias_column_names:
            return
        key = (id(source), column.name)
        kind = known.get(key)
        if kind is None:
            kind = known[key] = schema.get_column_type(source, column)
        column.type = kind
        return
    if not (own and derived and isinstance(source, Scope)):
        return
    select = source.expression
    if isinstance(select, exp.Values):
        _retype_values_column(column, select)
        return
    while isinstance(select, exp.SetOperation):
        select = select.left
    if not isinstance(select, exp.Select):
        return
    for projection in select.selects:
        if projection.alias_or_name == column.name:
            inner = projection.this if isinstance(projection, exp.Alias) else projection
            try:
                kind = trino_type(inner)
            except TypeNotKnown:
                return
            if kind is not None:
                column.type = kind
            return


def clear_types(ctx: QueryContext) -> QueryContext:
    """Drop the annotations once the trino_* passes have used them: sqlglot's generators shape
    SQL by annotated types (a typed ``approx_quantile`` gains a cast to double), and the SQL sent
    must not depend on sqlglot's idea of a type."""
    if not applies(ctx):
        return ctx
    assert ctx.tree is not None
    if not _reads_types(ctx.tree):
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
