"""Expand workspace views into their queries, planned and secured with the right user's rights.

Runs after secure_views, so the reader has already been authorised on the view itself (``select``
on the columns read) and the reader's own row filter and masks on the view wrap it. Each view
reference left is then replaced by the view's query, planned from its stored SQL by the same
passes as any query (never trusted as stored: it is parsed, resolved, authorised and secured
again at every plan), as:

- SECURITY DEFINER (the default, as Trino's): the owner's identity — the owner's grants, row
  filters and masks apply to the sources;
- SECURITY INVOKER: the reader's identity — the reader's own grants, filters and masks apply.

So through a view a reader sees at most what the view's own policies allow them of at most what
the chosen identity may read. Views inside views expand the same way; a view that reaches itself
is refused (``INVALID_VIEW``), as is one nested more than MAX_VIEW_DEPTH deep. The expanded
sources become the query's tables (what map_catalogs maps and the engine's bound plan is checked
against); the view itself never reaches the engine.
"""

from __future__ import annotations

from sqlglot import exp

from auth.enforcement.columns import table_key
from catalog.metadata import Resolved
from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext, QueryRequest
from gateway.planner.passes.resolve_tables import resolved_tables
from gateway.planner.views import MAX_VIEW_DEPTH, ViewDefinition


def _body_passes() -> tuple[object, ...]:
    # The pipeline's own passes up to (not including) the mapping to physical names, so a view's
    # query meets every check an ordinary query meets, including passes added later.
    from gateway.planner import pipeline
    from gateway.planner.passes.map_catalogs import map_catalogs

    passes = pipeline.PASSES
    return passes[: passes.index(map_catalogs)]


def _plan_body(ctx: QueryContext, view: ViewDefinition) -> QueryContext:
    identity = ctx.request.identity if view.invoker else view.owner
    request = QueryRequest(
        view.sql,
        view.session_catalog,
        view.session_schema,
        "trino",
        identity.user,
        identity.groups,
    )
    body = QueryContext(
        request,
        ctx.snapshot,
        ctx.connectors,
        ctx.max_sql_bytes,
        ctx.authorizer,
        views=ctx.views,
        view_path=(*ctx.view_path, view.key),
    )
    try:
        for step in _body_passes():
            body = step(body)  # type: ignore[operator]
    except LakegateError as exc:
        ctx.decisions.extend(body.decisions)
        if exc.code is ErrorCode.ACCESS_DENIED:
            # definer rights: the owner's missing grants are not the reader's to see in detail
            why = f" ({exc.detail})" if view.invoker else ""
            who = "you" if view.invoker else "its owner"
            raise LakegateError(
                ErrorCode.ACCESS_DENIED,
                f"Access denied: view {view.name} reads what {who} may not read{why}",
                resource=view.name,
                access_type="select",
            ) from None
        if exc.code is ErrorCode.INVALID_VIEW:
            raise
        raise LakegateError(exc.code, f"view {view.name} cannot be expanded: {exc.detail}") from None
    ctx.decisions.extend(body.decisions)
    if body.done or body.tree is None:
        raise LakegateError(ErrorCode.NOT_SUPPORTED, f"view {view.name} is not a query")
    return body


def expand_views(ctx: QueryContext) -> QueryContext:
    if ctx.done or not ctx.views:
        return ctx
    assert ctx.tree is not None
    expanded: set[tuple[str, str, str]] = set()
    added: list[Resolved] = []
    for table in resolved_tables(ctx.tree):
        catalog, schema, name = table_key(table)
        view = ctx.views.get((catalog.lower(), schema.lower(), name.lower()))
        if view is None:
            continue
        if view.key in ctx.view_path:
            path = " -> ".join(".".join(k) for k in ctx.view_path)
            raise LakegateError(ErrorCode.INVALID_VIEW, f"view {view.name} refers to itself (through {path})")
        if len(ctx.view_path) >= MAX_VIEW_DEPTH:
            raise LakegateError(
                ErrorCode.INVALID_VIEW, f"views are nested more than {MAX_VIEW_DEPTH} deep at {view.name}"
            )
        body = _plan_body(ctx, view)
        if body.connector is not ctx.connector:
            raise LakegateError(
                ErrorCode.CROSS_ENGINE_QUERY,
                f"view {view.name} reads catalogs served by another engine than this query's; "
                "materialise it (CREATE TABLE ... AS) to use it here",
            )
        assert body.tree is not None
        # the names read from the query count a star's columns where the tree keeps it unexpanded
        # (no policies to check column by column)
        outputs = body.result_names or (body.tree.selects if isinstance(body.tree, exp.Query) else [])
        if len(outputs) != len(view.columns):
            raise LakegateError(
                ErrorCode.INVALID_VIEW,
                f"view {view.name} is stale: its query now gives {len(outputs)} columns, it was "
                f"defined with {len(view.columns)}; replace it (CREATE OR REPLACE VIEW)",
            )
        alias = table.args.get("alias")
        alias_name = alias.this.copy() if alias is not None and alias.this else exp.to_identifier(table.name)
        renamed = alias.columns if alias is not None and alias.columns else None
        columns = (
            [c.copy() for c in renamed]
            if renamed
            else [exp.to_identifier(c, quoted=True) for c in view.columns]
        )
        table.replace(exp.Subquery(this=body.tree, alias=exp.TableAlias(this=alias_name, columns=columns)))
        expanded.add(view.key)
        added.extend(body.tables)
    if expanded:
        kept = [
            t for t in ctx.tables if (t.catalog.lower(), t.schema.lower(), t.table.lower()) not in expanded
        ]
        seen = {(t.catalog, t.schema, t.table) for t in kept}
        for resolved in added:
            if (resolved.catalog, resolved.schema, resolved.table) not in seen:
                seen.add((resolved.catalog, resolved.schema, resolved.table))
                kept.append(resolved)
        ctx.tables = kept
    return ctx
