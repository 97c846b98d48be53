"""``replace(s, search, replacement)`` with an empty ``search``, as Trino does it.

Trino puts the replacement before every character and at the end (``replace('12', '',
'-7')`` is ``'-71-72-7'``); the engine's ``replace`` leaves the text as it is. The engine's
``regexp_replace`` with an empty pattern matches at the same places; the replacement's
backslashes are doubled, so they stay literal.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.semantics.arithmetic import TRINO_TYPE
from gateway.planner.semantics.types import T, deterministic, refuse, simple_type


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _every_position(text: exp.Expr, replacement: exp.Expr) -> exp.Expr:
    literal = _call("replace", replacement.copy(), exp.Literal.string("\\"), exp.Literal.string("\\\\"))
    return _call("regexp_replace", text.copy(), exp.Literal.string(""), literal, exp.Literal.string("g"))


def empty_search(node: exp.Replace) -> exp.Expr:
    """Trino's ``replace``, typed ``varchar`` for the rewrites after it (a cast to integer)."""
    result = _empty_search(node)
    result.meta[TRINO_TYPE] = simple_type(T.VARCHAR)
    return result


def _empty_search(node: exp.Replace) -> exp.Expr:
    search, replacement = node.args.get("expression"), node.args.get("replacement")
    if not isinstance(search, exp.Expr) or not isinstance(replacement, exp.Expr):
        return node  # no replacement: an empty search removes nothing
    if isinstance(search, exp.Literal) and search.is_string:
        return _every_position(node.this, replacement) if search.name == "" else node
    if not deterministic(search):
        raise refuse("replace() with a nondeterministic search text")
    empty = exp.EQ(this=search.copy(), expression=exp.Literal.string(""))
    return exp.Case(
        ifs=[exp.If(this=empty, true=_every_position(node.this, replacement))], default=node.copy()
    )
