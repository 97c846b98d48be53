"""annotate_types types only what the rewrites read; its answer must equal the whole-tree one.

Every conformance case (Trino's documentation examples, the generated expressions over every
type, the 22 TPC-H queries) and every documented answer of tests/semantics is planned twice, with
the fast typing and with sqlglot's whole-tree annotation: the SQL sent to the engine (or the
refusal) must be the same, with and without policies.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.metadata import MetadataSnapshot
from connectors.registry import ConnectorRegistry
from gateway.connector_factory import build_connectors
from gateway.errors import LakegateError
from gateway.planner.context import QueryContext, QueryRequest
from gateway.planner.pipeline import Planner
from gateway.service import build_authorizer
from tests.conftest import demo_config
from tests.semantics.test_trino_answers import CASES
from tests.trino_oracle.cases import all_cases

STATEMENTS = sorted(
    {case.sql for case in all_cases()}
    | {case[0] for case in CASES}
    | {
        # shapes the fast typing hands to the whole-tree annotation, or types itself
        "SELECT extract(year FROM o_orderdate) / 2 FROM orders",
        "SELECT sum(length(n_name)), avg(n_nationkey) FROM nation",
        "SELECT x / 2 FROM (SELECT length(n_name) AS x FROM nation) t",
        "SELECT x / 2 FROM (SELECT n_nationkey AS x FROM nation) t",
        "SELECT t.a / t.b FROM (VALUES (1, 2), (3, 4)) AS t(a, b)",
        "SELECT n / 2 FROM nation AS x(n, a, b, c)",
        "SELECT (SELECT max(r_regionkey) FROM region WHERE r_regionkey = n.n_regionkey) / 2 FROM nation n",
        "SELECT format('%s-%d', n_name, n_nationkey), format_datetime(o_orderdate, 'yyyy') FROM nation, orders",
        "SELECT CAST(DECIMAL '0.05' AS varchar), CAST(o_totalprice / 3 AS varchar) FROM orders",
        "SELECT date_add('day', 7, o_orderdate), o_orderdate + INTERVAL '1' MONTH FROM orders",
        "SELECT sum(x) FROM (SELECT o_totalprice * 2 AS x FROM orders UNION ALL SELECT 1.5) t",
        "SELECT substr(n_name, 1, 2) % 2 FROM nation",
    }
)


def _outcome(planner: Planner, sql: str, full: bool) -> str:
    request = QueryRequest(sql, "tpch", "tiny", user="ada")
    connectors, snapshot, _ = planner._metadata
    ctx = QueryContext(request, snapshot, connectors, planner.max_sql_bytes, planner.authorizer)
    ctx.views = planner.views
    ctx.full_type_annotation = full
    try:
        for step in planner.passes:
            ctx = step(ctx)
    except LakegateError as exc:
        return f"refused {exc.code.value}: {exc}"
    except Exception as exc:  # the pipeline refuses these as NOT_SUPPORTED either way
        return f"failed {type(exc).__name__}"
    return f"engine: {ctx.engine_sql}" if ctx.engine_sql else "local"


@pytest.fixture(scope="module")
def planners(demo_dir: Path) -> Iterator[dict[str, Planner]]:
    config = demo_config(demo_dir)
    registry = ConnectorRegistry(build_connectors(config))
    snapshot = MetadataSnapshot(registry.catalogs())
    yield {
        "no policies": Planner(registry, snapshot, max_sql_bytes=1_000_000),
        "with policies": Planner(
            registry, snapshot, max_sql_bytes=1_000_000, authorizer=build_authorizer(config)
        ),
    }
    registry.close()


@pytest.mark.parametrize("label", ["no policies", "with policies"])
def test_fast_typing_plans_as_the_whole_tree_annotation(planners: dict[str, Planner], label: str) -> None:
    planner = planners[label]
    assert len(STATEMENTS) > 500
    differ = [
        (sql, fast, full)
        for sql in STATEMENTS
        if (fast := _outcome(planner, sql, False)) != (full := _outcome(planner, sql, True))
    ]
    assert not differ, "\n\n".join(
        f"{sql}\n  fast: {fast}\n  full: {full}" for sql, fast, full in differ[:10]
    )
