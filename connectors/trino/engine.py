"""The Trino connector: whole queries dispatched to one of several Trino clusters.

Lakegate plans and authorizes a query, generates it in Trino's dialect with the clusters'
catalog names, and hands it here: the routing group and the cluster are chosen
(:mod:`connectors.trino.routing`), the query runs there as the end user
(:mod:`connectors.trino.cluster`), and its pages come back as Arrow batches
(:mod:`connectors.trino.types`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence

import sqlglot
from sqlglot import exp

from connectors.base import (
    Cancellation,
    CatalogInfo,
    ConnectorError,
    ExecutionResult,
    RoutingHints,
)
from connectors.trino.cluster import TrinoCluster
from connectors.trino.health import HealthMonitor, State
from connectors.trino.metadata import TrinoCatalog, catalog_info, columns_sql, extra_sql
from connectors.trino.query import TrinoRun
from connectors.trino.routing import DEFAULT_GROUP, Router, RoutingRule

log = logging.getLogger(__name__)


class TrinoConnector:
    """Serves the configured Trino catalogs from a pool of clusters in routing groups."""

    dialect = "trino"

    def __init__(
        self,
        clusters: Sequence[TrinoCluster],
        catalogs: Iterable[TrinoCatalog],
        *,
        rules: Iterable[RoutingRule] = (),
        default_group: str = DEFAULT_GROUP,
        health_check_seconds: float = 30.0,
        name: str = "trino",
    ) -> None:
        if not clusters:
            raise ValueError("the Trino connector needs at least one cluster")
        names = [c.name for c in clusters]
        if len(set(names)) != len(names):
            raise ValueError("Trino cluster names must be unique")
        self.name = name
        self._clusters = list(clusters)
        self._catalogs = {c.name: c for c in catalogs}
        self._logical: dict[str, set[str]] = {}  # physical name -> logical names
        for catalog in self._catalogs.values():
            self._logical.setdefault(catalog.physical, set()).add(catalog.name)
        self._monitor = HealthMonitor(self._clusters, health_check_seconds)
        self._router = Router(self._clusters, self._monitor, rules, default_group)
        self._warned_no_user = threading.Event()
        self._failed: dict[str, str] = {}
        self._monitor.start()
        self._metadata = self._read_metadata()

    # -- metadata ----------------------------------------------------------------------------
    def _read_metadata(self) -> list[CatalogInfo]:
        """Every configured catalog, read from the first healthy cluster that answers."""
        problem = "no Trino cluster is healthy"
        for cluster in self._clusters:
            if not self._monitor.healthy(cluster):
                continue
            infos: list[CatalogInfo] = []
            failed: dict[str, str] = {}
            try:
                for catalog in self._catalogs.values():
                    extra: dict[str, list[dict[str, object]]] = {}
                    try:
                        rows = self._metadata_rows(cluster, columns_sql(catalog))
                    except ConnectorError as exc:
                        if exc.kind == "unavailable":
                            raise
                        failed[catalog.name] = exc.message
                        rows = []
                    else:
                        for part, sql in extra_sql(catalog).items():
                            try:
                                extra[part] = self._metadata_rows(cluster, sql)
                            except ConnectorError as exc:
                                if exc.kind == "unavailable":
                                    raise
                                log.warning(
                                    "Trino catalog %s: no %s metadata: %s", catalog.name, part, exc.message
                                )
                    infos.append(catalog_info(catalog, rows, self.name, extra))
            except ConnectorError as exc:
                problem = exc.message
                continue
            self._failed = failed
            for logical, message in failed.items():
                log.error("Trino catalog %s is unavailable: %s", logical, message)
            return infos
        log.error("the Trino catalogs are unavailable: %s", problem)
        self._failed = {name: problem for name in self._catalogs}
        return [CatalogInfo(c.name, self.name, c.comment) for c in self._catalogs.values()]

    def _metadata_rows(self, cluster: TrinoCluster, sql: str) -> list[dict[str, object]]:
        cluster.started()  # the run ends it
        run = TrinoRun(cluster, Cancellation(), RoutingHints(), self._monitor.mark_unhealthy)
        run.start(sql)
        rows: list[dict[str, object]] = []
        for batch in run.batches(10_000):
            rows.extend(batch.to_pylist())
        return rows

    def refresh_metadata(self) -> list[CatalogInfo]:
        """Read every catalog's metadata again, from the first healthy cluster."""
        self._metadata = self._read_metadata()
        return self._metadata

    def problems(self) -> dict[str, str]:
        return {}

    # -- Connector protocol ------------------------------------------------------------------
    def catalogs(self) -> list[CatalogInfo]:
        return self._metadata

    def physical_catalog(self, logical: str) -> str:
        return self._catalogs[logical].physical

    def unreadable(self, tables: Sequence[tuple[str, str, str]]) -> list[str]:
        """Trino names a table it cannot read in its own error; nothing to add."""
        return []

    def unavailable(self) -> dict[str, str]:
        return dict(self._failed)

    def execute(
        self, sql: str, cancellation: Cancellation, batch_rows: int, hints: RoutingHints | None = None
    ) -> ExecutionResult:
        if hints is None or not hints.user:
            if not self._warned_no_user.is_set():
                self._warned_no_user.set()
                log.warning("queries reach Trino without an end user: they run as the service user")
            hints = hints or RoutingHints()
        catalogs = frozenset(hints.catalogs)
        if not catalogs and self._router.uses_catalogs():
            catalogs = self._catalogs_read(sql)
        group = self._router.group_for(hints, catalogs)
        tried: set[str] = set()
        while True:
            cluster = self._router.pick(group, exclude=tried)
            run = TrinoRun(cluster, cancellation, hints, self._monitor.mark_unhealthy)
            try:
                schema = run.start(sql)
            except ConnectorError:
                if not run.unreached:
                    raise
                # Never submitted (the connection was refused): another cluster of the group may run it.
                tried.add(cluster.name)
                log.warning("Trino cluster %s cannot be reached; trying another of %s", cluster.name, group)
                continue
            return ExecutionResult(schema, run.batches(batch_rows))

    def _catalogs_read(self, sql: str) -> frozenset[str]:
        """The logical catalogs a query (Trino dialect, physical names) reads, when the caller did
        not say: a physical catalog behind two logical ones counts as both."""
        try:
            tree = sqlglot.parse_one(sql, read="trino")
        except sqlglot.errors.ParseError:
            return frozenset()
        physical = {table.catalog for table in tree.find_all(exp.Table) if table.catalog}
        return frozenset(name for p in physical for name in self._logical.get(p, ()))

    def health(self) -> tuple[bool, str]:
        parts = []
        healthy = True
        for group, members in sorted(self._router.groups.items()):
            states = []
            group_up = False
            for cluster in members:
                status = self._monitor.status(cluster)
                group_up = group_up or status.state is State.HEALTHY
                detail = "" if status.state is State.HEALTHY else f" ({status.detail})"
                states.append(f"{cluster.name} {status.state.value}{detail}")
            healthy = healthy and group_up
            parts.append(f"{group}: " + ", ".join(states))
        if self._failed:
            healthy = False
            parts.append("unavailable catalogs: " + ", ".join(sorted(self._failed)))
        return healthy, "; ".join(parts)

    def close(self) -> None:
        self._monitor.close()
