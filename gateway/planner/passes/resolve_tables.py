"""Resolve every base table against the metadata; unknown names are Lakegate's error.

CTE references are told apart from base tables by sqlglot's scopes, so a CTE may shadow a table
name. Table functions (``read_csv(...)``, ``TABLE(f(...))``) and string paths in FROM are refused.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.scope import Scope, traverse_scope

from catalog.metadata import Resolved
from gateway.errors import ErrorCode, LakegateError, syntax_error
from gateway.planner.context import QueryContext


def base_tables(tree: exp.Expr) -> list[exp.Table]:
    """Every exp.Table that names a stored table (not a CTE)."""
    try:
        scopes = traverse_scope(tree)
    except OptimizeError as exc:
        raise syntax_error(str(exc)) from None
    ctes: set[int] = set()
    for scope in scopes:
        for table in scope.tables:
            source = scope.sources.get(table.alias_or_name)
            if not table.args.get("db") and isinstance(source, Scope):
                ctes.add(id(table))
    return [t for t in tree.find_all(exp.Table) if id(t) not in ctes]


def resolved_tables(tree: exp.Expr) -> list[exp.Table]:
    """After resolve_tables: every base table, cheaply (only base tables carry a schema)."""
    return [t for t in tree.find_all(exp.Table) if t.args.get("db")]


def _check_is_name(table: exp.Table) -> None:
    if not isinstance(table.this, exp.Identifier):
        raise LakegateError(
            ErrorCode.FUNCTION_NOT_ALLOWED,
            "table functions are not allowed: query tables through their catalog.schema.table names",
        )


def _hidden(ctx: QueryContext, catalog: str, schema: str | None = None, table: str | None = None) -> bool:
    """True when policies hide the object from this user, whether or not it exists."""
    if ctx.authorizer is None:
        return False
    return not ctx.authorizer.can_see(ctx.request.identity, catalog.lower(), schema, table)


def _denied(ctx: QueryContext, name: str) -> LakegateError:
    # The same answer whether the object exists or not: no existence oracle.
    return LakegateError(
        ErrorCode.ACCESS_DENIED,
        f"Access denied: user {ctx.request.user} cannot select from table {name}",
        resource=name,
        access_type="select",
    )


def resolve_tables(ctx: QueryContext) -> QueryContext:
    if ctx.done:
        return ctx
    assert ctx.tree is not None
    snapshot = ctx.snapshot
    resolved: list[Resolved] = []
    for table in base_tables(ctx.tree):
        _check_is_name(table)
        catalog, schema, name = table.catalog, table.db, table.name
        if not schema:
            raise LakegateError(
                ErrorCode.SCHEMA_NOT_FOUND,
                f"table {name!r} has no schema and the session has no default schema: "
                "write catalog.schema.table or set a default catalog and schema",
            )
        if not catalog:
            raise LakegateError(
                ErrorCode.CATALOG_NOT_FOUND,
                f"table {schema}.{name} has no catalog and the session has no default catalog",
            )
        written = f"{catalog}.{schema}.{name}"
        if _hidden(ctx, catalog):
            raise _denied(ctx, written)
        if snapshot.catalog(catalog) is None:
            raise LakegateError(ErrorCode.CATALOG_NOT_FOUND, f"catalog {catalog!r} does not exist")
        schema_name = snapshot.schema_name(catalog, schema)
        if _hidden(ctx, catalog, schema_name or schema):
            raise _denied(ctx, written)
        if schema_name is None:
            raise LakegateError(ErrorCode.SCHEMA_NOT_FOUND, f"schema {catalog}.{schema} does not exist")
        info = snapshot.table(catalog, schema_name, name)
        if _hidden(ctx, catalog, schema_name, info.name if info else name):
            raise _denied(ctx, written)
        if info is None:
            raise LakegateError(
                ErrorCode.TABLE_NOT_FOUND, f"table {catalog}.{schema_name}.{name} does not exist"
            )
        resolved.append(Resolved(info.catalog, info.schema, info.name, info))
        table.set("catalog", exp.to_identifier(info.catalog))
        table.set("db", exp.to_identifier(info.schema))
        table.set("this", exp.to_identifier(info.name))
    ctx.tables = resolved
    return ctx
