"""Enforce row filters, column masks and column denials by rewriting each base table into a secure view.

``FROM crm.main.customers AS c`` becomes ``FROM (SELECT id, <mask>(email) AS email, ... FROM
crm.main.customers WHERE <filter>) AS c``: predicates, joins, sorts and aggregates of the query
only ever see filtered rows and masked values. Ranger gives one filter per table and one mask per
column; masks are built per engine dialect (auth.policy.masks), filters are parsed from the
policy's SQL (``current_user`` in them is bound by the bind_session pass).
"""

from __future__ import annotations

from sqlglot import exp, parse_one
from sqlglot.errors import SqlglotError

from auth.enforcement.columns import table_key
from auth.policy.masks import UnsupportedMask, mask_expression
from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext
from gateway.planner.passes.resolve_tables import resolved_tables


def _filter(ctx: QueryContext, text: str, resource: str) -> exp.Expr:
    try:
        condition = parse_one(text, read="trino")
    except SqlglotError:
        raise LakegateError(
            ErrorCode.ACCESS_DENIED, f"Access denied: the row filter on {resource} cannot be applied"
        ) from None
    return condition  # current_user is bound by the bind_session pass, which runs next


def secure_views(ctx: QueryContext) -> QueryContext:
    if ctx.done or ctx.authorizer is None:
        return ctx
    assert ctx.tree is not None
    assert ctx.connector is not None
    identity = ctx.request.identity
    dialect = ctx.connector.dialect
    for table in resolved_tables(ctx.tree):
        key = table_key(table)
        resource = ".".join(key)
        info = ctx.snapshot.table(*key)
        assert info is not None
        row_filter = ctx.authorizer.row_filter(identity, key)
        projections: list[exp.Expr] = []
        masked = False
        for column in info.columns:
            reference = exp.column(column.name, quoted=True)
            if not ctx.authorizer.check_select(identity, key, column.name).allowed:
                # Defence in depth: a column the user may not select is NULL inside the view, so
                # no route that escaped the per-column check (positional references, pattern
                # stars, renamed alias columns) can reach its values. Positions stay stable.
                masked = True
                null = exp.Cast(this=exp.Null(), to=exp.DataType.build(column.type, dialect="trino"))
                projections.append(exp.alias_(null, column.name, quoted=True))
                continue
            mask = ctx.authorizer.data_mask(identity, key, column.name)
            if not mask.is_masked:
                projections.append(reference)
                continue
            masked = True
            try:
                value = mask_expression(
                    mask.mask_type or "",
                    reference,
                    exp.DataType.build(column.type, dialect="trino"),
                    dialect,
                    value_expr=mask.value_expr,
                )
            except (UnsupportedMask, SqlglotError):
                # Fail closed: a mask we cannot express hides the value entirely.
                value = exp.Cast(this=exp.Null(), to=exp.DataType.build(column.type, dialect="trino"))
            projections.append(exp.alias_(value, column.name, quoted=True))
        if not masked and not row_filter.has_filter:
            continue
        alias = table.args.get("alias")
        alias = alias.copy() if alias is not None else exp.TableAlias(this=exp.to_identifier(table.name))
        inner = exp.Table(
            this=table.this.copy(), db=table.args["db"].copy(), catalog=table.args["catalog"].copy()
        )
        view = exp.select(*projections).from_(inner)
        if row_filter.has_filter:
            view = view.where(_filter(ctx, row_filter.filter_expr or "", resource))
        table.replace(exp.Subquery(this=view, alias=alias))
    return ctx
