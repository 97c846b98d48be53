"""What a query carries through the planner: the request, the tree, and what the passes found."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
from sqlglot import exp

from catalog.metadata import MetadataSnapshot, Resolved
from connectors.base import Connector
from connectors.registry import ConnectorRegistry


@dataclass(frozen=True, slots=True)
class QueryRequest:
    sql: str
    catalog: str | None = None
    schema: str | None = None
    dialect: str = "trino"
    user: str = "anonymous"


@dataclass(slots=True)
class QueryContext:
    request: QueryRequest
    snapshot: MetadataSnapshot
    connectors: ConnectorRegistry
    max_sql_bytes: int
    tree: exp.Expr | None = None
    tables: list[Resolved] = field(default_factory=list)
    connector: Connector | None = None
    #: the SQL in logical names, Trino dialect (for EXPLAIN and audit)
    logical_sql: str | None = None
    engine_sql: str | None = None
    #: set when Lakegate answers the statement itself (SHOW, DESCRIBE, EXPLAIN)
    local_result: pa.Table | None = None
    done: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    """The cacheable outcome of planning: what to run where, or the answer itself."""

    kind: str  # "engine" | "local"
    connector: Connector | None
    engine_sql: str | None
    logical_sql: str | None
    tables: tuple[tuple[str, str, str], ...]
    local_result: pa.Table | None = None
