"""Types as Trino sees them, read from sqlglot's annotations, and the SQL that keeps them."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from sqlglot import exp
from sqlglot.expressions.datatypes import DType

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext

T = DType

#: Trino's exact integer types, with the decimal precision each is coerced to in decimal arithmetic
INTEGER_PRECISION: dict[DType, int] = {
    T.TINYINT: 3,
    T.SMALLINT: 5,
    T.INT: 10,
    T.BIGINT: 19,
}
FLOATING = frozenset({T.DOUBLE, T.FLOAT})
MAX_PRECISION = 38


def applies(ctx: QueryContext) -> bool:
    """Trino's semantics are owed when the client speaks Trino and the engine is not Trino."""
    return (
        not ctx.done
        and ctx.request.dialect == "trino"
        and ctx.connector is not None
        and ctx.connector.dialect != "trino"
    )


class TypeNotKnown(Exception):
    """Raised, while checking a tree typed only in part, on a node left without a type."""


#: set while checking that the part typed (passes/annotate_types.py) is all the rewrites read
STRICT_TYPES: ContextVar[Callable[[exp.Expr], None] | None] = ContextVar("strict_types", default=None)


def type_of(node: exp.Expr) -> exp.DataType | None:
    """The annotated type, or None when sqlglot could not tell."""
    kind = node.type if isinstance(node, exp.Expr) else None
    if kind is None:
        fill = STRICT_TYPES.get()
        if fill is None or isinstance(node, exp.Null):
            return None
        fill(node)  # types the node as sqlglot would, or raises TypeNotKnown
        kind = node.type
    if kind is None or kind.this in (T.UNKNOWN, T.NULL):
        return None
    return kind


def is_integer(kind: exp.DataType | None) -> bool:
    return kind is not None and kind.this in INTEGER_PRECISION


def is_decimal(kind: exp.DataType | None) -> bool:
    return kind is not None and kind.this == T.DECIMAL


def is_floating(kind: exp.DataType | None) -> bool:
    return kind is not None and kind.this in FLOATING


def decimal_shape(kind: exp.DataType) -> tuple[int, int] | None:
    """(precision, scale) of a decimal, or of an integer type as Trino coerces it to a decimal."""
    if kind.this in INTEGER_PRECISION:
        return INTEGER_PRECISION[kind.this], 0
    if kind.this != T.DECIMAL:
        return None
    params = [e for e in kind.expressions if isinstance(e, exp.DataTypeParam)]
    if not params:
        return None  # sqlglot's bare DECIMAL: unknown shape
    precision = int(params[0].name)
    scale = int(params[1].name) if len(params) > 1 else 0
    return precision, scale


def decimal_type(precision: int, scale: int) -> exp.DataType:
    return exp.DataType(
        this=T.DECIMAL,
        expressions=[
            exp.DataTypeParam(this=exp.Literal.number(precision)),
            exp.DataTypeParam(this=exp.Literal.number(scale)),
        ],
        nested=False,
    )


def simple_type(kind: DType) -> exp.DataType:
    return exp.DataType(this=kind, nested=False)


def cast_to(node: exp.Expr, kind: exp.DataType | DType) -> exp.Cast:
    """A CAST, always (sqlglot's ``exp.cast`` folds a cast of a cast into one)."""
    return exp.Cast(this=node, to=kind if isinstance(kind, exp.DataType) else simple_type(kind))


def wrap_in_place(node: exp.Expr, build: Callable[[exp.Expr], exp.Expr]) -> exp.Expr:
    """Replace ``node`` by ``build(node)`` without copying it (``build`` may nest it)."""
    hole = exp.Null()
    node.replace(hole)
    wrapped = build(node)
    hole.replace(wrapped)
    return wrapped


def refuse(what: str) -> LakegateError:
    return LakegateError(
        ErrorCode.NOT_SUPPORTED,
        f"{what} has no faithful translation for the embedded engine, so it was not run "
        "(Lakegate never answers differently from Trino)",
    )


def raise_error(message: str) -> exp.Expr:
    """The engine's ``error(message)``: fails the query with that message when evaluated."""
    return exp.Anonymous(this="error", expressions=[exp.Literal.string(message)])


#: a runtime refusal: the engine's error() with this prefix is reported as NOT_SUPPORTED
NOT_SUPPORTED_PREFIX = "NOT_SUPPORTED: "


def refuse_at_run_time(what: str) -> exp.Expr:
    """Fails the query with NOT_SUPPORTED naming ``what`` when evaluated (a value Lakegate can
    tell only by computing it, e.g. a repeated map key)."""
    return raise_error(f"{NOT_SUPPORTED_PREFIX}{what} has no faithful translation for the embedded engine")


def division_by_zero() -> exp.Expr:
    return raise_error("Division by zero")


def typed(node: exp.Expr, kind: exp.DataType | DType | str) -> exp.Expr:
    """``node`` with its annotation set (rewrites keep the tree annotated for later ones)."""
    node.type = kind
    return node


NONDETERMINISTIC = (exp.Rand, exp.Uuid, exp.Shuffle)


def deterministic(node: exp.Expr) -> bool:
    return node.find(*NONDETERMINISTIC) is None and not any(
        isinstance(n, exp.Anonymous) and n.name.lower() in ("random", "rand", "uuid", "shuffle")
        for n in node.find_all(exp.Anonymous)
    )
