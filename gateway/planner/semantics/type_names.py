"""Trino's names of types (``typeof``): ``integer``, ``decimal(2,1)``, ``varchar(1)``,
``array(integer)``. A type whose Trino name Lakegate cannot tell for sure is None."""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.semantics.result_types import precision_of
from gateway.planner.semantics.types import T, decimal_shape

_SIMPLE = {
    T.TINYINT: "tinyint",
    T.SMALLINT: "smallint",
    T.INT: "integer",
    T.BIGINT: "bigint",
    T.DOUBLE: "double",
    T.FLOAT: "real",
    T.BOOLEAN: "boolean",
    T.DATE: "date",
    T.JSON: "json",
    T.UUID: "uuid",
    T.VARBINARY: "varbinary",
}


def type_name(kind: exp.DataType | None, node: exp.Expr | None = None) -> str | None:
    if kind is None:
        return None
    if kind.this in _SIMPLE:
        return _SIMPLE[kind.this]
    if kind.this == T.DECIMAL:
        shape = decimal_shape(kind)
        return f"decimal({shape[0]},{shape[1]})" if shape else None
    if kind.this == T.VARCHAR and isinstance(node, exp.Literal) and node.is_string:
        return f"varchar({len(node.name)})"
    if kind.this in (T.TIMESTAMP, T.TIME):
        precision = precision_of(kind)
        base = "timestamp" if kind.this == T.TIMESTAMP else "time"
        return f"{base}({precision})" if precision is not None else None
    if kind.this == T.TIMESTAMPTZ:
        precision = precision_of(kind)
        return f"timestamp({precision}) with time zone" if precision is not None else None
    if kind.this == T.ARRAY and kind.expressions:
        items = node.expressions if isinstance(node, exp.Array) else []
        element = items[0] if items and all(type(i) is type(items[0]) for i in items) else None
        inner = type_name(
            kind.expressions[0],
            element if isinstance(element, exp.Literal) and not element.is_string else None,
        )
        return f"array({inner})" if inner else None
    return None
