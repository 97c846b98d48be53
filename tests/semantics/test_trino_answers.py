"""Trino's documented answers, value and type, through the native API and the Trino door.

Each case is a statement with the answer Trino's documentation gives (functions/*.md,
language/types.md, the decimal operators' rules); both doors must give it on the embedded
engine, or refuse what has no faithful translation with NOT_SUPPORTED naming it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pyarrow as pa
import pytest
import trino

from tests.server import LiveServer
from tests.trino.conftest import real_trino_client

UTC = dt.UTC

# (sql, Trino's values, Trino's type names at the door, Arrow types natively)
CASES: list[tuple[str, list[Any], list[str], list[pa.DataType]]] = [
    # integer division truncates toward zero; % takes the dividend's sign
    (
        "SELECT 7 / 2, -7 / 2, 7 % -2, -7 % 2",
        [3, -3, 1, -1],
        ["integer"] * 4,
        [pa.int32()] * 4,
    ),
    ("SELECT n_nationkey / 2 FROM nation WHERE n_nationkey = 7", [3], ["integer"], [pa.int32()]),
    ("SELECT CAST(7 AS bigint) / 2", [3], ["bigint"], [pa.int64()]),
    ("SELECT 1e0 / 0", [float("inf")], ["double"], [pa.float64()]),
    # decimal literals keep their digits; a bare DECIMAL cast is decimal(38,0)
    (
        "SELECT DECIMAL '1.2345', DECIMAL '12345678901234567.891', DECIMAL '0000012345.1234500000'",
        [Decimal("1.2345"), Decimal("12345678901234567.891"), Decimal("12345.1234500000")],
        ["decimal(5,4)", "decimal(20,3)", "decimal(20,10)"],
        [pa.decimal128(5, 4), pa.decimal128(20, 3), pa.decimal128(20, 10)],
    ),
    ("SELECT CAST('1.7' AS DECIMAL)", [Decimal("2")], ["decimal(38,0)"], [pa.decimal128(38, 0)]),
    # decimal / decimal: scale max(s1, s2), precision p1 + s2 + max(0, s2 - s1), half up
    (
        "SELECT DECIMAL '1.00' / DECIMAL '3.00', DECIMAL '2.00' / DECIMAL '3', DECIMAL '-2' / DECIMAL '3.000'",
        [Decimal("0.33"), Decimal("0.67"), Decimal("-0.667")],
        ["decimal(5,2)", "decimal(3,2)", "decimal(7,3)"],
        [pa.decimal128(5, 2), pa.decimal128(3, 2), pa.decimal128(7, 3)],
    ),
    ("SELECT 10 / DECIMAL '4.0'", [Decimal("2.5")], ["decimal(12,1)"], [pa.decimal128(12, 1)]),
    ("SELECT DECIMAL '5.5' % DECIMAL '2.0'", [Decimal("1.5")], ["decimal(2,1)"], [pa.decimal128(2, 1)]),
    (
        "WITH t AS (SELECT DECIMAL '1.25' * DECIMAL '1.5' AS v) SELECT v / 2 FROM t",
        [Decimal("0.938")],
        ["decimal(5,3)"],
        [pa.decimal128(5, 3)],
    ),
    (
        "SELECT DATE '2012-08-08' - INTERVAL '2' DAY, DECIMAL '0.00' + CAST(NULL AS integer), "
        "CAST(DECIMAL '0.05' AS varchar)",
        [dt.date(2012, 8, 6), None, "0.05"],
        ["date", "decimal(13,2)", "varchar"],
        [pa.date32(), pa.decimal128(13, 2), pa.string()],
    ),
    (
        "SELECT avg(x) FROM (VALUES DECIMAL '1.5', DECIMAL '1.25') t(x)",
        [Decimal("1.38")],
        ["decimal(3,2)"],
        [pa.decimal128(3, 2)],
    ),
    # aggregates: sum of integers and count_if are bigint; avg of a decimal is that decimal
    (
        "SELECT sum(n_nationkey), count_if(n_nationkey > 3), avg(n_nationkey) FROM nation",
        [300, 21, 12.0],
        ["bigint", "bigint", "double"],
        [pa.int64(), pa.int64(), pa.float64()],
    ),
    (
        "SELECT avg(x), avg(x) FILTER (WHERE x > DECIMAL '1.5') FROM (VALUES DECIMAL '1.00', DECIMAL '2.01') t(x)",
        [Decimal("1.51"), Decimal("2.01")],
        ["decimal(3,2)", "decimal(3,2)"],
        [pa.decimal128(3, 2), pa.decimal128(3, 2)],
    ),
    (
        "SELECT avg(x) FROM (VALUES DECIMAL '1.00') t(x) WHERE x > 5",
        [None],
        ["decimal(3,2)"],
        [pa.decimal128(3, 2)],
    ),
    # approx_distinct within Trino's 2.3% standard error (counted exactly)
    ("SELECT approx_distinct(o_orderkey) FROM orders", [15000], ["bigint"], [pa.int64()]),
    # functions, as functions/*.md documents them
    (
        "SELECT slice(ARRAY[10, 20, 30, 40], 2, 2), slice(ARRAY[10, 20, 30, 40], -2, 1), slice(ARRAY[1, 2], 5, 1)",
        [[20, 30], [30], []],
        ["array(integer)"] * 3,
        [pa.list_(pa.int32())] * 3,
    ),
    ("SELECT format('%s-%d', 'a', 5)", ["a-5"], ["varchar"], [pa.string()]),
    (
        "SELECT date_add('day', 7, DATE '2020-01-31'), date_add('month', 1, DATE '2020-01-31')",
        [dt.date(2020, 2, 7), dt.date(2020, 2, 29)],
        ["date", "date"],
        [pa.date32(), pa.date32()],
    ),
    (
        "SELECT format_datetime(TIMESTAMP '2020-01-02 03:04:05', 'yyyy/MM/dd HH:mm:ss')",
        ["2020/01/02 03:04:05"],
        ["varchar"],
        [pa.string()],
    ),
    ("SELECT width_bucket(5.3, 0.2, 10.6, 5)", [3], ["bigint"], [pa.int64()]),
    (
        "SELECT width_bucket(-1, 0, 10, 5), width_bucket(10, 0, 10, 5)",
        [0, 6],
        ["bigint"] * 2,
        [pa.int64()] * 2,
    ),
    (
        "SELECT map_agg(n_nationkey, n_name) FROM nation WHERE n_nationkey < 2",
        [{0: "ALGERIA", 1: "ARGENTINA"}],
        ["map(integer, varchar)"],
        [pa.map_(pa.int32(), pa.string())],
    ),
    (
        "SELECT i.sku, i.qty, n FROM (VALUES 1) t(a) "
        "CROSS JOIN UNNEST(ARRAY[ROW('a', 1), ROW('b', 2)]) WITH ORDINALITY AS i(sku, qty, n) ORDER BY n DESC LIMIT 1",
        ["b", 2, 2],
        ["varchar", "integer", "bigint"],
        [pa.string(), pa.int32(), pa.int64()],
    ),
    (
        "SELECT nan() IS NOT NULL, is_infinite(infinity()), e() > 2.7",
        [True, True, True],
        ["boolean"] * 3,
        [pa.bool_()] * 3,
    ),
    # result columns converted to Trino's types (gateway/conform.py)
    (
        "SELECT TIMESTAMP '2024-02-29 12:34:56.789 UTC', TIME '23:59:59.999', INTERVAL '-90' MINUTE, "
        "DATE '2024-03-01' - DATE '2024-01-31', date_trunc('month', DATE '2024-05-17')",
        [
            dt.datetime(2024, 2, 29, 12, 34, 56, 789000, tzinfo=UTC),
            dt.time(23, 59, 59, 999000),
            dt.timedelta(minutes=-90),
            dt.timedelta(days=30),
            dt.date(2024, 5, 1),
        ],
        [
            "timestamp(3) with time zone",
            "time(3)",
            "interval day to second",
            "interval day to second",
            "date",
        ],
        [pa.timestamp("ms", tz="UTC"), pa.time32("ms"), pa.duration("ms"), pa.duration("ms"), pa.date32()],
    ),
    (
        "SELECT sum(x), avg(x), typeof(avg(x)) FROM (VALUES REAL '7', REAL '2') t(x)",
        [9.0, 4.5, "real"],
        ["real", "real", "varchar"],
        [pa.float32(), pa.float32(), pa.string()],
    ),
    # casts to varchar print as Trino; char(n) pads
    (
        "SELECT CAST(1.5E0 AS varchar), CAST(0E0 AS varchar), CAST(REAL '1.5' AS varchar), "
        "CAST(INTERVAL '2' DAY AS varchar), CAST(INTERVAL '14' MONTH AS varchar), CAST('ab' AS char(3))",
        ["1.5E0", "0E0", "1.5E0", "2 00:00:00.000", "1-2", "ab "],
        ["varchar"] * 5 + ["char(3)"],
        [pa.string()] * 6,
    ),
]

# (sql, error code natively, Trino error name at the door)
REFUSALS: list[tuple[str, str, str]] = [
    ("SELECT 1 / 0", "DIVISION_BY_ZERO", "DIVISION_BY_ZERO"),
    ("SELECT n_nationkey % 0 FROM nation", "DIVISION_BY_ZERO", "DIVISION_BY_ZERO"),
    ("SELECT DECIMAL '1.5' / DECIMAL '0.0'", "DIVISION_BY_ZERO", "DIVISION_BY_ZERO"),
    ("SELECT format('%.2f', 1.5)", "NOT_SUPPORTED", "NOT_SUPPORTED"),
    ("SELECT format_datetime(TIMESTAMP '2020-01-02 03:04:05', 'G yyyy')", "NOT_SUPPORTED", "NOT_SUPPORTED"),
    ("SELECT zip_with(ARRAY[1], ARRAY[2], (x, y) -> x + y)", "NOT_SUPPORTED", "NOT_SUPPORTED"),
    ("SELECT millisecond(TIMESTAMP '2020-01-01 00:00:01.5')", "NOT_SUPPORTED", "NOT_SUPPORTED"),
    ("SELECT DECIMAL '123456789012345678901234567890123456789'", "SQL_SYNTAX_ERROR", "SYNTAX_ERROR"),
    ("SELECT CAST('ab' AS char(3)) = 'ab'", "NOT_SUPPORTED", "NOT_SUPPORTED"),
    ("SELECT TIMESTAMP '2024-01-01 00:00:00.123456789'", "NOT_SUPPORTED", "NOT_SUPPORTED"),
    ("SELECT CAST(ARRAY[1] AS varchar)", "ENGINE_USER_ERROR", "INVALID_CAST_ARGUMENT"),
]


def _run(cursor: trino.dbapi.Cursor, sql: str) -> list[Any]:
    cursor.execute(sql)
    return cursor.fetchall()


def _native(http: httpx.Client, sql: str) -> httpx.Response:
    return http.post("/v1/query", json={"sql": sql, "catalog": "tpch", "schema": "tiny"})


@pytest.fixture
def door(server: LiveServer) -> Iterator[trino.dbapi.Cursor]:
    connection = real_trino_client(server.url, "root")
    yield connection.cursor()
    connection.close()


def _comparable(value: Any) -> Any:
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        return dict(value)  # an Arrow map as Python pairs
    return value


@pytest.mark.parametrize(
    ("sql", "values", "trino_types", "arrow_types"), CASES, ids=[c[0][:60] for c in CASES]
)
def test_native_api_gives_trinos_answer(
    http: httpx.Client, sql: str, values: list[Any], trino_types: list[str], arrow_types: list[pa.DataType]
) -> None:
    response = _native(http, sql)
    assert response.status_code == 200, response.text
    table = pa.ipc.open_stream(response.content).read_all()
    assert [f.type for f in table.schema] == arrow_types
    assert [_comparable(v) for v in table.to_pylist()[0].values()] == values


@pytest.mark.parametrize(
    ("sql", "values", "trino_types", "arrow_types"), CASES, ids=[c[0][:60] for c in CASES]
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
    assert [d[1] for d in door.description] == trino_types
    assert list(row) == values


@pytest.mark.parametrize(("sql", "code", "trino_name"), REFUSALS, ids=[r[0][:60] for r in REFUSALS])
def test_both_doors_refuse_alike(
    http: httpx.Client, door: trino.dbapi.Cursor, sql: str, code: str, trino_name: str
) -> None:
    response = _native(http, sql)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    with pytest.raises(trino.exceptions.TrinoUserError) as caught:
        _run(door, sql)
    assert caught.value.error_name == trino_name


def test_unnamed_columns_are_named_as_trino_names_them_natively(http: httpx.Client) -> None:
    # root has policies applied (qualification would name it _col_0); the engine would say count_star()
    response = _native(
        http, "SELECT count(*), n_regionkey, max(n_name) AS last FROM nation GROUP BY 2 ORDER BY 2"
    )
    table = pa.ipc.open_stream(response.content).read_all()
    assert table.column_names == ["_col0", "n_regionkey", "last"]


# Names as the real Trino 476 gives them: the query's spelling, quoted or not (what the TPC-DS
# queries q06, q91 and q92 showed); a star's columns keep the engine's names.
SPELLED_NAMES = (
    'SELECT 1 AS Foo, 2 AS "Bar", 3 "BAZ qux", n_name, N_NAME, "N_REGIONKEY", nation.N_COMMENT '
    "FROM nation LIMIT 1",
    ["Foo", "Bar", "BAZ qux", "n_name", "N_NAME", "N_REGIONKEY", "N_COMMENT"],
)


def test_result_names_keep_the_querys_spelling_on_both_doors(
    http: httpx.Client, door: trino.dbapi.Cursor
) -> None:
    sql, names = SPELLED_NAMES
    table = pa.ipc.open_stream(_native(http, sql).content).read_all()
    assert table.column_names == names
    _run(door, sql)
    assert [d[0] for d in door.description] == names
    # an ORDER BY naming the alias in another case still finds it; a union takes the first branch's
    table = pa.ipc.open_stream(
        _native(http, 'SELECT n_name AS "Name" FROM nation ORDER BY "NAME" LIMIT 1').content
    ).read_all()
    assert table.column_names == ["Name"]
    assert table.column(0).to_pylist() == ["ALGERIA"]
    table = pa.ipc.open_stream(_native(http, 'SELECT 1 AS "X" UNION ALL SELECT 2 AS y').content).read_all()
    assert table.column_names == ["X"]


# Names under a star as the real Trino 476 gives them: those of the relation the star reads
# (root has policies applied, so qualification folds every identifier the engine sees)
STAR_NAMES = [
    ('SELECT * FROM (SELECT 1 AS "A")', ["A"]),
    ('WITH t(A, "Bb") AS (SELECT 1, 2) SELECT t.*, 3 FROM t', ["A", "Bb", "_col2"]),
    ('SELECT * FROM (VALUES (1, 2)) AS t("X", y) CROSS JOIN UNNEST(ARRAY[3]) AS u(Zz)', ["X", "y", "Zz"]),
    (
        "SELECT * FROM (SELECT N_NAME, 1 FROM nation LIMIT 1) UNION ALL SELECT 'x', 2 AS \"Q\"",
        ["N_NAME", "_col1"],
    ),
    ('SELECT *, 1 AS "One" FROM region LIMIT 1', ["r_regionkey", "r_name", "r_comment", "One"]),
]


@pytest.mark.parametrize(("sql", "names"), STAR_NAMES, ids=[sql for sql, _ in STAR_NAMES])
def test_names_under_a_star_are_trinos_on_both_doors(
    http: httpx.Client, door: trino.dbapi.Cursor, sql: str, names: list[str]
) -> None:
    table = pa.ipc.open_stream(_native(http, sql).content).read_all()
    assert table.column_names == names
    _run(door, sql)
    assert [d[0] for d in door.description] == names


def test_at_time_zone_and_with_timezone_give_instants(http: httpx.Client, door: trino.dbapi.Cursor) -> None:
    sql = (
        "SELECT TIMESTAMP '2020-01-01 00:00' AT TIME ZONE 'America/New_York', "
        "with_timezone(TIMESTAMP '2020-01-01 00:00', 'America/New_York'), "
        "parse_datetime('2020-01-02 03:04', 'yyyy-MM-dd HH:mm')"
    )
    # Trino: 2019-12-31 19:00 America/New_York (the same instant as midnight UTC), 05:00 UTC
    expected = [
        dt.datetime(2020, 1, 1, tzinfo=UTC),
        dt.datetime(2020, 1, 1, 5, tzinfo=UTC),
        dt.datetime(2020, 1, 2, 3, 4, tzinfo=UTC),
    ]
    table = pa.ipc.open_stream(_native(http, sql).content).read_all()
    assert all(pa.types.is_timestamp(f.type) and f.type.tz for f in table.schema)
    assert list(table.to_pylist()[0].values()) == expected
    door.execute(sql)
    assert list(door.fetchall()[0]) == expected
    assert all(d[1].endswith("with time zone") for d in door.description)
