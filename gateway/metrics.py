"""Prometheus metrics, one registry per app (so tests can run many apps side by side).

Under ``lakegate serve --workers N`` each worker process writes its values into files of a
folder the supervisor made (prometheus_client's multiprocess mode, ``PROMETHEUS_MULTIPROC_DIR``),
and ``/metrics``, whichever worker answers it, adds up every worker's: counters and histograms
are summed, the running and queued gauges summed over the live workers, the catalog's gauges
taken from the worker that set them last.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

#: set by the supervisor of worker processes (gateway/worker_processes.py) for its workers
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.queries = Counter(
            "lakegate_queries", "Queries by final state", ["state", "source"], registry=self.registry
        )
        self.errors = Counter("lakegate_errors", "Errors by code", ["code"], registry=self.registry)
        self.latency = Histogram(
            "lakegate_query_duration_seconds",
            "Query duration, submission to last byte",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            registry=self.registry,
        )
        self.bytes_streamed = Counter(
            "lakegate_bytes_streamed", "Result bytes sent to clients", registry=self.registry
        )
        self.rows_streamed = Counter(
            "lakegate_rows_streamed", "Result rows sent to clients", registry=self.registry
        )
        self.http_latency = Histogram(
            "lakegate_http_request_duration_seconds",
            "HTTP request duration, by door, route template, method and status",
            ["door", "route", "method", "status"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            registry=self.registry,
        )
        self.running = Gauge(
            "lakegate_running_queries",
            "Queries running now",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.queued = Gauge(
            "lakegate_queued_queries",
            "Queries waiting in resource-group queues now",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.queued_seconds = Histogram(
            "lakegate_query_queued_seconds",
            "Time queries waited for a slot in their resource group",
            buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            registry=self.registry,
        )
        self.catalog_refreshes = Counter(
            "lakegate_catalog_refreshes",
            "Catalog refreshes: ok, or failed when a source failed",
            ["outcome"],
            registry=self.registry,
        )
        self.catalog_source_up = Gauge(
            "lakegate_catalog_source_up",
            "1 when the source's last harvest succeeded, 0 when it failed",
            ["source"],
            registry=self.registry,
            multiprocess_mode="livemostrecent",
        )
        self.catalog_refresh_seconds = Gauge(
            "lakegate_catalog_refresh_duration_seconds",
            "How long the last refresh took",
            registry=self.registry,
            multiprocess_mode="livemostrecent",
        )
        self.catalog_entities = Gauge(
            "lakegate_catalog_entities",
            "Entities the last refresh harvested",
            registry=self.registry,
            multiprocess_mode="livemostrecent",
        )

        self.forwarded = Counter(
            "lakegate_forwarded_requests",
            "Requests for another instance's query: forwarded, owner_gone, store_error or tls_error",
            ["outcome"],
            registry=self.registry,
        )

    def set_admission(self, running: int, queued: int) -> None:
        """Admission's counts after a change (running is also counted by the doors)."""
        self.queued.set(queued)

    def exposition(self) -> bytes:
        """The text ``/metrics`` answers: this process's registry, or every worker's values when
        the process is one of several workers."""
        folder = os.environ.get(MULTIPROCESS_DIR)
        if not folder:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=folder)  # type: ignore[no-untyped-call]
        return generate_latest(merged)
