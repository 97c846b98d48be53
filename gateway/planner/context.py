"""What a query carries through the planner: the request, the tree, and what the passes found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa
from sqlglot import exp

from auth.authorizer import Authorizer, Decision
from auth.identity import Identity
from catalog.metadata import MetadataSnapshot, Resolved
from connectors.base import Connector
from connectors.registry import ConnectorRegistry
from gateway.planner.views import ViewDefinition, ViewKey


@dataclass(frozen=True, slots=True)
class QueryRequest:
    sql: str
    catalog: str | None = None
    schema: str | None = None
    dialect: str = "trino"
    user: str = "anonymous"
    groups: tuple[str, ...] = ()
    #: the session's time zone (Trino's X-Trino-Time-Zone or SET TIME ZONE), validated
    time_zone: str = "UTC"

    @property
    def identity(self) -> Identity:
        return Identity(self.user, self.groups)


@dataclass(slots=True)
class QueryContext:
    request: QueryRequest
    snapshot: MetadataSnapshot
    connectors: ConnectorRegistry
    max_sql_bytes: int
    #: None when no policies are configured (every user may read everything)
    authorizer: Authorizer | None = None
    tree: exp.Expr | None = None
    tables: list[Resolved] = field(default_factory=list)
    #: (physical catalog, schema, table) of every table map_catalogs mapped: the only ones the
    #: engine may read (verify_relations)
    mapped: set[tuple[str, str, str]] = field(default_factory=set)
    connector: Connector | None = None
    #: the SQL in logical names, Trino dialect (for EXPLAIN and audit)
    logical_sql: str | None = None
    engine_sql: str | None = None
    #: set when Lakegate answers the statement itself (SHOW, DESCRIBE, EXPLAIN)
    local_result: pa.Table | None = None
    done: bool = False
    #: planning for EXPLAIN: keep the logical SQL to show
    explain: bool = False
    #: type with sqlglot's whole-tree annotation, not only what the rewrites read (tests compare)
    full_type_annotation: bool = False
    #: every authorization decision taken, for the audit log
    decisions: list[Decision] = field(default_factory=list)
    #: the workspace views (expand_views), and the views being expanded around this query
    views: Mapping[ViewKey, ViewDefinition] = field(default_factory=dict)
    view_path: tuple[ViewKey, ...] = ()
    #: the Trino type of each result column whose engine type differs (None: as the engine gives)
    result_types: tuple[str | None, ...] = ()
    #: each result column's name as Trino spells it (name_columns; empty or None: as the engine gives)
    result_names: tuple[str | None, ...] = ()
    #: a star reads a join USING: qualify_columns expands it in Trino's order (trino_join_stars)
    stars_over_using: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    """The cacheable outcome of planning: what to run where, or the answer itself."""

    kind: str  # "engine" | "local"
    connector: Connector | None
    engine_sql: str | None
    logical_sql: str | None
    tables: tuple[tuple[str, str, str], ...]
    local_result: pa.Table | None = None
    decisions: tuple[Decision, ...] = ()
    #: Trino types the engine's result columns are converted to (``gateway/conform.py``)
    result_types: tuple[str | None, ...] = ()
    #: the result columns' names as Trino spells them (``gateway/conform.py``; empty: the engine's)
    result_names: tuple[str | None, ...] = ()
