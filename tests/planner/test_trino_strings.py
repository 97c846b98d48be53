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


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [
        ("SELECT length(X'0102')", "OCTET_LENGTH(UNHEX('0102'))"),
        ("SELECT reverse(X'010203')", "LIST_REVERSE(REGEXP_EXTRACT_ALL(HEX(UNHEX('010203')), '..'))"),
        ("SELECT lpad(X'01', 3, X'00')", "LPAD(HEX(UNHEX('01')), 2 * (3), HEX(UNHEX('00')))"),
        ("SELECT concat(X'01', X'0203')", "(UNHEX('01') || UNHEX('0203'))"),
        ("SELECT from_utf8(X'61ff62', '?')", "'a?b'"),
        ('SELECT json_format(json_parse(\'{"b": 2, "a": 1}\'))', '\'{"a":1,"b":2}\''),
        ("SELECT json_extract(json_parse('{\"b\": 2, \"a\": 1}'), '$.a')", 'JSON(\'{"a":1,"b":2}\')'),
        ("SELECT concat('a', NULL)", "CAST(NULL AS TEXT[])"),
        ("SELECT 'a' || CAST(NULL AS varchar)", "CAST('a' || CAST(NULL AS TEXT) AS TEXT)"),
        # the engine folds a concatenation with an operand it folds to NULL into an integer NULL
        ("SELECT n_name || nullif('a', 'a') FROM nation", "CAST(nation.n_name || NULLIF('a', 'a') AS TEXT)"),
        ("SELECT replace('12', '', '-7')", "REGEXP_REPLACE('12', '', REPLACE('-7', '\\', '\\\\'), 'g')"),
    ],
)
def test_binary_text_and_json_functions_take_trinos_meaning(
    planner: Planner, sql: str, fragment: str
) -> None:
    assert fragment in _plan(planner, sql)


def test_upper_maps_the_code_points_the_engine_maps_otherwise_as_java(planner: Planner) -> None:
    sql = _plan(planner, "SELECT upper(n_name) FROM nation")
    assert "TRANSLATE(UPPER(TRANSLATE(n_name, 'ß" in sql
    assert "NOT_SUPPORTED" in sql  # a text holding the placeholders themselves is refused


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("SELECT concat(X'01', NULL)", ErrorCode.ENGINE_USER_ERROR),  # Trino: AMBIGUOUS_FUNCTION_CALL
        ("SELECT NULL || NULL", ErrorCode.ENGINE_USER_ERROR),
        ("SELECT from_utf8(X'ff', 'ab')", ErrorCode.ENGINE_DATA_ERROR),
        ("SELECT json_extract(json_parse('{\"a\": 1e21}'), '$.a')", ErrorCode.NOT_SUPPORTED),
    ],
)
def test_what_trino_rejects_or_lakegate_cannot_match_fails_clearly(
    planner: Planner, sql: str, code: ErrorCode
) -> None:
    with pytest.raises(LakegateError) as caught:
        _plan(planner, sql)
    assert caught.value.code == code
