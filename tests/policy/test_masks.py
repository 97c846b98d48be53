"""Mask expressions: run on a real in-memory DuckDB, and check the Trino SQL against Ranger's transformers."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from auth.policy.masks import MASK_TYPES, UnsupportedMask, mask_expression


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:")


def _run(
    con: duckdb.DuckDBPyConnection, mask: str, value_sql: str, column_type: str, value_expr: str | None = None
) -> Any:
    masked = mask_expression(mask, exp.column("c", table="t"), column_type, "duckdb", value_expr=value_expr)
    row = con.sql(
        f"SELECT {masked.sql('duckdb')} FROM (SELECT CAST({value_sql} AS {column_type}) AS c) AS t"
    ).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.parametrize(
    ("mask", "value", "expected"),
    [
        ("MASK", "Ab12-xyZ9", "Xx00-xxX0"),
        ("MASK_SHOW_LAST_4", "Ab12-xyZ9", "XXXXXxyZ9"),
        ("MASK_SHOW_LAST_4", "4111111111111111", "XXXXXXXXXXXX1111"),
        ("MASK_SHOW_LAST_4", "abcd", "abcd"),
        ("MASK_SHOW_LAST_4", "abc", "abc"),
        ("MASK_SHOW_FIRST_4", "Ab12-xyZ9", "Ab12XXXXX"),
        ("MASK_SHOW_FIRST_4", "abc", "abc"),
        ("MASK_HASH", "Ab12-xyZ9", hashlib.sha256(b"Ab12-xyZ9").hexdigest().upper()),
        ("MASK_HASH", "Zoë", hashlib.sha256("Zoë".encode()).hexdigest().upper()),
        ("MASK_NULL", "Ab12-xyZ9", None),
        ("MASK_NONE", "Ab12-xyZ9", "Ab12-xyZ9"),
        ("CUSTOM", "Ab12-xyZ9", "***Z9"),
    ],
)
def test_duckdb_string_masks(
    con: duckdb.DuckDBPyConnection, mask: str, value: str, expected: str | None
) -> None:
    quoted = "'" + value.replace("'", "''") + "'"
    assert _run(con, mask, quoted, "VARCHAR", value_expr="concat('***', right({col}, 2))") == expected


def test_null_input_stays_null(con: duckdb.DuckDBPyConnection) -> None:
    for mask in ("MASK", "MASK_SHOW_LAST_4", "MASK_SHOW_FIRST_4", "MASK_HASH"):
        assert _run(con, mask, "NULL", "VARCHAR") is None


def test_date_show_year(con: duckdb.DuckDBPyConnection) -> None:
    assert _run(con, "MASK_DATE_SHOW_YEAR", "DATE '2021-05-17'", "DATE") == dt.date(2021, 1, 1)
    stamp = _run(con, "MASK_DATE_SHOW_YEAR", "TIMESTAMP '2021-05-17 10:11:12'", "TIMESTAMP")
    assert stamp == dt.datetime(2021, 1, 1)
    assert _run(con, "MASK_DATE_SHOW_YEAR", "'2021-05-17'", "VARCHAR") == "2021-01-01"


def test_non_text_columns_are_cast_back(con: duckdb.DuckDBPyConnection) -> None:
    assert _run(con, "MASK", "123", "INTEGER") == 0
    assert _run(con, "MASK_HASH", "123", "INTEGER") is None  # a hash is not a number: TRY_CAST gives NULL
    assert _run(con, "MASK_NULL", "123", "INTEGER") is None
    assert _run(con, "MASK_SHOW_LAST_4", "'abcdef'", "VARCHAR(6)") == "XXcdef"


def test_custom_without_value_expr_is_null(con: duckdb.DuckDBPyConnection) -> None:
    assert _run(con, "CUSTOM", "'x'", "VARCHAR", value_expr=None) is None


def test_custom_type_placeholder(con: duckdb.DuckDBPyConnection) -> None:
    assert _run(con, "CUSTOM", "'x'", "VARCHAR", value_expr="cast('masked' as {type})") == "masked"


def test_every_mask_type_builds_for_both_dialects() -> None:
    for dialect in ("duckdb", "trino"):
        for mask in MASK_TYPES:
            column_type = "DATE" if mask == "MASK_DATE_SHOW_YEAR" else "VARCHAR"
            built = mask_expression(mask, exp.column("c"), column_type, dialect, value_expr="{col}")
            assert sqlglot.parse_one(built.sql(dialect), read=dialect) == built


def test_trino_uses_rangers_transformers() -> None:
    column = exp.column("ssn", table="p")
    assert mask_expression("MASK_SHOW_LAST_4", column, "varchar", "trino").sql("trino") == (
        "CAST(REGEXP_REPLACE(p.ssn, '(.*)(.{4}$)', x -> REGEXP_REPLACE(x[1], '.', 'X') || x[2]) AS VARCHAR)"
    )
    assert mask_expression("MASK_HASH", column, "varchar", "trino").sql("trino") == (
        "CAST(TO_HEX(SHA256(TO_UTF8(p.ssn))) AS VARCHAR)"
    )
    assert (
        mask_expression("MASK", column, "bigint", "trino")
        .sql("trino")
        .startswith("TRY_CAST(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(CAST(p.ssn AS VARCHAR)")
    )
    assert mask_expression("MASK_DATE_SHOW_YEAR", column, "date", "trino").sql("trino") == (
        "CAST(DATE_TRUNC('YEAR', p.ssn) AS DATE)"
    )


def test_the_column_expression_is_not_mutated() -> None:
    column = exp.column("c", table="t")
    mask_expression("MASK", column, "VARCHAR", "duckdb")
    assert column.sql() == "t.c"


def test_unknown_mask_or_dialect_raises() -> None:
    with pytest.raises(UnsupportedMask):
        mask_expression("SHUFFLE", exp.column("c"), "VARCHAR", "duckdb")
    with pytest.raises(UnsupportedMask):
        mask_expression("MASK", exp.column("c"), "VARCHAR", "postgres")
    with pytest.raises(UnsupportedMask):
        mask_expression("CUSTOM", exp.column("c"), "VARCHAR", "duckdb", value_expr="((")
