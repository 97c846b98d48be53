"""Result column names as Trino gives them, read from the plan (no Trino needed).

The expected names are what the real Trino 476 answered for the same statements
(tests/trino_oracle/data/function_cases.yaml, ids ``names_*``, runs them against it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
import sqlglot

from catalog.metadata import MetadataSnapshot
from connectors.registry import ConnectorRegistry
from gateway.conform import conform_schema, same_columns
from gateway.connector_factory import build_connectors
from gateway.errors import ErrorCode, LakegateError
from gateway.frontdoors.trino.rewrite import SessionValues, analyze
from gateway.planner.context import QueryRequest
from gateway.planner.pipeline import Planner
from tests.conftest import demo_config

NATION = [None] * 4  # a stored table's columns: the engine's names (n_nationkey, ...)

# (statement, Trino 476's column names)
TRINO_NAMES: list[tuple[str, list[str | None]]] = [
    ('SELECT * FROM (SELECT 1 AS "A")', ["A"]),
    ('SELECT * FROM (SELECT 1 AS Foo, 2 AS "Bar", 3)', ["Foo", "Bar", "_col2"]),
    ("SELECT * FROM (SELECT 1 AS a) t(B)", ["B"]),
    ("WITH t(A) AS (SELECT 1) SELECT * FROM t", ["A"]),
    ('WITH t("A", b) AS (SELECT 1, 2) SELECT * FROM t', ["A", "b"]),
    ("WITH t AS (SELECT 1 AS Xy) SELECT t.*, 2 AS Zz FROM t", ["Xy", "Zz"]),
    ('WITH a AS (SELECT 1 AS "Aa"), b AS (SELECT * FROM a) SELECT * FROM b', ["Aa"]),
    ("WITH RECURSIVE r(N) AS (SELECT 1 UNION ALL SELECT N + 1 FROM r WHERE N < 3) SELECT * FROM r", ["N"]),
    ('SELECT * FROM (VALUES 1) AS t("X")', ["X"]),
    ("SELECT * FROM (VALUES (1, 2)) AS t(X, y)", ["X", "y"]),
    ("SELECT * FROM (VALUES (1, 2))", ["_col0", "_col1"]),
    ("SELECT * FROM (VALUES (1, 'a')) AS t(_col_0, \"Y\")", ["_col_0", "Y"]),
    ("SELECT * FROM UNNEST(ARRAY[1]) WITH ORDINALITY AS t(N, Ord)", ["N", "Ord"]),
    ("SELECT * FROM (SELECT 1 AS Foo) x CROSS JOIN UNNEST(ARRAY[2]) AS u(Bar)", ["Foo", "Bar"]),
    ("SELECT x.* FROM (SELECT 1 AS Foo) x CROSS JOIN UNNEST(ARRAY[2]) AS u(Bar)", ["Foo"]),
    ('SELECT * FROM (SELECT 1 AS "X") UNION ALL SELECT 2 AS y', ["X"]),
    ('SELECT 1 AS y UNION ALL SELECT * FROM (SELECT 2 AS "X")', ["y"]),
    ('SELECT * FROM (SELECT 1 AS "X" UNION ALL SELECT 2 AS y)', ["X"]),
    ('SELECT * FROM (SELECT * FROM (SELECT 1 AS "Deep"))', ["Deep"]),
    ("SELECT * FROM (SELECT N_NAME, n_regionkey AS RK FROM nation)", ["N_NAME", "RK"]),
    (
        'SELECT * FROM (SELECT 1 AS "a", 2 AS b) x JOIN (SELECT 1 AS "A", 3 AS C) y ON x.a = y.a',
        ["a", "b", "A", "C"],
    ),
    # an unnamed column is _col<N> by its position in the result, after a star too
    ("SELECT 0, * FROM (SELECT 5, 6)", ["_col0", "_col1", "_col2"]),
    ("SELECT *, 1 FROM (SELECT 1 AS a, 2 AS b)", ["a", "b", "_col2"]),
    ("SELECT * FROM (SELECT 2) CROSS JOIN (SELECT 1 AS a)", ["_col0", "a"]),
    ('SELECT *, 7 AS "Q" FROM nation', [*NATION, "Q"]),
    ('SELECT nation.*, 7 AS "Q" FROM nation', [*NATION, "Q"]),
    ('SELECT * FROM (SELECT *, 7 AS "Q" FROM nation)', [*NATION, "Q"]),
    ("SELECT * FROM nation", NATION),
    # a join USING: its columns first, as the USING clause spells them, then each side's others
    ("SELECT * FROM (SELECT 1 AS Kk, 2 AS b) x JOIN (SELECT 1 AS kK, 3 AS C) y USING (KK)", ["KK", "b", "C"]),
    (
        "SELECT * FROM (SELECT 2 AS b, 1 AS k, 7 AS m) x JOIN (SELECT 3 AS c, 1 AS k) y USING (k) "
        "JOIN (SELECT 4 AS d, 7 AS m) z USING (m)",
        ["m", "k", "b", "c", "d"],
    ),
    (
        "SELECT * FROM (SELECT 9 AS e) z CROSS JOIN (SELECT 2 AS b, 1 AS k) x JOIN (SELECT 3 AS c, 1 AS k) y USING (k)",
        ["k", "e", "b", "c"],
    ),
]

# where the planner cannot be sure of every position, it names none (the engine's names stay)
UNKNOWN = [
    # which of a stored table's columns a join USING takes out the tree does not say
    'SELECT * FROM nation JOIN (SELECT 0 AS n_nationkey, 1 AS "X") t USING (n_nationkey)',
    'SELECT * FROM (SELECT 1 AS "A", 2) t1 CROSS JOIN LATERAL (SELECT t1.A + 1 AS "Lat")',
    "SELECT * FROM UNNEST(ARRAY[1])",  # its width depends on the array's element type
]


@pytest.fixture(scope="module")
def planner(demo_dir: Path) -> Iterator[Planner]:
    registry = ConnectorRegistry(build_connectors(demo_config(demo_dir)))
    yield Planner(registry, MetadataSnapshot(registry.catalogs()), max_sql_bytes=10_000)
    registry.close()


def _names(planner: Planner, sql: str) -> tuple[str | None, ...]:
    return planner.plan(QueryRequest(sql, "tpch", "tiny")).result_names


@pytest.mark.parametrize(("sql", "names"), TRINO_NAMES, ids=[sql for sql, _ in TRINO_NAMES])
def test_result_names_are_trinos(planner: Planner, sql: str, names: list[str | None]) -> None:
    assert list(_names(planner, sql)) == names


@pytest.mark.parametrize("sql", UNKNOWN)
def test_names_the_planner_cannot_place_are_left_to_the_engine(planner: Planner, sql: str) -> None:
    assert _names(planner, sql) == ()


def test_the_trino_door_leaves_columns_after_a_star_for_the_planner_to_number() -> None:
    # numbering by projection here would name the third column _col1, which the planner would
    # then take for the query's own alias
    rewritten = analyze(
        "SELECT 0, *, 1 FROM (SELECT 1 AS a, 2 AS b)", SessionValues("u", "tpch", "tiny", None, "476")
    )
    tree = sqlglot.parse_one(rewritten.sql, read="trino")
    assert [p.alias for p in tree.expressions] == ["_col0", "", ""]


def test_the_engines_columns_are_renamed_only_where_they_are_the_named_ones() -> None:
    schema = pa.schema([("a", pa.int32()), ("a_1", pa.int32()), ("2", pa.int32()), ("n_name", pa.string())])
    names = ("a", "A", "_col2", None)
    assert same_columns(schema.names, names)  # the engine's a_1 is a second "a"
    assert conform_schema(schema, [None] * 4, names).names == ["a", "A", "_col2", "n_name"]
    # a name at another position than the engine's column: every name stays the engine's
    shifted = ("A", "a", "_col2", None)
    assert not same_columns(["b", "a", "2", "n_name"], shifted)
    moved = pa.schema([("b", pa.int32()), ("a", pa.int32()), ("2", pa.int32()), ("n_name", pa.string())])
    assert conform_schema(moved, [None] * 4, shifted).names == moved.names
    assert not same_columns(["a"], ("a", "b"))  # another number of columns


def test_a_star_over_a_join_using_is_expanded_in_trinos_order_without_policies(planner: Planner) -> None:
    # Trino 476: k, b, c (the join column first); the engine's own star would give b, k, c
    plan = planner.plan(
        QueryRequest(
            "SELECT * FROM (SELECT 2 AS b, 1 AS k) x JOIN (SELECT 3 AS c, 1 AS k) y USING (k)", "tpch", "tiny"
        )
    )
    assert plan.engine_sql is not None
    outer = sqlglot.parse_one(plan.engine_sql, read="duckdb")
    assert [p.alias_or_name for p in outer.expressions] == ["k", "b", "c"]


@pytest.mark.parametrize(
    ("sql", "refused"),
    [
        # Trino 476 gives x.* without the join column (b); the engine and the expansion keep it
        ("SELECT x.* FROM (SELECT 2 AS b, 1 AS k) x JOIN (SELECT 3 AS c, 1 AS k) y USING (k)", "x.*"),
        # Trino 476: NOT_SUPPORTED "Natural join not supported"
        ("SELECT * FROM (SELECT 2 AS b, 1 AS k) x NATURAL JOIN (SELECT 3 AS c, 1 AS k) y", "NATURAL JOIN"),
    ],
)
def test_what_trino_answers_otherwise_over_joins_is_refused(planner: Planner, sql: str, refused: str) -> None:
    with pytest.raises(LakegateError) as caught:
        planner.plan(QueryRequest(sql, "tpch", "tiny"))
    assert caught.value.code is ErrorCode.NOT_SUPPORTED
    assert refused in caught.value.detail
