"""The Trino door's work behind the routes: run a statement, page its results, cancel it.

A statement is one of three kinds: one the door answers itself (``statements``), a query over
information_schema or system tables (``metadata_query``), or a query for the gateway, which
goes through :meth:`Gateway.start_query` like every native query (planner, limits, metrics,
query registry) with the door's JSON row encoder.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from auth.identity import Identity
from catalog.store.backends import StoreError
from connectors.base import RoutingHints
from gateway.errors import ErrorCode, LakegateError
from gateway.execution import RunningQuery
from gateway.frontdoors.trino import metadata_query, protocol, statements
from gateway.frontdoors.trino.encoding import RowEncoder
from gateway.frontdoors.trino.errors import NOT_FOUND, NOT_SUPPORTED, door_error
from gateway.frontdoors.trino.headers import PARAMETRIC_DATETIME, ClientSession, Protocol
from gateway.frontdoors.trino.listing import listing_for
from gateway.frontdoors.trino.paging import KILLED_PREFIX, PagedQuery
from gateway.frontdoors.trino.registry import QueryStore
from gateway.frontdoors.trino.rewrite import Analyzer, SessionValues, analyze_tree
from gateway.frontdoors.trino.settings import TrinoSettings
from gateway.frontdoors.trino.sources import EngineSource, ResultSource, TableSource
from gateway.frontdoors.trino.system_tables import SystemContext
from gateway.frontdoors.trino.types import column, trino_type
from gateway.kill_requests import Outcome
from gateway.planner.context import QueryRequest
from gateway.queries import TERMINAL, QueryRecord
from gateway.service import Gateway

log = logging.getLogger(__name__)
SOURCE = "trino"
_FIXED_SIZES = {
    "boolean": 1,
    "tinyint": 1,
    "smallint": 2,
    "integer": 4,
    "bigint": 8,
    "real": 4,
    "double": 8,
    "date": 4,
}


@dataclass(frozen=True, slots=True)
class Reply:
    body: bytes
    headers: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Request:
    """One POST /v1/statement: the SQL, who sent it, their session, and how to answer."""

    sql: str
    identity: Identity
    session: ClientSession
    protocol: Protocol
    base_url: str
    client_address: str | None = None


def _routing_hints(request: Request) -> RoutingHints:
    session, identity = request.session, request.identity
    return RoutingHints(
        user=identity.user,
        groups=identity.groups,
        source=session.source,
        client_tags=session.client_tags,
        routing_group=session.routing_group,
    )


def _query_request(request: Request, sql: str) -> QueryRequest:
    session, identity = request.session, request.identity
    return QueryRequest(
        sql,
        session.catalog,
        session.schema,
        "trino",
        identity.user,
        identity.groups,
        session.time_zone or "UTC",
    )


def _parametric_datetime(request: Request) -> bool:
    return PARAMETRIC_DATETIME in request.session.client_capabilities


def _encoder(request: Request) -> RowEncoder:
    return RowEncoder(request.session.time_zone, _parametric_datetime(request))


def _slug() -> str:
    return "y" + secrets.token_hex(16)


class TrinoDoor:
    def __init__(self, gateway: Gateway, settings: TrinoSettings) -> None:
        self.gateway = gateway
        self.settings = settings
        self.store = QueryStore(settings)
        self.analyzer = Analyzer()

    # -- submitting ---------------------------------------------------------------------------
    async def submit(self, request: Request) -> Reply:
        try:
            return await self._submit(request)
        except Exception:  # a bug must not become a 500: the statement fails, and says so
            log.exception("a Trino statement failed unexpectedly")
            error = LakegateError(
                ErrorCode.INTERNAL_ERROR, "the statement failed; the server log has details"
            )
            return self._failed(request, error)

    async def _submit(self, request: Request) -> Reply:
        limit = self.gateway.config.server.limits.max_sql_bytes
        if len(request.sql.encode("utf-8", "surrogatepass")) > limit:
            error = LakegateError(
                ErrorCode.QUERY_TOO_LARGE, f"Query text length exceeds the maximum length ({limit} bytes)"
            )
            return self._failed(request, error)
        classified = statements.classify(request.sql)
        if classified is None:
            return await self._query(request, request.sql, None)
        kind, match = classified
        listing = listing_for(self.gateway, request.identity)
        try:
            outcome = statements.answer(kind, match, request.session, listing)
            if outcome.kill is not None:
                await self._kill(request.identity, *outcome.kill)
            if outcome.describe is not None:
                outcome.table = await self._describe_output(request, outcome.describe)
        except LakegateError as error:
            return self._failed(request, error)
        if outcome.run is not None:
            return await self._query(request, outcome.run.sql(dialect="trino"), outcome.run)
        headers = outcome.updates.headers(request.protocol)
        record = self._record(request)
        if outcome.table is not None:
            source = TableSource(self.gateway, record, outcome.table, _encoder(request))
            return await self._first_page(request, source, headers)
        self.gateway.finish(record, None)
        # As Trino answers a statement without output: one boolean column ``result``, ``true``
        # (the JDBC driver reads a result set first and fails on "Query has no columns").
        doc = protocol.document(
            record,
            request.base_url,
            protocol.FINISHED,
            columns=[column("result", pa.bool_())],
            update_type=outcome.update_type,
        )
        return Reply(protocol.serialize(doc, b"[[true]]"), headers)

    def _record(self, request: Request, sql: str | None = None) -> QueryRecord:
        identity = request.identity
        record = self.gateway.queries.create(
            identity.user, sql or request.sql, SOURCE, identity.groups, request.client_address
        )
        record.start()
        return record

    def _failed(self, request: Request, error: LakegateError, record: QueryRecord | None = None) -> Reply:
        if record is None:
            record = self._record(request)
        self.gateway.finish(record, error)
        return Reply(protocol.failed(record, request.base_url, error), [])

    def _values(self, request: Request) -> SessionValues:
        session = request.session
        return SessionValues(
            request.identity.user, session.catalog, session.schema, session.time_zone, self.settings.version
        )

    async def _query(self, request: Request, sql: str, tree: exp.Expr | None) -> Reply:
        """Run a query: ``sql`` as the client sent it, or (EXECUTE) a bound statement's tree."""
        values = self._values(request)
        if tree is not None:
            result = analyze_tree(tree, values)
            if result.virtual:
                return await self._metadata_query(request, sql, result.tree, values)
            return await self._engine_query(
                request, result.tree.sql(dialect="trino") if result.changed else sql
            )
        analysis = self.analyzer.cached(sql, values)
        if analysis is None:
            analysis = await asyncio.to_thread(self.analyzer.analyze, sql, values)
        if not analysis.virtual:
            return await self._engine_query(request, analysis.sql)
        try:
            parsed = sqlglot.parse_one(sql, read="trino")
        except SqlglotError:  # it parsed a moment ago
            return self._failed(request, LakegateError(ErrorCode.SQL_SYNTAX_ERROR, "syntax error"))
        return await self._metadata_query(request, sql, parsed, values)

    async def _engine_query(self, request: Request, sql: str) -> Reply:
        """Start the query; if it has not started (or failed) within the first page's wait, it
        is queued or still planning: the first page says QUEUED and the client follows
        ``nextUri`` as it would on Trino."""
        query = _query_request(request, sql)
        record = self.gateway.new_record(query, SOURCE, request.client_address)
        starting = asyncio.ensure_future(self._start(query, record, request))
        await asyncio.wait({starting}, timeout=self.settings.first_page_wait_seconds)
        if starting.done() and not starting.cancelled() and starting.exception() is not None:
            error = starting.exception()
            assert isinstance(error, LakegateError)
            return Reply(protocol.failed(record, request.base_url, error), [])
        return await self._first_page(request, EngineSource(self.gateway, record, starting), [])

    async def _start(self, query: QueryRequest, record: QueryRecord, request: Request) -> RunningQuery:
        _, running = await self.gateway.start_query(
            query, SOURCE, _encoder(request), request.client_address, _routing_hints(request), record=record
        )
        return running

    async def _metadata_query(
        self, request: Request, sql: str, tree: exp.Expr, values: SessionValues
    ) -> Reply:
        record = self._record(request, sql)
        try:
            table = await metadata_query.run(tree, values, self._system_context(request), self.gateway)
        except LakegateError as error:
            return self._failed(request, error, record)
        source = TableSource(self.gateway, record, table, _encoder(request))
        return await self._first_page(request, source, [])

    def _system_context(self, request: Request) -> SystemContext:
        return SystemContext(
            listing=listing_for(self.gateway, request.identity),
            user=request.identity.user,
            queries=self.gateway.queries.recent(),
            version=self.settings.version,
            node_uri=request.base_url.rstrip("/"),
        )

    async def _first_page(
        self, request: Request, source: ResultSource, headers: list[tuple[str, str]]
    ) -> Reply:
        query = PagedQuery(
            source,
            slug=_slug(),
            headers=headers,
            metrics=self.gateway.metrics,
            parametric_datetime=_parametric_datetime(request),
        )
        self.store.add(query)
        body = await query.page(
            0, request.base_url, self.settings.first_page_wait_seconds, self.settings.target_result_bytes
        )
        return Reply(body, headers)

    # -- statements with effects elsewhere ----------------------------------------------------
    async def _describe_output(self, request: Request, tree: exp.Expr) -> pa.Table:
        names: list[str] = []
        type_names: list[str] = []
        aliased: list[bool] = []
        if isinstance(tree, exp.Query):
            probe = exp.select("*").from_(tree.subquery("lg_describe")).limit(0)
            query = _query_request(request, probe.sql(dialect="trino"))
            _, running = await self.gateway.start_query(query, SOURCE, client_address=request.client_address)
            error: LakegateError | None = None
            try:
                schema = await running.schema()
                async for _ in running.payloads():
                    pass
            except LakegateError as exc:
                error = exc
                raise
            finally:
                self.gateway.end(running, error)
            projections = tree.selects if isinstance(tree, exp.Query) else []
            for index, field in enumerate(schema):
                names.append(field.name)
                type_names.append(trino_type(field.type).display)
                projection = projections[index] if index < len(projections) else None
                aliased.append(isinstance(projection, exp.Alias))
        sizes = [_FIXED_SIZES.get(t, 0) for t in type_names]
        empty = [""] * len(names)
        return pa.table(
            {
                "Column Name": pa.array(names, pa.string()),
                "Catalog": pa.array(empty, pa.string()),
                "Schema": pa.array(empty, pa.string()),
                "Table": pa.array(empty, pa.string()),
                "Type": pa.array(type_names, pa.string()),
                "Type Size": pa.array(sizes, pa.int64()),
                "Aliased": pa.array(aliased, pa.bool_()),
            }
        )

    async def _kill(self, identity: Identity, query_id: str, message: str) -> None:
        """Kill a query here, or on the instance that owns it (gateway/kill_requests.py)."""
        reason = KILLED_PREFIX + (message or "killed by its owner")
        authorizer = self.gateway.authorizer
        admin = authorizer is not None and authorizer.is_admin(identity)
        kills = self.gateway.kill_requests
        if kills is not None and kills.owner_elsewhere(query_id) is not None:
            try:
                outcome = await asyncio.to_thread(kills.request, query_id, identity.user, admin, reason)
            except StoreError as exc:
                raise LakegateError(
                    ErrorCode.ENGINE_UNAVAILABLE, f"the kill request cannot reach the query's instance: {exc}"
                ) from None
        else:
            outcome = self.kill_here(query_id, identity.user, admin, reason)
        if outcome == "not_found":
            raise door_error(NOT_FOUND, f"Target query not found: {query_id}")
        if outcome == "not_running":
            raise door_error(NOT_SUPPORTED, f"Target query is not running: {query_id}")

    def kill_here(self, query_id: str, user: str, admin: bool, reason: str) -> Outcome:
        """Kill a query this instance runs, for its owner or an admin."""
        record = self.gateway.queries.get(query_id)
        if record is None or not (record.user == user or admin):
            return "not_found"  # another user's query is as unknown as none
        if record.state in TERMINAL:
            return "not_running"
        paged = self.store.get(query_id)
        if paged is not None:
            paged.cancel(reason)
        else:
            self.gateway.cancel(record, reason)
        return "killed"

    # -- paging -------------------------------------------------------------------------------
    def find(self, identity: Identity, query_id: str, slug: str) -> PagedQuery | None:
        """The query, if it exists, the slug matches and it is the caller's (else None: 404)."""
        query = self.store.get(query_id)
        if query is None or not secrets.compare_digest(query.slug, slug) or not owns(identity, query.record):
            return None
        return query

    def may_cancel(self, identity: Identity, record: QueryRecord) -> bool:
        """Owners may cancel their queries, and policy admins anyone's (as in the native API)."""
        authorizer = self.gateway.authorizer
        return owns(identity, record) or (authorizer is not None and authorizer.is_admin(identity))

    def close(self) -> None:
        self.store.close()


def owns(identity: Identity, record: QueryRecord) -> bool:
    """May this caller see and cancel this query? (Another user's query is as unknown as none.)"""
    return record.user == identity.user
