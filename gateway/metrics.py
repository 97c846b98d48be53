"""Prometheus metrics, one registry per app (so tests can run many apps side by side)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


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
        self.running = Gauge("lakegate_running_queries", "Queries running now", registry=self.registry)
