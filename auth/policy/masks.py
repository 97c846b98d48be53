"""Ranger mask types as sqlglot expressions, for a column of a given type, in a target dialect.

Each mask means what Ranger's Trino service definition says (``dataMaskDef.maskTypes[].transformer``):

========================  ==================================================================================
``MASK``                  upper-case letters -> ``X``, lower-case -> ``x``, digits -> ``0``
``MASK_SHOW_LAST_4``      every character but the last four -> ``X`` (values of four or fewer unchanged)
``MASK_SHOW_FIRST_4``     every character but the first four -> ``X`` (values of four or fewer unchanged)
``MASK_HASH``             hex SHA-256 of the UTF-8 value (upper-case, as Trino's ``to_hex``)
``MASK_NULL``             ``NULL``
``MASK_NONE``             no mask: the column itself
``MASK_DATE_SHOW_YEAR``   ``date_trunc('year', col)``
``CUSTOM``                the policy's ``valueExpr`` with ``{col}`` (and ``{type}``) substituted
========================  ==================================================================================

For Trino the expressions are Ranger's transformers themselves (lambda ``regexp_replace``). DuckDB has no such
lambdas, so it gets equivalent expressions (``regexp_replace(..., 'g')``, ``repeat``/``right``/``left``,
``sha256``). String masks work on the value cast to ``VARCHAR``; the result is cast back to the column's
type: ``CAST`` for textual types, ``TRY_CAST`` for others (a masked number such as ``000`` becomes ``0``, a
hash becomes ``NULL``). ``MASK_DATE_SHOW_YEAR`` on a textual column reads the value as a date.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import sqlglot
from sqlglot import exp

MASK_TYPES = (
    "MASK",
    "MASK_SHOW_LAST_4",
    "MASK_SHOW_FIRST_4",
    "MASK_HASH",
    "MASK_NULL",
    "MASK_NONE",
    "MASK_DATE_SHOW_YEAR",
    "CUSTOM",
)

_PLACEHOLDER = "__lakegate_masked_col__"
_COL = "{col}"

# Ranger's Trino transformers (ranger-servicedef-trino.json), with {type} filled in by the caller.
_TRINO = {
    "MASK": "regexp_replace(regexp_replace(regexp_replace({col},'([A-Z])', 'X'),'([a-z])','x'),"
    "'([0-9])','0')",
    "MASK_SHOW_LAST_4": "regexp_replace({col}, '(.*)(.{4}$)', x -> regexp_replace(x[1], '.', 'X') || x[2])",
    "MASK_SHOW_FIRST_4": "regexp_replace({col}, '(^.{4})(.*)', x -> x[1] || regexp_replace(x[2], '.', 'X'))",
    "MASK_HASH": "to_hex(sha256(to_utf8({col})))",
}

_DUCKDB = {
    "MASK": "regexp_replace(regexp_replace(regexp_replace({col}, '[A-Z]', 'X', 'g'), '[a-z]', 'x', 'g'),"
    " '[0-9]', '0', 'g')",
    "MASK_SHOW_LAST_4": "repeat('X', greatest(length({col}) - 4, 0)) || right({col}, 4)",
    "MASK_SHOW_FIRST_4": "left({col}, 4) || repeat('X', greatest(length({col}) - 4, 0))",
    "MASK_HASH": "upper(sha256({col}))",
}

_STRING_TEMPLATES = {"trino": _TRINO, "duckdb": _DUCKDB}


class UnsupportedMask(ValueError):
    """A mask type, dialect or custom expression this module cannot turn into SQL."""


def _data_type(column_type: str | exp.DataType | None, dialect: str) -> exp.DataType:
    if column_type is None:
        return exp.DataType.build("VARCHAR")
    if isinstance(column_type, exp.DataType):
        return column_type
    return exp.DataType.build(column_type, dialect=dialect)


def _is_text(dtype: exp.DataType) -> bool:
    return dtype.is_type(*exp.DataType.TEXT_TYPES)


@lru_cache(maxsize=256)
def _parse_template(template: str, dialect: str) -> exp.Expr:
    return sqlglot.parse_one(template.replace(_COL, _PLACEHOLDER), read=dialect)


def _fill(template: str, dialect: str, value: exp.Expr) -> exp.Expr:
    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.name == _PLACEHOLDER and not node.table:
            return value.copy()
        return node

    return _parse_template(template, dialect).copy().transform(swap)


def _cast_back(value: exp.Expr, dtype: exp.DataType) -> exp.Expr:
    if _is_text(dtype):
        return exp.Cast(this=value, to=dtype.copy())
    return exp.TryCast(this=value, to=dtype.copy())


def _as_varchar(column: exp.Expr, dtype: exp.DataType) -> exp.Expr:
    if _is_text(dtype):
        return column.copy()
    return exp.Cast(this=column.copy(), to=exp.DataType.build("VARCHAR"))


def _string_mask(name: str) -> Callable[[exp.Expr, exp.DataType, str], exp.Expr]:
    def build(column: exp.Expr, dtype: exp.DataType, dialect: str) -> exp.Expr:
        templates = _STRING_TEMPLATES.get(dialect)
        if templates is None:
            raise UnsupportedMask(f"no {name} expression for dialect {dialect!r}")
        return _cast_back(_fill(templates[name], dialect, _as_varchar(column, dtype)), dtype)

    return build


mask_redact = _string_mask("MASK")
mask_show_last_4 = _string_mask("MASK_SHOW_LAST_4")
mask_show_first_4 = _string_mask("MASK_SHOW_FIRST_4")
mask_hash = _string_mask("MASK_HASH")


def mask_null(column: exp.Expr, dtype: exp.DataType, dialect: str) -> exp.Expr:
    return exp.Cast(this=exp.Null(), to=dtype.copy())


def mask_none(column: exp.Expr, dtype: exp.DataType, dialect: str) -> exp.Expr:
    return column.copy()


def mask_date_show_year(column: exp.Expr, dtype: exp.DataType, dialect: str) -> exp.Expr:
    if not _is_text(dtype):
        return exp.Cast(this=_fill("date_trunc('year', {col})", dialect, column), to=dtype.copy())
    as_date = exp.Cast(this=column.copy(), to=exp.DataType.build("DATE"))
    truncated = exp.Cast(
        this=_fill("date_trunc('year', {col})", dialect, as_date), to=exp.DataType.build("DATE")
    )
    return exp.Cast(this=truncated, to=dtype.copy())


def mask_custom(column: exp.Expr, dtype: exp.DataType, dialect: str, value_expr: str | None) -> exp.Expr:
    """``valueExpr`` with ``{col}`` and ``{type}`` substituted; ``NULL`` when the policy gives none."""
    if not value_expr or not value_expr.strip():
        return mask_null(column, dtype, dialect)
    template = value_expr.replace("{type}", dtype.sql(dialect=dialect))
    try:
        return _fill(template, dialect, column)
    except sqlglot.errors.ParseError as err:
        raise UnsupportedMask(f"cannot parse custom mask expression {value_expr!r}: {err}") from err


_BUILDERS: dict[str, Callable[[exp.Expr, exp.DataType, str], exp.Expr]] = {
    "MASK": mask_redact,
    "MASK_SHOW_LAST_4": mask_show_last_4,
    "MASK_SHOW_FIRST_4": mask_show_first_4,
    "MASK_HASH": mask_hash,
    "MASK_NULL": mask_null,
    "MASK_NONE": mask_none,
    "MASK_DATE_SHOW_YEAR": mask_date_show_year,
}


def mask_expression(
    mask_type: str,
    column: exp.Expr,
    column_type: str | exp.DataType | None,
    dialect: str,
    *,
    value_expr: str | None = None,
) -> exp.Expr:
    """The masked value of ``column`` (an expression such as ``exp.column("ssn", table="t")``).

    ``column_type`` is the column's SQL type in ``dialect`` (``None`` means ``VARCHAR``). Raises
    :class:`UnsupportedMask` for an unknown mask type or dialect, so callers can fail closed.
    """
    dtype = _data_type(column_type, dialect)
    name = mask_type.upper()
    if name == "CUSTOM":
        return mask_custom(column, dtype, dialect, value_expr)
    builder = _BUILDERS.get(name)
    if builder is None:
        raise UnsupportedMask(f"unknown mask type {mask_type!r}")
    return builder(column, dtype, dialect)
