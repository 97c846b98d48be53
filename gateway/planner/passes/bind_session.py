"""Bind session functions to the session: ``current_user`` is the Lakegate user, not the engine's."""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.context import QueryContext


def bind_session(ctx: QueryContext) -> QueryContext:
    if ctx.done:
        return ctx
    assert ctx.tree is not None
    user = ctx.request.user

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.CurrentUser) or (
            isinstance(node, exp.Column)
            and not node.table
            and node.name.lower() == "current_user"
            and not node.this.quoted
        ):
            return exp.Literal.string(user)
        return node

    ctx.tree = ctx.tree.transform(swap, copy=False)
    return ctx
