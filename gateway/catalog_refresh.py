"""Refreshing the catalog in a running gateway: engines, harvest, then the planner's metadata.

A lake folder's new files need a new embedded engine (the running one is locked down to the
files it was built with), so when a fresh reading of the config finds other files, a new engine
is built and swapped in; the old one is closed once no query can still be using it (after the
query timeout). Then every engine is harvested into the catalog, and the planner switches to
the new engines and metadata in one step.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable

from catalog.harvest.result import FAILED, RefreshResult, SourceResult
from catalog.service import CatalogService
from connectors.base import Connector
from connectors.duckdb.engine import DuckDBConnector
from connectors.duckdb.sources import Source
from connectors.registry import ConnectorRegistry
from gateway.config import ConfigError, LakegateConfig
from gateway.connector_factory import embedded_connector, embedded_sources
from gateway.metrics import Metrics

log = logging.getLogger(__name__)
#: an old engine is closed this long after the query timeout, so no query still reads it
RETIRE_GRACE_SECONDS = 30.0


class CatalogRefresher:
    def __init__(
        self,
        config: LakegateConfig,
        catalog: CatalogService,
        engines: list[Connector],
        metrics: Metrics,
        *,
        rebuild_engines: bool,
        extra_sources: Callable[[], list[Source]] | None = None,
    ) -> None:
        """``extra_sources``: more embedded sources, read at every refresh (the workspaces')."""
        self.config = config
        self.catalog = catalog
        self.engines = list(engines)
        self.metrics = metrics
        self._rebuild = rebuild_engines
        self._extra_sources = extra_sources
        self._retired: list[tuple[float, Connector]] = []
        self._lock = threading.Lock()

    def refresh(self, install: Callable[[ConnectorRegistry], None] | None = None) -> RefreshResult:
        """Harvest every engine (rebuilding the embedded one when its files changed) and hand the
        new engines to ``install``; one refresh at a time."""
        with self._lock:
            engines, notes = self._fresh_engines()
            result = self.catalog.refresh(engines)
            if notes:
                result = dataclasses.replace(result, sources=result.sources + tuple(notes))
            replaced = [e for e in self.engines if e not in engines]
            self.engines = engines
            if install is not None:
                install(ConnectorRegistry(engines))
            now = time.monotonic()
            self._retired.extend((now, e) for e in replaced)
            self._close_retired()
            self._observe(result)
            return result

    def _fresh_engines(self) -> tuple[list[Connector], list[SourceResult]]:
        if not self._rebuild:
            return list(self.engines), []
        engines: list[Connector] = []
        notes: list[SourceResult] = []
        for engine in self.engines:
            if not isinstance(engine, DuckDBConnector):
                engines.append(engine)
                continue
            try:
                extra = self._extra_sources() if self._extra_sources is not None else []
                sources = embedded_sources(self.config, extra)
                engine.detach_unreachable()
                if sources == engine.sources() and not engine.unavailable():
                    engines.append(engine)
                    continue
                # new or removed lake files, or a source to try again
                log.info("starting a new embedded engine (its files changed, or a source failed)")
                engines.append(embedded_connector(self.config, sources))
            except (ConfigError, ValueError, OSError) as exc:
                log.error("a new embedded engine could not be built: %s", exc)
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                notes.append(SourceResult("(embedded engine)", engine.name, FAILED, message))
                engines.append(engine)
        return engines, notes

    def _close_retired(self, *, everything: bool = False) -> None:
        horizon = self.config.server.limits.timeout_seconds + RETIRE_GRACE_SECONDS
        keep = []
        for since, engine in self._retired:
            if everything or time.monotonic() - since > horizon:
                try:
                    engine.close()
                except Exception:
                    log.exception("an old engine could not be closed")
            else:
                keep.append((since, engine))
        self._retired = keep

    def _observe(self, result: RefreshResult) -> None:
        self.metrics.catalog_refreshes.labels("failed" if result.failed else "ok").inc()
        self.metrics.catalog_refresh_seconds.set(result.duration_ms / 1000)
        self.metrics.catalog_entities.set(result.entities)
        for source in result.sources:
            self.metrics.catalog_source_up.labels(source.name).set(0 if source.status == FAILED else 1)

    def close(self) -> None:
        with self._lock:
            self._close_retired(everything=True)
