"""Trino's types of arithmetic, computed where sqlglot's annotations differ from Trino's.

sqlglot types ``1.5`` as double and ``int / int`` as bigint; Trino types ``1.5`` as
``decimal(2,1)``, keeps the wider integer type for integer arithmetic and gives decimal arithmetic
its own precision and scale (``io.trino.type.DecimalOperators``, ``docs/.../language/types.md``).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from gateway.planner.semantics.types import (
    FLOATING,
    INTEGER_PRECISION,
    MAX_PRECISION,
    T,
    decimal_shape,
    decimal_type,
    simple_type,
    type_of,
)

#: meta key: the Trino type of a node a rewrite made (its parts no longer tell)
TRINO_TYPE = "trino_type"
_INTEGER_ORDER = (T.TINYINT, T.SMALLINT, T.INT, T.BIGINT)
_INT_MAX = 2**31 - 1


def literal_type(node: exp.Literal) -> exp.DataType | None:
    """The Trino type of a number literal: integer, bigint, decimal(p, s) or double."""
    text = node.name
    if "e" in text.lower():
        return simple_type(T.DOUBLE)
    if "." not in text:
        return simple_type(T.INT if abs(int(text)) <= _INT_MAX else T.BIGINT)
    whole, fraction = text.split(".", 1)
    whole = whole.lstrip("+-")
    if fraction and not whole.strip("0"):
        whole = ""  # 0.5 is decimal(1,1)
    precision = max(len(whole) + len(fraction), 1)
    if precision > MAX_PRECISION:
        return simple_type(T.DOUBLE)  # Trino's parser makes such a literal a double
    return decimal_type(precision, len(fraction))


def trino_type(node: exp.Expr) -> exp.DataType | None:
    """The type Trino gives ``node`` (None when unknown)."""
    known = node.meta.get(TRINO_TYPE) if node._meta else None
    if isinstance(known, exp.DataType):
        return known
    if isinstance(node, exp.Paren):
        return trino_type(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        return literal_type(node)
    if isinstance(node, exp.Neg):
        return trino_type(node.this)
    if isinstance(node, exp.Cast | exp.TryCast):
        return node.to
    if isinstance(node, exp.Add | exp.Sub | exp.Mul | exp.Div | exp.Mod):
        return binary_type(node, trino_type(node.left), trino_type(node.right))
    if isinstance(node, exp.Window | exp.Filter | exp.Distinct):
        inner = node.expressions[0] if isinstance(node, exp.Distinct) and node.expressions else node.this
        return trino_type(inner) if isinstance(inner, exp.Expr) else None
    if isinstance(node, exp.Count | exp.CountIf | exp.ApproxDistinct | exp.DateDiff):
        return simple_type(T.BIGINT)
    if isinstance(node, exp.Sum):
        return _sum_type(trino_type(node.this))
    if isinstance(node, exp.Avg):
        return _avg_type(trino_type(node.this))
    if isinstance(node, exp.Min | exp.Max | exp.AnyValue):
        return trino_type(node.this)
    if isinstance(node, exp.Case):
        branches = [i.args.get("true") for i in node.args.get("ifs") or []] + [node.args.get("default")]
        return common_type([b for b in branches if b is not None])
    if isinstance(node, exp.If):
        return common_type([b for b in (node.args.get("true"), node.args.get("false")) if b is not None])
    if isinstance(node, exp.Coalesce | exp.Greatest | exp.Least):
        return common_type([node.this, *node.expressions])
    if isinstance(node, exp.Nullif):
        return trino_type(node.this)
    if isinstance(node, exp.Anonymous) and not node.expressions and node.name.lower() in _DOUBLE_CONSTANTS:
        return simple_type(T.DOUBLE)
    return type_of(node)


#: Trino's functions of no argument that are doubles (sqlglot cannot type them)
_DOUBLE_CONSTANTS = frozenset({"nan", "infinity"})


def _sum_type(kind: exp.DataType | None) -> exp.DataType | None:
    if kind is None:
        return None
    if kind.this in INTEGER_PRECISION:
        return simple_type(T.BIGINT)
    if kind.this == T.DECIMAL:
        shape = decimal_shape(kind)
        return decimal_type(MAX_PRECISION, shape[1]) if shape else None
    return kind if kind.this in FLOATING else None


def _avg_type(kind: exp.DataType | None) -> exp.DataType | None:
    if kind is None:
        return None
    if kind.this in INTEGER_PRECISION or kind.this == T.DOUBLE:
        return simple_type(T.DOUBLE)
    return kind if kind.this in (T.DECIMAL, T.FLOAT) else None


def common_type(nodes: list[exp.Expr]) -> exp.DataType | None:
    """Trino's common super type of the numeric ``nodes`` (NULL literals ignored), else sqlglot's."""
    kinds = [trino_type(n) for n in nodes if not isinstance(n, exp.Null)]
    if not kinds or any(k is None for k in kinds):
        return None
    known = [k for k in kinds if k is not None]
    if not all(k.this in INTEGER_PRECISION or k.this == T.DECIMAL or k.this in FLOATING for k in known):
        first = known[0]
        return first if all(k == first for k in known) else None
    result: exp.DataType | None = known[0]
    for kind in known[1:]:
        assert result is not None
        result = _super(result, kind)
        if result is None:
            return None
    return result


def _super(left: exp.DataType, right: exp.DataType) -> exp.DataType | None:
    kinds = {left.this, right.this}
    if T.DOUBLE in kinds:
        return simple_type(T.DOUBLE)
    if T.FLOAT in kinds:
        return simple_type(T.FLOAT)
    if left.this in INTEGER_PRECISION and right.this in INTEGER_PRECISION:
        wider = max(_INTEGER_ORDER.index(left.this), _INTEGER_ORDER.index(right.this))
        return simple_type(_INTEGER_ORDER[wider])
    a, b = decimal_shape(left), decimal_shape(right)
    if a is None or b is None:
        return None
    scale = max(a[1], b[1])
    return decimal_type(min(MAX_PRECISION, max(a[0] - a[1], b[0] - b[1]) + scale), scale)


def binary_type(node: exp.Expr, left: exp.DataType | None, right: exp.DataType | None) -> exp.DataType | None:
    if left is None or right is None:
        return None
    kinds = {left.this, right.this}
    if kinds & {T.DOUBLE}:
        return simple_type(T.DOUBLE)
    if kinds & {T.FLOAT}:
        return simple_type(T.FLOAT) if kinds <= FLOATING | set(INTEGER_PRECISION) | {T.DECIMAL} else None
    if left.this in INTEGER_PRECISION and right.this in INTEGER_PRECISION:
        wider = max(_INTEGER_ORDER.index(left.this), _INTEGER_ORDER.index(right.this))
        return simple_type(_INTEGER_ORDER[wider])
    shapes = decimal_shape(left), decimal_shape(right)
    if shapes[0] is None or shapes[1] is None:
        return None
    shape = decimal_result(node, shapes[0], shapes[1])
    return decimal_type(*shape) if shape else None


def decimal_result(node: exp.Expr, left: tuple[int, int], right: tuple[int, int]) -> tuple[int, int] | None:
    """Trino's decimal(p, s) of ``left op right``."""
    (p1, s1), (p2, s2) = left, right
    if isinstance(node, exp.Add | exp.Sub):
        scale = max(s1, s2)
        return min(MAX_PRECISION, max(p1 - s1, p2 - s2) + scale + 1), scale
    if isinstance(node, exp.Mul):
        if s1 + s2 > MAX_PRECISION:
            return None
        return min(MAX_PRECISION, p1 + p2), s1 + s2
    if isinstance(node, exp.Div):
        return min(MAX_PRECISION, p1 + s2 + max(0, s2 - s1)), max(s1, s2)
    if isinstance(node, exp.Mod):
        return min(MAX_PRECISION, min(p1 - s1, p2 - s2) + max(s1, s2)), max(s1, s2)
    return None


def rewritten(new: exp.Expr, old: exp.Expr) -> exp.Expr:
    """``new`` (replacing ``old``) keeps ``old``'s Trino type."""
    kind = trino_type(old)
    if kind is not None:
        new.meta[TRINO_TYPE] = kind
    return new


def rewrite_bottom_up(
    tree: exp.Expr,
    kinds: tuple[type[exp.Expr], ...],
    rewrite: Callable[[exp.Expr], exp.Expr],
    nodes: list[exp.Expr] | None = None,
) -> None:
    """Apply ``rewrite`` to every node of ``kinds`` (or to ``nodes``, found in tree order),
    innermost first, in place."""
    found = nodes if nodes is not None else list(tree.find_all(*kinds, bfs=False))
    for node in reversed(found):
        new = rewrite(node)
        if new is node:
            continue
        if new.parent is None:
            node.replace(rewritten(new, node))
        else:  # the rewrite wrapped the node in place (no copy)
            kind = trino_type(node)
            if kind is not None:
                new.meta[TRINO_TYPE] = kind
