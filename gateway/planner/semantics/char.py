"""Trino's ``char(n)``: a value padded with spaces to ``n`` (``CAST('ab' AS char(3))`` is
``'ab '``; a longer value is cut to ``n``). The engine has no such type: a cast becomes the padded
text, and the result column is reported as ``char(n)`` (``result_types.py``).

Trino compares, orders, groups and measures ``char`` values by their own rules (``'ab'`` equals
``'ab '`` as ``char``); those are not translated: a query that does anything with a ``char``
value but select it, test it for NULL or cast it to ``varchar`` is refused by name.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.semantics.types import T, cast_to, refuse

#: what a query holding a char(n) cast may contain: projection, VALUES, IS NULL, casts
_ALLOWED = (
    exp.Select,
    exp.From,
    exp.Subquery,
    exp.Values,
    exp.Tuple,
    exp.TableAlias,
    exp.Table,
    exp.Alias,
    exp.Identifier,
    exp.Column,
    exp.Literal,
    exp.Null,
    exp.Boolean,
    exp.Cast,
    exp.DataType,
    exp.DataTypeParam,
    exp.Is,
    exp.Not,
    exp.Paren,
)


def is_char(kind: exp.DataType | None) -> bool:
    return kind is not None and kind.this == T.CHAR


def char_length(kind: exp.DataType) -> int:
    params = [e for e in kind.expressions if isinstance(e, exp.DataTypeParam)]
    return int(params[0].name) if params else 1


def check_char_query(tree: exp.Expr) -> None:
    for node in tree.walk():
        if not isinstance(node, _ALLOWED):
            raise refuse(f"a query using char(n) values in {node.key}")


def padded(cast: exp.Cast) -> exp.Expr:
    """``CAST(x AS char(n))`` as the engine's padded text."""
    length = exp.Literal.number(char_length(cast.to))
    text = cast_to(cast.this.copy(), T.VARCHAR)
    cut = exp.Anonymous(this="left", expressions=[text, length])
    return exp.Anonymous(this="rpad", expressions=[cut, length.copy(), exp.Literal.string(" ")])
