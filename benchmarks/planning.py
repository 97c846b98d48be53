"""Planning costs: (c) the planner on the 22 TPC-H queries; (g) the engine's bound-plan check.

(c) runs the planner uncached and cached, without policies and with the demo's, side by side in
one run, and prints the policies' overhead (the difference of the uncached p50s).
(g) times the embedded engine's check of what DuckDB bound (EXPLAIN, then each scan against the
authorized tables' own) on a query's first run, and the cached look-up on later runs.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path


def tiny_demo() -> Path:
    """The demo (TPC-H tiny) in a temporary folder, for the planning benchmarks alone."""
    from gateway.demo import generate_demo

    out = Path(tempfile.mkdtemp(prefix="lakegate-bench-"))
    generate_demo(out)
    return out / "lakegate.yaml"


def planner_time(config_path: Path, queries: list[Path]) -> list[tuple[str, str]]:
    from catalog.metadata import MetadataSnapshot
    from connectors.registry import ConnectorRegistry
    from gateway.config import load_config
    from gateway.connector_factory import build_connectors
    from gateway.planner.context import QueryRequest
    from gateway.planner.pipeline import Planner
    from gateway.service import build_authorizer

    config = load_config(config_path)
    registry = ConnectorRegistry(build_connectors(config))
    snapshot = MetadataSnapshot(registry.catalogs())
    requests = [QueryRequest(p.read_text(), "tpch", "tiny", user="ada") for p in queries]
    planners = {
        "no policies": Planner(registry, snapshot, max_sql_bytes=1_000_000),
        "with policies": Planner(
            registry, snapshot, max_sql_bytes=1_000_000, authorizer=build_authorizer(config)
        ),
    }
    uncached: dict[str, list[float]] = {label: [] for label in planners}
    cached: dict[str, list[float]] = {label: [] for label in planners}
    for _ in range(20):  # the two interleaved, so both see the same machine
        for label, planner in planners.items():
            for request in requests:
                started = time.perf_counter()
                planner.plan_uncached(request)
                uncached[label].append(time.perf_counter() - started)
    for label, planner in planners.items():
        for request in requests:
            planner.plan(request)
        for _ in range(200):
            for request in requests:
                started = time.perf_counter()
                planner.plan(request)
                cached[label].append(time.perf_counter() - started)
    registry.close()
    rows: list[tuple[str, str]] = []
    p50 = {label: statistics.median(times) * 1000 for label, times in uncached.items()}
    for label in planners:
        rows += [
            (f"(c) planner, 22 TPC-H, uncached, {label}", f"p50 {p50[label]:.3f} ms (target < 2 ms)"),
            (
                f"(c) planner, 22 TPC-H, cached, {label}",
                f"p50 {statistics.median(cached[label]) * 1000:.4f} ms (target < 0.1 ms)",
            ),
        ]
    overhead = p50["with policies"] - p50["no policies"]
    rows.append(("(c) policy overhead, uncached p50", f"{overhead:.3f} ms (target <= 1 ms)"))
    return rows


def bound_plan_check(config_path: Path, queries: list[Path]) -> list[tuple[str, str]]:
    from catalog.metadata import MetadataSnapshot
    from connectors.duckdb.engine import DuckDBConnector
    from connectors.registry import ConnectorRegistry
    from gateway.config import load_config
    from gateway.connector_factory import build_connectors
    from gateway.planner.context import QueryRequest
    from gateway.planner.pipeline import Planner

    config = load_config(config_path)
    registry = ConnectorRegistry(build_connectors(config))
    planner = Planner(registry, MetadataSnapshot(registry.catalogs()), max_sql_bytes=1_000_000)
    first: list[float] = []
    again: list[float] = []
    for path in queries:
        plan = planner.plan(QueryRequest(path.read_text(), "tpch", "tiny"))
        engine = plan.connector
        assert isinstance(engine, DuckDBConnector)
        assert plan.engine_sql is not None
        cursor = engine._db.cursor()
        try:
            for _ in range(3):
                engine._verified.clear()
                started = time.perf_counter()
                engine._verify_bound_plan(cursor, plan.engine_sql, plan.tables)
                first.append(time.perf_counter() - started)
            for _ in range(100):
                started = time.perf_counter()
                engine._verify_bound_plan(cursor, plan.engine_sql, plan.tables)
                again.append(time.perf_counter() - started)
        finally:
            cursor.close()
    registry.close()
    return [
        ("(g) bound-plan check, 22 TPC-H, first run", f"p50 {statistics.median(first) * 1000:.2f} ms"),
        ("(g) bound-plan check, 22 TPC-H, cached", f"p50 {statistics.median(again) * 1000:.4f} ms"),
    ]
