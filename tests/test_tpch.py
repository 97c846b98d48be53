"""The 22 TPC-H queries, sent over HTTP in Trino's dialect, match DuckDB's own answers (sf 0.01)."""

from __future__ import annotations

import csv
import io
import math
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pyarrow as pa
import pytest

from connectors.duckdb import extensions

QUERIES = sorted((Path(__file__).parent / "tpch").glob("q*.sql"))


@pytest.fixture(scope="module")
def answers() -> dict[int, list[list[str]]]:
    con = duckdb.connect()
    extensions.configure(con)
    extensions.load(con, "tpch")
    rows = con.execute("SELECT query_nr, answer FROM tpch_answers() WHERE scale_factor = 0.01").fetchall()
    parsed = {}
    for number, answer in rows:
        lines = list(csv.reader(io.StringIO(answer), delimiter="|"))
        parsed[number] = lines[1:]  # the first line is the header
    return parsed


def _same(expected: str, actual: Any) -> bool:
    if actual is None:
        return expected in ("", "NULL")
    if isinstance(actual, float | Decimal) and not isinstance(actual, bool):
        try:
            return math.isclose(float(expected), float(actual), rel_tol=1e-6, abs_tol=0.01)
        except ValueError:
            return False
    if isinstance(actual, date):
        return expected == actual.isoformat()[:10]
    return expected == str(actual)


def test_there_are_22_queries() -> None:
    assert len(QUERIES) == 22


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_tpch_query_matches_duckdb_answers(
    http: httpx.Client, answers: dict[int, list[list[str]]], path: Path
) -> None:
    sql = path.read_text()
    response = http.post(
        "/v1/query", json={"sql": sql, "catalog": "tpch", "schema": "tiny", "dialect": "trino"}
    )
    assert response.status_code == 200, response.text
    table = pa.ipc.open_stream(response.content).read_all()
    expected = answers[int(path.stem[1:])]
    assert table.num_rows == len(expected)
    columns = [c.to_pylist() for c in table.columns]
    for row_number, expected_row in enumerate(expected):
        actual_row = [column[row_number] for column in columns]
        expected_row = expected_row or [""] * len(actual_row)  # an all-NULL row is an empty line
        assert len(actual_row) == len(expected_row)
        for want, got in zip(expected_row, actual_row, strict=True):
            assert _same(want, got), f"row {row_number}: expected {expected_row}, got {actual_row}"
