"""Decimal literals and casts keep Trino's precision and scale.

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

_TYPED_LITERAL = re.compile(r"\bDECIMAL\s*'([^']*)'", re.I)
_DECIMAL_TEXT = re.compile(r"^\s*[+-]?(\d*)(?:\.(\d*))?\s*$")


def literal_shape(text: str) -> tuple[int, int]:
    """Trino's (precision, scale) of the decimal literal ``text``."""
    match = _DECIMAL_TEXT.match(text)
    if not match or not (match.group(1) or match.group(2)):
        raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, f"'{text}' is not a valid decimal literal")
    whole, fraction = match.group(1), match.group(2) or ""
    precision = max(len(whole) + len(fraction), 1)
    if precision > MAX_PRECISION:
        raise LakegateError(
            ErrorCode.SQL_SYNTAX_ERROR,
            f"decimal literal '{text.strip()}' has {precision} digits; a decimal holds at most {MAX_PRECISION}",
        )
    return precision, len(fraction)


def trino_literals(ctx: QueryContext) -> QueryContext:
    if not applies(ctx):
        return ctx
    assert ctx.tree is not None
    if "decimal" not in ctx.request.sql.lower():
        return ctx
    literals = set(_TYPED_LITERAL.findall(ctx.request.sql))
    for cast in ctx.tree.find_all(exp.Cast):
        to = cast.to
        if to.this != T.DECIMAL or to.expressions:
            continue
        operand = cast.this
        if isinstance(operand, exp.Literal) and operand.is_string and operand.name in literals:
            to.replace(decimal_type(*literal_shape(operand.name)))
        else:
            to.replace(decimal_type(MAX_PRECISION, 0))
    return ctx
