"""Trino's plan-time simplifications that change an answer, made before the other rewrites.

Trino simplifies expressions before it runs a statement (``io.trino.sql.ir.optimizer.rule``), and
a few of its simplifications decide between an answer and an error: ``-(-x)`` is ``x``
(``SimplifyStackedArithmeticNegation``, done in ``semantics/scalar_functions.double_negation``),
also when the inner negation is the one argument a ``coalesce`` keeps once its NULL constants
and repeated arguments are dropped (``RemoveRedundantCoalesceArguments``, after arguments such as
``mod(1, CAST(NULL AS tinyint))`` are folded to NULL): ``-coalesce(-TINYINT '-128', NULL)`` is
``-128`` in Trino, where computing ``-TINYINT '-128'`` overflows.

Here such a ``coalesce`` under a negation becomes its one remaining argument, when the planner
can tell the other arguments are NULL constants to Trino (a NULL, a cast of one, arithmetic or
``nullif`` of one) and the argument has the coalesce's type (else Trino's coercion cast sits
between the two negations, and Trino fails too). What it cannot tell is left as written (the
engine's overflow error, as Trino's own when it does not simplify).
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.context import QueryContext
from gateway.planner.semantics.arithmetic import trino_type
from gateway.planner.semantics.types import applies, deterministic

_NULL_ON_NULL = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)


def trino_folding(ctx: QueryContext) -> QueryContext:
    if not applies(ctx):
        return ctx
    assert ctx.tree is not None
    for negation in list(ctx.tree.find_all(exp.Neg)):
        inner = _unparenthesized(negation.this)
        if isinstance(inner, exp.Coalesce):
            kept = kept_argument(inner)
            if kept is not None:
                inner.replace(exp.paren(kept.copy()))
    return ctx


def _unparenthesized(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def kept_argument(node: exp.Coalesce) -> exp.Expr | None:
    """The one argument Trino keeps of ``node`` once it drops NULL constants and repeats (and
    what follows a non-NULL literal), if the planner can tell; None otherwise."""
    kept: list[exp.Expr] = []
    seen: set[str] = set()
    for argument in _flattened(node):
        if statically_null(argument):
            continue
        text = argument.sql("trino")
        if text in seen and deterministic(argument):
            continue
        seen.add(text)
        kept.append(argument)
        if _literal(argument):
            break
    if len(kept) != 1:
        return None
    whole, own = trino_type(node), trino_type(kept[0])
    if whole is None or own is None or whole != own:
        return None
    return kept[0]


def _flattened(node: exp.Coalesce) -> list[exp.Expr]:
    """The arguments, a nested coalesce's spread in place (Trino's ``FlattenCoalesce``)."""
    out: list[exp.Expr] = []
    for argument in (node.this, *node.expressions):
        inner = _unparenthesized(argument)
        if isinstance(inner, exp.Coalesce):
            out.extend(_flattened(inner))
        else:
            out.append(argument)
    return out


def _literal(node: exp.Expr) -> bool:
    """A literal that is not NULL (a typed one: a cast of a literal)."""
    node = _unparenthesized(node)
    if isinstance(node, exp.Cast):
        node = _unparenthesized(node.this)
    return isinstance(node, exp.Literal | exp.Boolean)


def statically_null(node: exp.Expr) -> bool:
    """Trino folds ``node`` to a NULL constant before running (a conservative answer: False
    where the planner cannot tell)."""
    node = _unparenthesized(node)
    if isinstance(node, exp.Null):
        return True
    if isinstance(node, exp.Cast | exp.TryCast | exp.Neg):
        return statically_null(node.this)
    if isinstance(node, _NULL_ON_NULL):
        return statically_null(node.left) or statically_null(node.right)
    if isinstance(node, exp.Nullif):
        first, second = node.this, node.expression
        if statically_null(first):
            return True
        return _literal(first) and _literal(second) and first.sql("trino") == second.sql("trino")
    if isinstance(node, exp.Coalesce):
        return all(statically_null(a) for a in (node.this, *node.expressions))
    return False
