"""Refuse a relation outside the closed world (gateway.planner.relations), before tables resolve.

Runs after qualify_tables: every name that is a stored table by the engine's rules must now be
qualified. One left bare while no CTE of that name is in scope was bound to a CTE by sqlglot
where the engine would read an outside object (a recursive CTE naming itself in its first
branch: a system table, a file); such a query is refused. Table functions and PIVOT are
refused by the walk itself.
"""

from __future__ import annotations

from gateway.planner.context import QueryContext
from gateway.planner.relations import out_of_scope, relations


def check_relations(ctx: QueryContext) -> QueryContext:
    if ctx.done:
        return ctx
    assert ctx.tree is not None
    for relation in relations(ctx.tree):
        if relation.shadows_cte and not relation.table.args.get("db"):
            raise out_of_scope(relation.table)
    return ctx
