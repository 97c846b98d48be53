"""The 22 TPC-H queries through the real `trino` client match DuckDB's tpch_answers() (sf 0.01)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_tpch import QUERIES, _same
from tests.trino.conftest import Connect


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_tpch_query_through_the_trino_client(
    connect: Connect, answers: dict[int, list[list[str]]], path: Path
) -> None:
    cursor = connect("ada", catalog="tpch", schema="tiny").cursor()
    cursor.execute(path.read_text())
    rows = cursor.fetchall()
    expected = answers[int(path.stem[1:])]
    assert len(rows) == len(expected)
    for number, (want_row, got_row) in enumerate(zip(expected, rows, strict=True)):
        want_row = want_row or [""] * len(got_row)  # an all-NULL row is an empty line
        assert len(want_row) == len(got_row)
        for want, got in zip(want_row, got_row, strict=True):
            assert _same(want, got), f"row {number}: expected {want_row}, got {got_row}"
