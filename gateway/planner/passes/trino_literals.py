"""Decimal literals and casts keep Trino's precision and scale; zoned timestamp literals read.

``DECIMAL '1.2345'`` is ``decimal(5,4)`` in Trino: as many digits as written (leading and
trailing zeros included), up to 38. sqlglot reads it as a cast to a bare ``DECIMAL``, which the
engine would make ``DECIMAL(18,3)`` (rounding, or refusing more than 18 digits). A cast to a bare
``DECIMAL`` that is not such a literal is ``decimal(38,0)``, as in Trino.
"""

from __future__ import annotations

import re

from sqlglot import exp

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext
from gateway.planner.semantics.types import MAX_PRECISION, T, applies, decimal_type

_DECIMAL_TEXT = re.compile(r"^\s*[+-]?(\d*)(?:\.(\d*))?\s*$")


def literal_shape(text: str) -> tuple[int, int]:
    """Trino's (precision, scale) of the decimal literal ``text``."""
    match = _DECIMAL_TEXT.match(text)
    if not match or not (match.group(1) or match.group(2)):
        raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, f"'{text}' is not a valid decimal literal")
    whole, fraction = match.group(1), match.group(2) or ""
    if fraction and not whole.strip("0"):
        whole = ""  # DECIMAL '0.05' is decimal(2,2): a zero integral part has no digits
    precision = max(len(whole) + len(fraction), 1)
    if precision > MAX_PRECISION:
        raise LakegateError(
            ErrorCode.SQL_SYNTAX_ERROR,
            f"decimal literal '{text.strip()}' has {precision} digits; "
            f"a decimal holds at most {MAX_PRECISION}",
        )
    return precision, len(fraction)


def is_typed_literal(cast: exp.Cast) -> bool:
    """``DECIMAL '1.5'`` (sqlglot builds its cast without the arguments a written CAST has)."""
    return isinstance(cast.this, exp.Literal) and cast.this.is_string and "format" not in cast.args


def pin_decimal_literals(tree: exp.Expr) -> exp.Expr:
    """Write each ``DECIMAL '...'`` literal as a cast to its own ``decimal(p, s)``, which means
    the same in Trino and survives SQL generation (which would print it as a bare-DECIMAL cast)."""
    for cast in tree.find_all(exp.Cast):
        to = cast.to
        if to.this == T.DECIMAL and not to.expressions and is_typed_literal(cast):
            to.replace(decimal_type(*literal_shape(cast.this.name)))
    return tree


_SPACED_OFFSET = re.compile(r"^(.*\d)\s+([+-]\d{1,2}:\d{2})$")
_NO_SECONDS = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2})(?=\s|$|[+-])")


def _zoned_timestamp(cast: exp.Cast) -> None:
    """``TIMESTAMP '2024-01-31 12:00:00 +01:00'`` (Trino's spelling, and the Python client's):
    the engine reads the offset only when it follows the time directly."""
    literal = cast.this
    if isinstance(literal, exp.Literal) and literal.is_string:
        text = _NO_SECONDS.sub(r"\1:00", literal.name.strip())  # Trino reads HH:MM
        match = _SPACED_OFFSET.match(text)
        if match:
            text = match.group(1) + match.group(2)
        if text != literal.name:
            literal.replace(exp.Literal.string(text))


def trino_literals(ctx: QueryContext) -> QueryContext:
    if not applies(ctx):
        if not ctx.done and ctx.request.dialect == "trino" and ctx.tree is not None:
            # On a Trino cluster too: sqlglot would print ``DECIMAL '123.45'`` as a cast to a
            # bare DECIMAL, which Trino reads as decimal(38,0) (123): the literal is pinned.
            pin_decimal_literals(ctx.tree)
        return ctx
    assert ctx.tree is not None
    for cast in ctx.tree.find_all(exp.Cast):
        if cast.to.this in (T.TIMESTAMPTZ, T.TIMESTAMP):
            _zoned_timestamp(cast)
    pin_decimal_literals(ctx.tree)
    for neg in list(ctx.tree.find_all(exp.Neg)) if str(2**31) in ctx.request.sql else ():
        # -2147483648 is an integer in Trino (the engine: a bigint, negating 2147483648)
        literal = neg.this
        if isinstance(literal, exp.Literal) and not literal.is_string and literal.name == str(2**31):
            neg.replace(exp.Cast(this=exp.Literal.number(-(2**31)), to=exp.DataType.build("INT")))
    for cast in ctx.tree.find_all(exp.Cast):
        to = cast.to
        if to.this == T.DECIMAL and not to.expressions:
            to.replace(decimal_type(MAX_PRECISION, 0))
    return ctx
