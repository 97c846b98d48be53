"""Arrays, maps and rows as the real Trino 476 answers them, through both doors, no Trino needed.

Each expectation is what Trino answered (tests/trino_oracle's structural and array cases):
values, Trino's type names at the door, Arrow types natively (anonymous row fields as ``_0``,
``_1``; an array of nothing but NULLs as a list of ``null``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pyarrow as pa
import pytest
import trino

from tests.server import LiveServer
from tests.trino.conftest import real_trino_client

ANONYMOUS_ROW = pa.struct([pa.field("_0", pa.int32()), pa.field("_1", pa.string())])

# (sql, Trino's values, Trino's type names at the door, Arrow types natively)
CASES: list[tuple[str, list[Any], list[str], list[pa.DataType]]] = [
    (
        "SELECT ARRAY[], ARRAY[NULL, NULL], ARRAY[ARRAY[]]",
        [[], [None, None], [[]]],
        ["array(unknown)", "array(unknown)", "array(array(unknown))"],
        [pa.list_(pa.null()), pa.list_(pa.null()), pa.list_(pa.list_(pa.null()))],
    ),
    (
        "SELECT ARRAY[1] || 5, 0 || ARRAY[1, 2], concat(ARRAY['a'], ARRAY['b'], ARRAY['c']), "
        "ARRAY[1] || CAST(NULL AS integer)",
        [[1, 5], [0, 1, 2], ["a", "b", "c"], None],
        ["array(integer)", "array(integer)", "array(varchar(1))", "array(integer)"],
        [pa.list_(pa.int32()), pa.list_(pa.int32()), pa.list_(pa.string()), pa.list_(pa.int32())],
    ),
    (
        "SELECT array_distinct(ARRAY[NULL, 2, NULL, 1, 2]), reverse(ARRAY[1, 2, 3])",
        [[None, 2, 1], [3, 2, 1]],
        ["array(integer)", "array(integer)"],
        [pa.list_(pa.int32()), pa.list_(pa.int32())],
    ),
    (
        "SELECT repeat('x', 3), repeat(NULL, 2), repeat(1, 0)",
        [["x", "x", "x"], [None, None], []],
        ["array(varchar(1))", "array(unknown)", "array(integer)"],
        [pa.list_(pa.string()), pa.list_(pa.null()), pa.list_(pa.int32())],
    ),
    (
        "SELECT sequence(DATE '2024-01-03', DATE '2024-01-01'), "
        "sequence(DATE '2024-01-01', DATE '2024-03-01', INTERVAL '1' MONTH)",
        [
            [dt.date(2024, 1, 3), dt.date(2024, 1, 2), dt.date(2024, 1, 1)],
            [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)],
        ],
        ["array(date)", "array(date)"],
        [pa.list_(pa.date32()), pa.list_(pa.date32())],
    ),
    (
        "SELECT map_entries(MAP(ARRAY[1, 2], ARRAY['x', 'y'])), ROW(1, 'a')",
        [[[1, "x"], [2, "y"]], [1, "a"]],
        ["array(row(integer, varchar(1)))", "row(integer, varchar(1))"],
        [pa.list_(ANONYMOUS_ROW), ANONYMOUS_ROW],
    ),
    (
        "SELECT ARRAY[1, NULL] = ARRAY[1, NULL], ARRAY[2, NULL] = ARRAY[1, NULL], ARRAY[1] = ARRAY[1, 2], "
        "ARRAY[1, NULL] <> ARRAY[1, NULL], ROW(1, NULL) = ROW(1, NULL), ROW(1, 2) = ROW(2, NULL)",
        [None, False, False, None, None, False],
        ["boolean"] * 6,
        [pa.bool_()] * 6,
    ),
]

# (sql, rows Trino gives, in any order)
UNNESTS: list[tuple[str, list[list[Any]]]] = [
    ("SELECT k, v FROM UNNEST(MAP(ARRAY['a', 'b'], ARRAY[1, 2])) AS t(k, v)", [["a", 1], ["b", 2]]),
    (
        "SELECT i.sku, i.qty FROM (VALUES ARRAY[ROW('a', 1), ROW('b', 2)]) AS o(items) "
        "CROSS JOIN UNNEST(items) AS i(sku, qty)",
        [["a", 1], ["b", 2]],
    ),
    (
        "SELECT a, b, n FROM UNNEST(ARRAY[ROW(1, 'x'), ROW(2, NULL)]) WITH ORDINALITY AS t(a, b, n)",
        [[1, "x", 1], [2, None, 2]],
    ),
]

# what has no faithful translation is refused, naming the function; Trino's errors stay errors
REFUSALS: list[tuple[str, str, str]] = [
    ("SELECT array_sort(ARRAY[3, 2], (x, y) -> IF(x < y, 1, -1))", "NOT_SUPPORTED", "array_sort()"),
    (
        "SELECT sequence(DATE '2024-01-31', DATE '2024-05-31', INTERVAL '1' MONTH)",
        "NOT_SUPPORTED",
        "sequence()",
    ),
    ("SELECT repeat('a', -1)", "ENGINE_DATA_ERROR", "greater than or equal to 0"),
    # = of arrays the planner cannot type: the engine's NULL rules differ from Trino's (Trino
    # answers NULL for [1, NULL] = [1, NULL]; the engine true), so it is refused, not answered
    (
        "SELECT array_agg(x) = array_agg(y) FROM (VALUES (1, 1), (NULL, NULL)) t(x, y)",
        "NOT_SUPPORTED",
        "= of arrays whose element type is not known",
    ),
    (
        "SELECT slice(ARRAY[1, NULL], 1, 2) <> slice(ARRAY[1, NULL], 1, 2)",
        "NOT_SUPPORTED",
        "= of arrays whose element type is not known",
    ),
    (
        "SELECT sequence(DATE '2024-01-01', DATE '2024-01-03', INTERVAL '-1' DAY)",
        "ENGINE_DATA_ERROR",
        "sequence stop value should be",
    ),
]


def _native(http: httpx.Client, sql: str) -> httpx.Response:
    return http.post(
        "/v1/query",
        json={"sql": sql, "catalog": "tpch", "schema": "tiny", "dialect": "trino"},
        headers={"Accept": "application/vnd.apache.arrow.stream"},
    )


def _plain(value: Any) -> Any:
    """Arrow's Python values in the trino client's shapes (rows as lists)."""
    if isinstance(value, dict):
        return [_plain(v) for v in value.values()]
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@pytest.fixture
def door(server: LiveServer) -> Iterator[trino.dbapi.Cursor]:
    connection = real_trino_client(server.url, "root")
    yield connection.cursor()
    connection.close()


@pytest.mark.parametrize(
    ("sql", "values", "trino_types", "arrow_types"), CASES, ids=[c[0][:50] for c in CASES]
)
def test_native_api_gives_trinos_answer(
    http: httpx.Client, sql: str, values: list[Any], trino_types: list[str], arrow_types: list[pa.DataType]
) -> None:
    response = _native(http, sql)
    assert response.status_code == 200, response.text
    table = pa.ipc.open_stream(response.content).read_all()
    assert list(table.schema.types) == arrow_types  # Arrow compares lists without their item names
    assert _plain(list(table.to_pylist()[0].values())) == values


@pytest.mark.parametrize(
    ("sql", "values", "trino_types", "arrow_types"), CASES, ids=[c[0][:50] for c in CASES]
)
def test_trino_door_gives_trinos_answer(
    door: trino.dbapi.Cursor,
    sql: str,
    values: list[Any],
    trino_types: list[str],
    arrow_types: list[pa.DataType],
) -> None:
    door.execute(sql)
    row = door.fetchall()[0]
    unbounded = [t.replace("varchar(1)", "varchar") for t in trino_types]  # a literal's length is not sent
    assert [d[1] for d in door.description] == unbounded
    assert _plain(list(row)) == values


@pytest.mark.parametrize(("sql", "rows"), UNNESTS, ids=[u[0][:50] for u in UNNESTS])
def test_unnest_gives_trinos_rows(
    http: httpx.Client, door: trino.dbapi.Cursor, sql: str, rows: list[list[Any]]
) -> None:
    response = _native(http, sql)
    assert response.status_code == 200, response.text
    native = [list(r.values()) for r in pa.ipc.open_stream(response.content).read_all().to_pylist()]
    assert sorted(native, key=repr) == sorted(rows, key=repr)
    door.execute(sql)
    assert sorted((list(r) for r in door.fetchall()), key=repr) == sorted(rows, key=repr)


@pytest.mark.parametrize(("sql", "code", "named"), REFUSALS, ids=[r[0][:50] for r in REFUSALS])
def test_what_cannot_be_answered_faithfully_fails_clearly(
    http: httpx.Client, sql: str, code: str, named: str
) -> None:
    response = _native(http, sql)
    assert response.status_code in (400, 422), response.text
    assert response.json()["code"] == code
    assert named in response.json()["detail"]
