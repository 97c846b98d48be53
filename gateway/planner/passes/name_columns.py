"""Name the output columns as Trino names them, on every door: ``_col<N>`` for an expression.

Trino names an output column by its alias or by the column it reads; any other expression (a
row field too) is ``_col<N>``, N its position from 0. The engine would name ``count(*)``
``count_star()`` and sqlglot's column qualification ``_col_0``; aliasing here, before either, gives
Trino's names natively and at the Trino door, with or without policies.

Trino keeps a name as the query spells it (``AS "STATE"`` is ``STATE``, ``N_NAME`` is ``N_NAME``,
``AS Foo`` is ``Foo``), while identifiers match case-insensitively; qualification folds every
identifier to lower case. The spelled names are kept here, before it, in ``ctx.result_names``,
and the result columns are renamed to them (``gateway/conform.py``). Names under a star are
those of the relations it reads (``gateway/planner/output_names.py``): a derived table's, CTE's,
VALUES' or UNNEST's as the query spells them, a workspace view's as its query spells them, a
stored table's as the engine gives them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from catalog.metadata import MetadataSnapshot
from gateway.planner.context import QueryContext
from gateway.planner.output_names import result_names
from gateway.planner.views import MAX_VIEW_DEPTH, ViewDefinition, ViewKey

log = logging.getLogger(__name__)

_NAMED = (exp.Column, exp.Alias, exp.Star)


def output_select(tree: exp.Expr) -> exp.Select | None:
    """The SELECT whose projections name the result (the first branch of a set operation)."""
    select = tree
    while isinstance(select, exp.SetOperation | exp.Subquery):
        select = select.this if isinstance(select, exp.Subquery) else select.left
    return select if isinstance(select, exp.Select) else None


def name_trino_columns(tree: exp.Expr, *, after_star: bool = True) -> bool:
    """Alias every unnamed output expression ``_col<N>``; True if any was. After a star, N is
    not the projection's index; ``after_star=False`` leaves those unnamed (for the planner,
    which knows the star's width, to name)."""
    select = output_select(tree)
    if select is None:
        return False
    changed = False
    for index, projection in enumerate(select.expressions):
        if not after_star and (
            isinstance(projection, exp.Star)
            or (isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star))
        ):
            break
        if isinstance(projection, _NAMED):
            continue
        projection.replace(exp.alias_(projection.copy(), f"_col{index}"))
        changed = True
    return changed


_GENERATED = re.compile(r"^_col_(\d+)$")


def name_values_columns(tree: exp.Expr) -> None:
    """``VALUES`` without column names: sqlglot's table qualification names them ``_col_0``,
    Trino ``_col0`` (what ``SELECT *`` over them returns)."""
    for values in tree.find_all(exp.Values):
        alias = values.args.get("alias")
        if not isinstance(alias, exp.TableAlias):
            continue
        columns = alias.columns
        matches = [_GENERATED.match(c.name) if not c.quoted else None for c in columns]
        if columns and all(m is not None and int(m.group(1)) == i for i, m in enumerate(matches)):
            alias.set("columns", [exp.to_identifier(f"_col{i}") for i in range(len(columns))])


class _Relations:
    """Names the columns of the stored tables and workspace views a query reads (a view's as its
    query spells them), tables named in full or in the session's catalog and schema."""

    def __init__(
        self,
        snapshot: MetadataSnapshot,
        views: Mapping[ViewKey, ViewDefinition],
        catalog: str | None,
        schema: str | None,
        path: tuple[ViewKey, ...] = (),
    ) -> None:
        self.snapshot = snapshot
        self.views = views
        self.catalog = catalog
        self.schema = schema
        self.path = path

    def __call__(self, table: exp.Table) -> Sequence[str | None] | None:
        catalog, schema = table.catalog or self.catalog, table.db or self.schema
        if not catalog or not schema:
            return None
        key = (catalog.lower(), schema.lower(), table.name.lower())
        view = self.views.get(key)
        if view is not None:
            return self.view(view) if key not in self.path and len(self.path) < MAX_VIEW_DEPTH else None
        schema_name = self.snapshot.schema_name(catalog, schema)
        info = self.snapshot.table(catalog, schema_name, table.name) if schema_name else None
        return [None] * len(info.columns) if info is not None else None

    def view(self, view: ViewDefinition) -> tuple[str, ...]:
        """The stored names (which qualification folded when the view was made) take the query's
        spelling where they are the same names; the stored ones stay where it does not tell."""
        try:
            tree = _parsed(view.sql)
        except (SqlglotError, RecursionError, ValueError):
            return view.columns
        inside = _Relations(
            self.snapshot, self.views, view.session_catalog, view.session_schema, (*self.path, view.key)
        )
        spelled = result_names(tree, inside)
        if len(spelled) != len(view.columns):
            return view.columns
        return tuple(
            name if name is not None and name.lower() == kept.lower() else kept
            for name, kept in zip(spelled, view.columns, strict=True)
        )


@lru_cache(maxsize=256)
def _parsed(sql: str) -> exp.Expr:
    """A view's query, parsed once (only read here, never changed)."""
    return sqlglot.parse_one(sql, read="trino")


def spelled_names(ctx: QueryContext) -> tuple[str | None, ...]:
    """Each output column's name as written, read before ``name_trino_columns`` (which numbers
    the unnamed ones by projection, not by position after a star); empty when unknown."""
    assert ctx.tree is not None
    relations = _Relations(ctx.snapshot, ctx.views, None, None, ctx.view_path)
    try:
        return result_names(ctx.tree, relations, generated_values="_col_" not in ctx.request.sql.lower())
    except Exception:  # a shape not foreseen: the engine's names, as before, not a refused query
        log.exception("the result's column names could not be read from the query; the engine's are kept")
        return ()


def name_columns(ctx: QueryContext) -> QueryContext:
    if ctx.done or ctx.request.dialect != "trino":
        return ctx
    assert ctx.tree is not None
    ctx.result_names = spelled_names(ctx)
    name_trino_columns(ctx.tree)
    if "_col_" not in ctx.request.sql.lower():  # else the names may be the user's own
        name_values_columns(ctx.tree)
    return ctx
