"""The closed world, checked on the tree the engine will run: the planner's own guarantee.

Every relation is a CTE in scope or a physical table that map_catalogs mapped from an authorized
logical table. Anything else is a bug in an earlier pass, and the query is refused rather than run.
"""

from __future__ import annotations

import logging

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext
from gateway.planner.relations import out_of_scope, relations

log = logging.getLogger(__name__)


def verify_relations(ctx: QueryContext) -> QueryContext:
    if ctx.done:
        return ctx
    assert ctx.tree is not None
    for relation in relations(ctx.tree):
        if relation.is_cte:
            continue
        table = relation.table
        if relation.shadows_cte and not table.args.get("db"):
            raise out_of_scope(table)
        if (table.catalog, table.db, table.name) not in ctx.mapped:
            log.error("planner produced an unmapped relation %s; query refused", table.sql())
            raise LakegateError(
                ErrorCode.NOT_SUPPORTED,
                "the query reads a relation Lakegate did not resolve, so it was not run",
            )
    return ctx
