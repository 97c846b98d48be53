"""Trino's rules for names and string/binary functions, checked on the plan (no Trino needed).

Expected answers and errors are what the real Trino 476 gave for the same statements
(tests/trino_oracle runs them against it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.metadata import MetadataSnapshot
from connectors.registry import ConnectorRegistry
from gateway.connector_factory import build_connectors
from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryRequest
from gateway.planner.pipeline import Planner
from tests.conftest import demo_config


@pytest.fixture(scope="module")
def planner(demo_dir: Path) -> Iterator[Planner]:
    registry = ConnectorRegistry(build_connectors(demo_config(demo_dir)))
    yield Planner(registry, MetadataSnapshot(registry.catalogs()), max_sql_bytes=10_000)
    registry.close()


def _plan(planner: Planner, sql: str) -> str:
    plan = planner.plan(QueryRequest(sql, "tpch", "tiny"))
    assert plan.engine_sql is not None
    return plan.engine_sql


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT n_name AS x FROM nation GROUP BY x",
        "SELECT n_name AS x FROM nation WHERE x = 'a'",
        "SELECT n_regionkey AS x, count(*) FROM nation GROUP BY n_regionkey HAVING x > 1",
        "WITH r AS (SELECT l_suppkey AS s, sum(l_tax) AS t FROM lineitem GROUP BY s) SELECT * FROM r",
    ],
)
def test_a_select_alias_in_where_group_by_or_having_is_an_unknown_column(planner: Planner, sql: str) -> None:
    with pytest.raises(LakegateError) as caught:
        _plan(planner, sql)
    assert caught.value.code == ErrorCode.COLUMN_NOT_FOUND
    assert "cannot be resolved" in caught.value.detail


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT n_regionkey AS n_nationkey FROM nation WHERE n_nationkey = 1",  # the column wins
        "SELECT n_regionkey AS x FROM nation GROUP BY 1 ORDER BY x",  # ORDER BY may name an alias
        "SELECT x FROM (SELECT n_name AS x FROM nation) t WHERE x = 'a' GROUP BY x",
    ],
)
def test_names_trino_resolves_still_plan(planner: Planner, sql: str) -> None:
    assert _plan(planner, sql)


def test_try_around_a_checked_division_gives_null_where_it_fails(planner: Planner) -> None:
    sql = _plan(planner, "SELECT try(10 / n_regionkey) FROM nation")
    assert "ERROR(" not in sql.upper()
    assert "TRY(CASE WHEN nation.n_regionkey = 0 THEN NULL ELSE" in sql


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT try(coalesce(1 / 0, 5))",  # Trino: NULL (the coalesce fails); a NULL there gives 5
        "SELECT try(1 / 0 IS NULL)",
        "SELECT try(random())",
    ],
)
def test_try_where_a_null_would_not_stand_for_the_failure_is_refused(planner: Planner, sql: str) -> None:
    with pytest.raises(LakegateError) as caught:
        _plan(planner, sql)
    assert caught.value.code == ErrorCode.NOT_SUPPORTED
    assert "try()" in caught.value.detail
