"""Trino's ``char(n)``: a value padded with spaces to ``n`` (``CAST('ab' AS char(3))`` is
``'ab '``; a longer value is cut to ``n``). The engine has no such type: a cast becomes the padded
text, and the result column is reported as ``char(n)`` (``result_types.py``).

Trino compares, orders, groups and measures ``char`` values by their own rules (``'ab'`` equals
``'ab '`` as ``char``); those are not translated: a query that does anything with a ``char``
value but select it, test it for NULL or cast it to ``varchar`` is refused by name (when a char
value may be read through a column, every column must pass that test).
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.semantics.types import T, cast_to, refuse

#: what may hold a char(n) value (or a column that may read one) on its way to the output
_CARRIERS = (exp.Alias, exp.Paren, exp.Tuple, exp.Values, exp.Subquery, exp.From, exp.Is, exp.Not)


def is_char(kind: exp.DataType | None) -> bool:
    return kind is not None and kind.this == T.CHAR


def char_length(kind: exp.DataType) -> int:
    params = [e for e in kind.expressions if isinstance(e, exp.DataTypeParam)]
    return int(params[0].name) if params else 1


def check_char_query(tree: exp.Expr) -> None:
    """Refuse unless every char(n) value (and, when one may be read through a column, every
    column) goes straight to the output, tested for NULL or cast to varchar on the way."""
    chars = [c for c in tree.find_all(exp.Cast) if is_char(c.to)]
    holders: list[exp.Expr] = list(chars)
    if any(not isinstance(c.parent, exp.Alias) or c.parent.parent is not tree for c in chars):
        holders += list(tree.find_all(exp.Column))
    for node in holders:
        child, parent = node, node.parent
        while parent is not None and not isinstance(parent, exp.Select):
            text_cast = isinstance(parent, exp.Cast) and parent.to.is_type(*exp.DataType.TEXT_TYPES)
            if not (isinstance(parent, _CARRIERS) or text_cast):
                raise refuse(f"a query using char(n) values in {parent.key}")
            child, parent = parent, parent.parent
        if parent is not None and child.arg_key not in ("expressions", "from_"):
            raise refuse(f"a query using char(n) values in {child.arg_key}")


def padded(cast: exp.Cast) -> exp.Expr:
    """``CAST(x AS char(n))`` as the engine's padded text."""
    length = exp.Literal.number(char_length(cast.to))
    text = cast_to(cast.this.copy(), T.VARCHAR)
    cut = exp.Anonymous(this="left", expressions=[text, length])
    return exp.Anonymous(this="rpad", expressions=[cut, length.copy(), exp.Literal.string(" ")])
