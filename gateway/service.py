"""The gateway's services in one place: engines, metadata, planner, queries, limits, metrics.

Front doors (the native API, the Trino protocol) call :meth:`Gateway.start_query` and stream
what it returns; they never talk to an engine directly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from auth.audit import audit_log_from_config
from auth.audit.store import AuditError
from auth.authorizer import Authorizer
from auth.identity import Identity
from auth.search_visibility import AuthorizerVisibility
from catalog.curation_seed import SeedError, load_seed
from catalog.harvest.result import RefreshResult
from catalog.metadata import MetadataSnapshot
from catalog.search import CatalogSearch
from catalog.search.backends import open_backend
from catalog.seeding import apply_seed
from catalog.service import CatalogService
from catalog.store.factory import backend_from_config, store_from_config
from connectors.base import Connector, RoutingHints
from connectors.registry import ConnectorRegistry
from gateway.admission import Admission
from gateway.catalog_refresh import CatalogRefresher
from gateway.catalog_sync import CatalogSync
from gateway.config import ConfigError, LakegateConfig
from gateway.datasets.cataloguing import catalogue, forget
from gateway.datasets.model import Dataset
from gateway.datasets.service import DatasetService, Outcome
from gateway.datasets.statements import read_statement
from gateway.datasets.store import DatasetStore
from gateway.errors import ErrorCode, LakegateError
from gateway.execution import Encoder, Executor, RunningQuery, _identity, finish_state
from gateway.instances import InstanceDirectory
from gateway.kill_requests import KillRequests
from gateway.lifecycle import Drain
from gateway.loop_calls import awaitable_outcome
from gateway.metrics import Metrics
from gateway.observability.tracing import QueryTrace
from gateway.planner.context import Plan, QueryRequest
from gateway.planner.pipeline import Planner
from gateway.queries import QueryRecord, QueryRegistry, random_node_id

log = logging.getLogger(__name__)
query_log = logging.getLogger("lakegate.queries")
#: popularity counts the queries of this many days
POPULARITY_DAYS = 30


def build_authorizer(config: LakegateConfig) -> Authorizer | None:
    policies = config.policies
    if policies is None:
        return None
    return Authorizer(
        config.resolve_path(policies.file),
        service_type=policies.service_type,
        tags=policies.tags,
        admin_users=policies.admins.users,
        admin_groups=policies.admins.groups,
        reload_seconds=policies.reload_seconds,
    )


async def await_recorded(durable: Future[None] | None) -> None:
    """Wait until a finished query's audit record is durable. An answer whose record cannot be
    written is not completed (fail closed): LakegateError AUDIT_UNAVAILABLE."""
    if durable is None:
        return
    try:
        # a client that goes away cancels only its wait, never the write's future
        await awaitable_outcome(durable, asyncio.get_running_loop())
    except AuditError:
        raise LakegateError(
            ErrorCode.AUDIT_UNAVAILABLE,
            "the audit log cannot record this query, so its answer is withheld; retry shortly",
        ) from None


def open_search(config: LakegateConfig, authorizer: Authorizer | None) -> CatalogSearch:
    """The metadata search index the configuration names, filtered by the query policies."""
    settings = config.catalog.search
    index_path = config.resolve_path(settings.index_path) if settings.index_path else None
    backend = open_backend(settings.backend, index_path=index_path, solr_url=settings.solr_url)
    return CatalogSearch(backend, AuthorizerVisibility(authorizer) if authorizer is not None else None)


class Gateway:
    def __init__(
        self, config: LakegateConfig, connectors: list[Connector], *, rebuild_engines: bool = False
    ) -> None:
        """``rebuild_engines``: the connectors were built from ``config``, so a refresh may build
        a new embedded engine from it when the lake folders' files changed."""
        self.config = config
        settings = config.server
        self.metrics = Metrics()
        self.catalog = CatalogService(store_from_config(config), instance=config.catalog.instance)
        #: state every instance shares (web UI sessions, kill requests): the catalog's database
        #: on a connection of its own, so a long harvest never holds up a sign-in
        self.state = backend_from_config(config)
        self.node_id = settings.node_id or random_node_id()
        cluster = settings.cluster
        #: several instances: where each one is (registered at start, gateway/app.py)
        self.instances = (
            InstanceDirectory(
                self.state,
                self.node_id,
                cluster.internal_address,
                heartbeat_seconds=cluster.heartbeat_seconds,
                stale_seconds=cluster.stale_seconds,
            )
            if cluster is not None
            else None
        )
        #: with a node id (several instances), a kill for another instance's query goes through
        #: the state store to its owner
        self.kill_requests = (
            KillRequests(self.state, self.node_id)
            if settings.node_id is not None or cluster is not None
            else None
        )
        #: the workspace catalogs' datasets (None: no workspace is configured, all is read-only)
        self.datasets: DatasetService | None = None
        if config.workspaces and not rebuild_engines:
            # datasets need engines built from the config (a new table file needs a new engine)
            log.warning("workspace catalogs are off: the engines were not built from the config")
        elif config.workspaces:
            self.datasets = DatasetService(
                config,
                DatasetStore(self.catalog.store.backend),
                None,
                settings.limits,
                settings.engine.batch_rows,
            )
        self.refresher = CatalogRefresher(
            config,
            self.catalog,
            connectors,
            self.metrics,
            rebuild_engines=rebuild_engines,
            extra_sources=self.datasets.sources if self.datasets is not None else None,
        )
        self.last_refresh: RefreshResult = self.refresher.refresh()  # the start-up harvest
        self.authorizer = build_authorizer(config)
        if self.authorizer is None:
            log.warning("no policies configured: every authenticated user may read every catalog")
        if config.catalog.seed is not None:
            self._apply_seed(config.resolve_path(config.catalog.seed))
        self.audit = audit_log_from_config(config)
        self._popularity: dict[str, int] | None = None
        self._update_popularity()
        self.search = open_search(config, self.authorizer)
        self.catalog_sync = CatalogSync(self.catalog, self.authorizer, self.search)
        self.catalog_sync.sync()
        self.planner = Planner(
            ConnectorRegistry(self.refresher.engines),
            self.catalog.snapshot(),
            max_sql_bytes=settings.limits.max_sql_bytes,
            authorizer=self.authorizer,
            cache_size=settings.plan_cache_size,
        )
        if self.datasets is not None:
            self._wire_datasets(self.datasets)
        self.queries = QueryRegistry(settings.query_history_size, self.node_id)
        self.executor = Executor(settings.limits, settings.engine.batch_rows)
        self.admission = Admission(
            settings.admission, settings.engine.max_concurrent_queries, self.metrics.set_admission
        )
        self.started = time.time()
        self.drain = Drain()

    def _wire_datasets(self, datasets: DatasetService) -> None:
        datasets.authorizer = self.authorizer
        datasets.plan = self.planner.plan
        datasets.apply = self.refresh_catalog

        def record(dataset: Dataset, set_owner: bool) -> str | None:
            problem = catalogue(self.catalog, self.planner.snapshot, dataset, set_owner=set_owner)
            self.catalog_sync.sync()  # propagated tags reach the policies, the dataset the index
            return problem

        def drop(dataset: Dataset) -> None:
            forget(self.catalog, dataset)
            self.catalog_sync.sync()

        datasets.catalogue = record
        datasets.forget = drop
        self.planner.swap(self.planner.connectors, self.planner.snapshot, datasets.view_definitions())

    def _update_popularity(self) -> None:
        """Queries per table over the last 30 days, from the audit log, into the catalog (search
        ranks by it; entity pages show it). Unchanged counts change nothing."""
        try:
            counts = self.audit.store.table_popularity(time.time() - POPULARITY_DAYS * 86400)
        except AuditError:
            log.exception("popularity could not be read from the audit log")
            return
        if counts != self._popularity:
            self._popularity = counts
            self.catalog.set_popularity(counts)

    def _apply_seed(self, path: Path) -> None:
        try:
            seed = load_seed(path)
        except OSError as exc:
            raise ConfigError(f"catalog.seed: cannot read {path}: {exc.strerror}") from None
        except SeedError as exc:
            raise ConfigError(f"catalog.seed: {exc}") from None
        report = apply_seed(self.catalog, seed, self.catalog.snapshot())
        log.info(
            "catalog seed %s: %d terms, %d entities curated (%d kept as stewards left them), %d queries",
            path.name,
            report.terms,
            report.curated,
            report.kept,
            report.queries,
        )

    @property
    def connectors(self) -> ConnectorRegistry:
        return self.planner.connectors

    @property
    def snapshot(self) -> MetadataSnapshot:
        return self.planner.snapshot

    def refresh_catalog(self) -> RefreshResult:
        """Harvest every source again; from the next query on, the planner uses what was found
        (a new lake file is queryable). Blocking: call it off the event loop."""

        def install(registry: ConnectorRegistry) -> None:
            snapshot = self.catalog.snapshot()
            views = self.datasets.view_definitions() if self.datasets is not None else None
            same_engines = registry.connectors() == self.planner.connectors.connectors()
            same_views = views is None or views == self.planner.views
            if same_engines and same_views and snapshot.catalogs() == self.planner.snapshot.catalogs():
                return  # the same engines, metadata and views: keep the plan cache
            self.planner.swap(registry, snapshot, views)

        self.last_refresh = self.refresher.refresh(install)
        self._update_popularity()
        self.catalog_sync.sync()
        return self.last_refresh

    def plan(self, request: QueryRequest) -> Plan:
        return self.planner.plan(request)

    def _plan_or_define(self, request: QueryRequest) -> Plan:
        """Plan a query; a dataset statement (CREATE VIEW, CREATE TABLE AS, DROP, ...) is carried
        out here instead, and its answer planned as a local result (never cached)."""
        datasets = self.datasets
        if datasets is not None and request.dialect == "trino":
            statement = read_statement(request.sql, request.catalog, request.schema)
            if statement is not None and datasets.handles(statement):
                outcome = datasets.execute(statement, request)
                return self.outcome_plan(outcome)
        return self.planner.plan(request)

    @staticmethod
    def outcome_plan(outcome: Outcome) -> Plan:
        tables = (outcome.dataset.key,) if outcome.dataset is not None else ()
        return Plan("local", None, None, None, tables, outcome.result, tuple(outcome.decisions))

    async def run_dataset_action(
        self, request: QueryRequest, action: Callable[[], Outcome], source: str, client_address: str | None
    ) -> Outcome:
        """Carry out a dataset change that came through the REST API, recorded and audited as the
        statement ``request.sql`` (its Trino equivalent)."""
        record = self.new_record(request, source, client_address)
        record.start()
        try:
            outcome = await asyncio.to_thread(action)
        except LakegateError as exc:
            exc.query_id = record.id
            await self.recorded(self.finish(record, exc))
            raise
        except Exception:
            log.exception("dataset action %s failed", record.id)
            error = LakegateError(ErrorCode.INTERNAL_ERROR, f"{record.id} failed; the server log has details")
            error.query_id = record.id
            await self.recorded(self.finish(record, error))
            raise error from None
        record.decisions = tuple(outcome.decisions)
        await self.recorded(self.finish(record, None))
        return outcome

    async def start_query(
        self,
        request: QueryRequest,
        source: str,
        encode: Encoder = _identity,
        client_address: str | None = None,
        hints: RoutingHints | None = None,
        record: QueryRecord | None = None,
    ) -> tuple[QueryRecord, RunningQuery]:
        """Plan the query, wait for its turn in its resource group, and start it. Raises
        LakegateError (recorded against the query's id). A door that must know the query's id
        while it waits (to show it queued, or to cancel it when the client goes) creates the
        record first (:meth:`new_record`) and passes it in."""
        if record is None:
            record = self.new_record(request, source, client_address)
        record.hints = hints or RoutingHints(user=request.user, groups=request.groups, source=source)
        trace = record.trace = QueryTrace(record)
        try:
            self._refuse_if_draining()
            try:
                # A cached plan is taken on the loop; planning itself runs on a worker thread.
                with trace.span("lakegate.plan") as span:
                    cached = self.planner.lookup(request)
                    span.set_attribute("lakegate.plan_cached", cached is not None)
                    plan = (
                        cached
                        if cached is not None
                        else await asyncio.to_thread(self._plan_or_define, request)
                    )
            except LakegateError as exc:
                record.decisions = exc.decisions
                raise
            record.decisions = plan.decisions
            waited = time.monotonic()
            with trace.span("lakegate.queue"):
                ticket = await self.admission.admit(
                    record, request.user, request.groups, record.hints.source or source
                )
            self.metrics.queued_seconds.observe(time.monotonic() - waited)
            try:
                self._refuse_if_draining()  # it may have waited in the queue past SIGTERM
                with trace.span("lakegate.execute"):
                    # the slot is the engine's: given back as soon as the engine is done
                    running = await self.executor.start(
                        plan, record, encode, lambda: self.admission.release(ticket)
                    )
            except BaseException:
                self.admission.release(ticket)
                raise
            running.ticket = ticket
            trace.open("lakegate.stream")
        except LakegateError as exc:
            exc.query_id = record.id
            # A refusal is an answer too: it leaves once its audit record is durable.
            await self.recorded(self.finish(record, exc))
            raise
        except BaseException as exc:
            error = LakegateError(ErrorCode.INTERNAL_ERROR, "the query could not be started")
            if not isinstance(exc, asyncio.CancelledError):
                log.exception("query %s could not start", record.id)
            error.query_id = record.id
            self.finish(record, error)
            raise error from None
        self.metrics.running.inc()
        return record, running

    def _refuse_if_draining(self) -> None:
        if self.drain.draining:
            raise LakegateError(
                ErrorCode.SERVER_SHUTTING_DOWN,
                "the server is shutting down and takes no new queries; retry (another instance answers)",
            )

    def new_record(
        self, request: QueryRequest, source: str, client_address: str | None = None
    ) -> QueryRecord:
        """A query's record, before it is planned or admitted (see :meth:`start_query`)."""
        return self.queries.create(request.user, request.sql, source, request.groups, client_address)

    def end(self, running: RunningQuery, error: LakegateError | None) -> Future[None] | None:
        """A started query is over: free its slot (once) and record how it ended.

        Returns the audit record's durability (see :meth:`finish`)."""
        if not running.released:
            running.released = True
            if running.ticket is not None:
                self.admission.release(running.ticket)
            self.metrics.running.dec()
        if error is None and running.record.cancellation.canceled:
            error = LakegateError(ErrorCode.QUERY_CANCELED, running.record.cancellation.reason)
        return self.finish(running.record, error)

    def finish(self, record: QueryRecord, error: LakegateError | None) -> Future[None] | None:
        """Record how a query ended, once. Returns a future that is done when its audit record is
        durable (None when the query had already been recorded): a front door completes the
        answer only after awaiting it (:meth:`recorded`)."""
        if not record.finish(finish_state(error), error):
            return None
        self.queries.done(record)
        if record.trace is not None:
            record.trace.finish(record, error)
        durable = self._audit(record, error)
        query_log.info(
            "query",
            extra={
                "fields": {
                    "query_id": record.id,
                    "user": record.user,
                    "door": record.source,
                    "state": record.state.value,
                    "rows": record.rows,
                    "bytes": record.bytes,
                    "duration_ms": round(record.elapsed() * 1000, 3),
                    "error_code": error.code.value if error is not None else None,
                }
            },
        )
        self.metrics.queries.labels(record.state.value, record.source).inc()
        self.metrics.latency.observe(record.elapsed())
        if error is not None:
            self.metrics.errors.labels(error.code.value).inc()
        return durable

    async def recorded(self, durable: Future[None] | None) -> None:
        """Wait until a finished query's audit record is durable (see :func:`await_recorded`)."""
        await await_recorded(durable)

    def _audit(self, record: QueryRecord, error: LakegateError | None) -> Future[None]:
        """Hand the query's audit record to the audit log's background writer (group commit)."""
        identity = Identity(record.user, record.groups)
        status = error.status if error is not None else 200
        try:
            audit_record = self.audit.query_record(
                record, identity, record.client_address, record.source, None, record.decisions, None, status
            )
        except Exception:
            log.exception("the audit record of query %s could not be built", record.id)
            failed: Future[None] = Future()
            failed.set_exception(AuditError("the audit record could not be built"))
            return failed
        return self.audit.submit(audit_record)

    def cancel(self, record: QueryRecord, reason: str = "canceled by the user") -> None:
        record.cancellation.cancel(reason)

    def close(self) -> None:
        for record in self.queries.running():
            record.cancellation.cancel("the server is shutting down")
        self.executor.join(timeout=10)
        self.connectors.close()
        self.refresher.close()
        self.search.backend.close()
        self.catalog.close()
        self.state.close()
        self.audit.close()
