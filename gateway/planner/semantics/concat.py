"""``concat(...)`` and ``||`` with a NULL literal, as Trino resolves them.

A bare ``NULL`` has Trino's type ``unknown``, which fits the array forms too, so:

* ``concat(x, NULL)``, ``NULL || x`` of a ``varchar`` x: the array form wins, an
  ``array(varchar)`` NULL (the engine: a text NULL);
* with a ``varbinary`` or an array, or with NULLs alone, no form wins: Trino fails with
  AMBIGUOUS_FUNCTION_CALL, and so does Lakegate (with Trino's words);
* three or more arguments of which one is NULL: a ``varchar`` NULL.

Any other concatenation of text is cast to ``varchar``: the engine folds a concatenation with an
operand it can fold to NULL (``CAST(NULL AS varchar)``, ``nullif('a', 'a')``, also beside a
column) into a NULL typed ``integer``. The other operands are still evaluated, so their errors
stay.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.semantics.to_text import source_type
from gateway.planner.semantics.types import T, cast_to, refuse, typed
from gateway.planner.semantics.varbinary import is_varbinary

_TEXT = frozenset(exp.DataType.TEXT_TYPES)
#: functions that give text of any argument in Trino (they take only ``varchar``)
_TEXT_FUNCTIONS = (exp.Upper, exp.Lower, exp.Trim, exp.Initcap)
#: functions that give text of a text first argument (of ``varbinary``: ``varbinary``)
_TEXT_OF_TEXT = (exp.Substring, exp.Pad, exp.Reverse)


def is_text(node: exp.Expr) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Literal):
        return node.is_string
    if isinstance(node, exp.Cast):
        return node.to.this in _TEXT
    if isinstance(node, _TEXT_FUNCTIONS):
        return True
    if isinstance(node, _TEXT_OF_TEXT):
        return is_text(node.this)
    kind = node.type
    if kind is None or kind.this in (T.UNKNOWN, T.NULL):
        kind = source_type(node)
    return kind is not None and kind.this in _TEXT


def _is_array(node: exp.Expr) -> bool:
    kind = node.type
    return isinstance(node, exp.Array) or (kind is not None and kind.this == T.ARRAY)


def _ambiguous(parts: list[exp.Expr]) -> LakegateError:
    shown = ", ".join(p.sql("trino") for p in parts)
    return LakegateError(
        ErrorCode.ENGINE_USER_ERROR,
        f"concat({shown}): Could not choose a best candidate operator. Explicit type casts must be "
        "added (Trino's AMBIGUOUS_FUNCTION_CALL)",
    )


def _evaluated(others: list[exp.Expr], value: exp.Expr) -> exp.Expr:
    """``value``, after evaluating ``others`` (a failure among them fails the query)."""
    if all(isinstance(o, exp.Literal) for o in others):
        return value
    checks = [exp.Is(this=exp.paren(o.copy()), expression=exp.Null()) for o in others]
    return exp.Case(ifs=[exp.If(this=exp.or_(*checks), true=value)], default=value.copy())


def with_null(node: exp.Expr, parts: list[exp.Expr]) -> exp.Expr:
    """The concatenation ``node`` of ``parts``, at least one a NULL literal: Trino's answer."""
    others = [p for p in parts if not isinstance(p, exp.Null)]
    if not others or any(is_varbinary(o) or _is_array(o) for o in others):
        raise _ambiguous(parts)
    if not all(is_text(o) for o in others):
        raise refuse(f"concat() of NULL and {', '.join(o.sql('trino') for o in others)} (its type decides)")
    if len(parts) == 2:
        array_null = cast_to(exp.Null(), exp.DataType.build("ARRAY<VARCHAR>"))
        return typed(_evaluated(others, array_null), exp.DataType.build("ARRAY<VARCHAR>"))
    return typed(_evaluated(others, cast_to(exp.Null(), T.VARCHAR)), T.VARCHAR)


def as_text(node: exp.Expr) -> exp.Expr:
    """A text concatenation: kept as ``varchar`` (see the module's documentation)."""
    return typed(cast_to(node.copy(), T.VARCHAR), T.VARCHAR)
