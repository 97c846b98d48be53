"""Trino's array, map and row functions and operators where the engine's namesakes differ
(``semantics/arrays.py``): concatenation with elements, ``array_distinct``'s order, ``repeat``,
``reverse`` of an array, ``sequence`` of dates, ``map_entries``' anonymous rows, and ``=``/``<>``
of arrays and rows with Trino's NULLs. ``array_sort`` with a comparator is refused."""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.context import QueryContext
from gateway.planner.semantics import arrays
from gateway.planner.semantics.arithmetic import rewrite_bottom_up
from gateway.planner.semantics.types import T, applies

_REWRITTEN: tuple[type[exp.Expr], ...] = (
    exp.DPipe,
    exp.Concat,
    exp.ArrayDistinct,
    exp.Repeat,
    exp.Reverse,
    exp.GenerateSeries,
    exp.Anonymous,
    exp.EQ,
    exp.NEQ,
    exp.ArraySort,
)


def trino_arrays(ctx: QueryContext) -> QueryContext:
    if not applies(ctx):
        return ctx
    assert ctx.tree is not None
    nodes = [node for node in ctx.tree.walk(bfs=False) if type(node) in _CLASSES and _relevant(node)]
    if nodes:
        rewrite_bottom_up(ctx.tree, _REWRITTEN, _rewrite, nodes)
    return ctx


_CLASSES = frozenset(_REWRITTEN)
_STRUCTURAL_TYPES = frozenset({T.ARRAY, T.STRUCT, T.MAP})


def _relevant(node: exp.Expr) -> bool:
    kind = type(node)
    if kind is exp.Anonymous:
        return node.name.lower() == "map_entries"
    if kind is exp.EQ or kind is exp.NEQ or kind is exp.DPipe:
        return _maybe_structural(node.this) or _maybe_structural(node.expression)
    return True


def _maybe_structural(operand: exp.Expr) -> bool:
    """Cheap first look (most ``=`` compare scalar columns and literals): a column only when
    typed as an array, row or map; anything but a column or literal goes to the full look."""
    if isinstance(operand, exp.Literal):
        return False
    if isinstance(operand, exp.Column):
        kind = operand.type
        return kind is not None and kind.this in _STRUCTURAL_TYPES
    return True


def _rewrite(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.DPipe):
        return arrays.concat([node.this, node.expression]) or node
    if isinstance(node, exp.Concat):
        return arrays.concat(list(node.expressions)) or node
    if isinstance(node, exp.ArrayDistinct):
        return arrays.array_distinct(node)
    if isinstance(node, exp.Repeat):
        return arrays.repeat(node)
    if isinstance(node, exp.Reverse):
        return arrays.reverse(node)
    if isinstance(node, exp.GenerateSeries):
        return arrays.date_sequence(node)
    if isinstance(node, exp.Anonymous):
        return arrays.map_entries(node)
    if isinstance(node, exp.EQ | exp.NEQ):
        return arrays.equality(node)
    if isinstance(node, exp.ArraySort):
        return arrays.array_sort(node)
    return node
