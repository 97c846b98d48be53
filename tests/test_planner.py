"""The planner's passes, on the demo catalogs: qualification, resolution, rewriting, caching."""

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


def plan_sql(planner: Planner, sql: str, catalog: str | None = "tpch", schema: str | None = "tiny") -> str:
    plan = planner.plan(QueryRequest(sql, catalog, schema))
    assert plan.engine_sql is not None
    return plan.engine_sql


def test_tables_are_qualified_and_mapped_to_physical_catalogs(planner: Planner) -> None:
    sql = plan_sql(planner, "SELECT n_name FROM nation")
    assert sql == 'SELECT n_name FROM "lg_tpch".tiny.nation AS nation'


def test_names_resolve_case_insensitively_to_their_stored_case(planner: Planner) -> None:
    sql = plan_sql(planner, "SELECT count(*) FROM TPCH.Tiny.NATION")
    assert '"lg_tpch".tiny.nation' in sql


def test_a_cte_may_shadow_a_table(planner: Planner) -> None:
    plan = planner.plan(QueryRequest("WITH nation AS (SELECT 1 AS x) SELECT * FROM nation", "tpch", "tiny"))
    assert plan.tables == ()
    assert "lg_tpch" not in (plan.engine_sql or "")


def test_a_qualified_name_beats_a_cte_of_the_same_name(planner: Planner) -> None:
    plan = planner.plan(
        QueryRequest("WITH nation AS (SELECT 1 AS x) SELECT * FROM nation, tpch.tiny.nation n", None, None)
    )
    assert plan.tables == (("tpch", "tiny", "nation"),)


def test_every_table_in_subqueries_and_unions_is_resolved(planner: Planner) -> None:
    plan = planner.plan(
        QueryRequest(
            "SELECT * FROM nation WHERE n_regionkey IN (SELECT r_regionkey FROM region) "
            "UNION ALL SELECT * FROM tpch.tiny.nation WHERE EXISTS (SELECT 1 FROM crm.main.customers)",
            "tpch",
            "tiny",
        )
    )
    assert set(plan.tables) == {
        ("tpch", "tiny", "nation"),
        ("tpch", "tiny", "region"),
        ("crm", "main", "customers"),
    }


def test_unqualified_table_without_session_schema(planner: Planner) -> None:
    with pytest.raises(LakegateError) as caught:
        planner.plan(QueryRequest("SELECT * FROM nation"))
    assert caught.value.code is ErrorCode.SCHEMA_NOT_FOUND


def test_other_dialects_are_parsed_in_their_own_syntax(planner: Planner) -> None:
    with pytest.raises(LakegateError) as caught:  # Trino has no backtick identifiers
        planner.plan(QueryRequest("SELECT `n_name` FROM nation LIMIT 1", "tpch", "tiny"))
    assert caught.value.code is ErrorCode.SQL_SYNTAX_ERROR
    plan = planner.plan(QueryRequest("SELECT `n_name` FROM nation LIMIT 1", "tpch", "tiny", dialect="mysql"))
    assert plan.engine_sql == 'SELECT "n_name" FROM "lg_tpch".tiny.nation AS nation LIMIT 1'


def test_sql_over_the_size_limit(planner: Planner) -> None:
    with pytest.raises(LakegateError) as caught:
        planner.plan(QueryRequest("SELECT '" + "x" * 20_000 + "'"))
    assert caught.value.code is ErrorCode.QUERY_TOO_LARGE


def test_plans_are_cached_per_session_defaults(planner: Planner) -> None:
    first = planner.plan(QueryRequest("SELECT * FROM nation", "tpch", "tiny"))
    assert planner.plan(QueryRequest("SELECT * FROM nation", "tpch", "tiny")) is first
    # The same text in another default schema is another plan.
    with pytest.raises(LakegateError):
        planner.plan(QueryRequest("SELECT * FROM nation", "crm", "main"))
    other = planner.plan(QueryRequest("SELECT * FROM customers", "crm", "main"))
    assert other.tables == (("crm", "main", "customers"),)


def test_cache_key_holds_everything_that_changes_the_result(planner: Planner) -> None:
    base = QueryRequest("SELECT 1", "tpch", "tiny", "trino", "alice")
    keys = {
        planner.cache_key(base),
        planner.cache_key(QueryRequest("SELECT 1", "lake", "tiny", "trino", "alice")),
        planner.cache_key(QueryRequest("SELECT 1", "tpch", "sf1", "trino", "alice")),
        planner.cache_key(QueryRequest("SELECT 1", "tpch", "tiny", "duckdb", "alice")),
        planner.cache_key(QueryRequest("SELECT 2", "tpch", "tiny", "trino", "alice")),
    }
    assert len(keys) == 5
    assert planner.snapshot.version in planner.cache_key(base)
