"""The query planner: a tuple of small passes over the sqlglot tree, with a plan cache.

    parse -> read_only -> metadata_statements -> wrap_values -> qualify_tables -> check_relations
          -> resolve_tables -> trino_alias_refs -> allow_functions -> name_columns -> trino_join_stars
          -> qualify_columns
          -> authorize -> route -> trino_literals -> result_types -> annotate_types -> trino_folding
          -> trino_arithmetic -> trino_aggregates -> trino_functions -> trino_unnest -> trino_arrays
          -> trino_try
          -> clear_types
          -> secure_views -> expand_views -> bind_session
          -> map_catalogs -> verify_relations -> transpile

The trino_* passes (after route: they apply only when a Trino-dialect query runs on an engine
that is not Trino) rewrite by type so the engine gives Trino's answers, or refuse with
NOT_SUPPORTED what has no faithful translation (gateway/planner/semantics/).

Plans are cached (cachetools LRU) under a key holding everything that changes the outcome: every
field of the request (the exact SQL text, its dialect, the session's catalog, schema and time
zone, the user and their groups; a field added to QueryRequest joins the key by itself), the
metadata version and the engines' generation (a refresh that changed them clears the cache), and
the policy version (the policies' content and the catalog tags they read). A plan is stored only
if that state did not move while it was being made, so a reload racing a query never leaves a
plan under a key it was not made for.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import fields

from cachetools import LRUCache
from sqlglot import exp

from auth.authorizer import Authorizer
from catalog.metadata import MetadataSnapshot
from connectors.registry import ConnectorRegistry
from gateway.errors import ErrorCode, LakegateError
from gateway.observability.tracing import pass_span, tracing_enabled
from gateway.planner.context import Plan, QueryContext, QueryRequest
from gateway.planner.explain import explain_options, explain_result
from gateway.planner.passes.allow_functions import allow_functions
from gateway.planner.passes.annotate_types import annotate_types, clear_types
from gateway.planner.passes.authorize import authorize
from gateway.planner.passes.bind_session import bind_session
from gateway.planner.passes.check_relations import check_relations
from gateway.planner.passes.expand_views import expand_views
from gateway.planner.passes.map_catalogs import map_catalogs
from gateway.planner.passes.metadata_statements import metadata_statements
from gateway.planner.passes.name_columns import name_columns
from gateway.planner.passes.parse import parse
from gateway.planner.passes.qualify_columns import qualify_columns
from gateway.planner.passes.qualify_tables import qualify_tables
from gateway.planner.passes.read_only import read_only
from gateway.planner.passes.resolve_tables import resolve_tables
from gateway.planner.passes.result_types import result_types
from gateway.planner.passes.route import route
from gateway.planner.passes.secure_views import secure_views
from gateway.planner.passes.transpile import transpile
from gateway.planner.passes.trino_aggregates import trino_aggregates
from gateway.planner.passes.trino_alias_refs import trino_alias_refs
from gateway.planner.passes.trino_arithmetic import trino_arithmetic
from gateway.planner.passes.trino_arrays import trino_arrays
from gateway.planner.passes.trino_folding import trino_folding
from gateway.planner.passes.trino_functions import trino_functions
from gateway.planner.passes.trino_join_stars import trino_join_stars
from gateway.planner.passes.trino_literals import trino_literals
from gateway.planner.passes.trino_try import trino_try
from gateway.planner.passes.trino_unnest import trino_unnest
from gateway.planner.passes.verify_relations import verify_relations
from gateway.planner.passes.wrap_values import wrap_values
from gateway.planner.views import ViewDefinition, ViewKey

log = logging.getLogger(__name__)

Pass = Callable[[QueryContext], QueryContext]

PASSES: tuple[Pass, ...] = (
    parse,
    read_only,
    metadata_statements,
    wrap_values,
    qualify_tables,
    check_relations,
    resolve_tables,
    trino_alias_refs,
    allow_functions,
    name_columns,
    trino_join_stars,
    qualify_columns,
    authorize,
    route,
    trino_literals,
    result_types,
    annotate_types,
    trino_folding,
    trino_arithmetic,
    trino_aggregates,
    trino_functions,
    trino_unnest,
    trino_arrays,
    trino_try,
    clear_types,
    secure_views,
    expand_views,
    bind_session,
    map_catalogs,
    verify_relations,
    transpile,
)

#: the key of a cached plan holds each of these (every field of QueryRequest)
_REQUEST_FIELDS = tuple(field.name for field in fields(QueryRequest))
CacheKey = tuple[object, ...]

_EXPLAIN = re.compile(
    r"^\s*EXPLAIN(?:\s+ANALYZE)?(?:\s*\((?P<options>[^)]*)\))?\s+(?P<query>.+)$", re.I | re.S
)


class Planner:
    def __init__(
        self,
        connectors: ConnectorRegistry,
        snapshot: MetadataSnapshot,
        *,
        max_sql_bytes: int,
        authorizer: Authorizer | None = None,
        cache_size: int = 4096,
        passes: tuple[Pass, ...] = PASSES,
    ) -> None:
        #: (engines, metadata, generation): replaced whole by :meth:`swap`, read once per plan
        self._metadata: tuple[ConnectorRegistry, MetadataSnapshot, int] = (connectors, snapshot, 0)
        self.max_sql_bytes = max_sql_bytes
        self.authorizer = authorizer
        self.passes = passes
        self._cache: LRUCache[CacheKey, Plan] = LRUCache(maxsize=max(cache_size, 1))
        self._cache_enabled = cache_size > 0
        self._lock = threading.Lock()
        #: the workspace views expand_views expands (replaced with the metadata by :meth:`swap`)
        self.views: Mapping[ViewKey, ViewDefinition] = {}

    @property
    def connectors(self) -> ConnectorRegistry:
        return self._metadata[0]

    @property
    def snapshot(self) -> MetadataSnapshot:
        return self._metadata[1]

    def swap(
        self,
        connectors: ConnectorRegistry,
        snapshot: MetadataSnapshot,
        views: Mapping[ViewKey, ViewDefinition] | None = None,
    ) -> None:
        """Plan against new engines and metadata from now on (a catalog refresh). Plans being
        made finish on what they started with; cached plans of the old ones are never reused."""
        with self._lock:
            self._metadata = (connectors, snapshot, self._metadata[2] + 1)
            if views is not None:
                self.views = views
            self._cache.clear()

    def cache_key(
        self, request: QueryRequest, metadata: tuple[ConnectorRegistry, MetadataSnapshot, int] | None = None
    ) -> CacheKey:
        _, snapshot, generation = metadata or self._metadata
        # every field of the request, by construction (closed world: none can be forgotten)
        fields = tuple(getattr(request, name) for name in _REQUEST_FIELDS)
        policies = self.authorizer.version if self.authorizer is not None else ""
        # new engines (generation): plans naming the old ones are stale
        return (*fields, snapshot.version, str(generation), policies)

    def lookup(self, request: QueryRequest) -> Plan | None:
        """The cached plan, if there is one (cheap enough for the event loop)."""
        if not self._cache_enabled:
            return None
        if self.authorizer is not None and self.authorizer.refresh_due():
            return None  # plan() reloads the policies, off the loop
        key = self.cache_key(request)
        with self._lock:
            return self._cache.get(key)

    def plan(self, request: QueryRequest) -> Plan:
        if self.authorizer is not None:
            self.authorizer.refresh()
        metadata = self._metadata
        key = self.cache_key(request, metadata)
        if self._cache_enabled:
            with self._lock:
                cached = self._cache.get(key)
            if cached is not None:
                return cached
        plan = self.plan_uncached(request, metadata=metadata)
        if self._cache_enabled:
            with self._lock:
                # stored only if policies and metadata stayed as the key says while planning
                if self._metadata is metadata and self.cache_key(request, metadata) == key:
                    self._cache[key] = plan
        return plan

    def plan_uncached(
        self,
        request: QueryRequest,
        *,
        explain: bool = False,
        metadata: tuple[ConnectorRegistry, MetadataSnapshot, int] | None = None,
    ) -> Plan:
        connectors, snapshot, _ = metadata or self._metadata
        ctx = QueryContext(request, snapshot, connectors, self.max_sql_bytes, self.authorizer)
        ctx.views = self.views
        ctx.explain = explain
        traced = tracing_enabled()
        try:
            for step in self.passes:
                if traced:
                    with pass_span(getattr(step, "__name__", "pass")):
                        ctx = step(ctx)
                else:
                    ctx = step(ctx)
                if step is parse and _is_explain(ctx.tree):
                    return self._explain(request, (connectors, snapshot, 0))
        except RecursionError:
            raise LakegateError(ErrorCode.QUERY_TOO_COMPLEX, "the query is nested too deeply") from None
        except LakegateError as exc:
            exc.decisions = tuple(ctx.decisions)
            raise
        except Exception:
            # A pass met a shape it was not written for (sqlglot asserts on some): what the
            # planner cannot analyse, it cannot prove safe, so the query is refused, not run.
            log.exception("the planner could not analyse a query; it was refused")
            error = LakegateError(
                ErrorCode.NOT_SUPPORTED,
                "Lakegate cannot analyse this query, so it was not run; simplify or rewrite it",
            )
            error.decisions = tuple(ctx.decisions)
            raise error from None
        tables = tuple((t.catalog, t.schema, t.table) for t in ctx.tables)
        decisions = tuple(ctx.decisions)
        if ctx.local_result is not None:
            return Plan("local", None, None, None, tables, ctx.local_result, decisions)
        return Plan(
            "engine",
            ctx.connector,
            ctx.engine_sql,
            ctx.logical_sql,
            tables,
            decisions=decisions,
            result_types=ctx.result_types,
            result_names=ctx.result_names,
        )

    def _explain(
        self, request: QueryRequest, metadata: tuple[ConnectorRegistry, MetadataSnapshot, int]
    ) -> Plan:
        match = _EXPLAIN.match(request.sql)
        if not match:
            raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, "EXPLAIN must be followed by a query")
        inner = self.plan_uncached(
            QueryRequest(
                match.group("query"),
                request.catalog,
                request.schema,
                request.dialect,
                request.user,
                request.groups,
                request.time_zone,
            ),
            explain=True,
            metadata=metadata,
        )
        if inner.kind == "local":
            lines = ["Lakegate answers this statement from its metadata"]
        else:
            assert inner.connector is not None
            lines = [
                f"Engine: {inner.connector.name}",
                "Tables: " + ", ".join(".".join(t) for t in inner.tables),
                "Query:",
                inner.logical_sql or "",
            ]
        kind, form = explain_options(match.group("options"))
        result = explain_result(kind, form, "\n".join(lines), inner.tables)
        return Plan("local", None, None, None, inner.tables, result)


def _is_explain(tree: exp.Expr | None) -> bool:
    return isinstance(tree, exp.Command) and str(tree.this).upper() == "EXPLAIN"
