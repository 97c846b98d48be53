"""Intervals in JSON answers are written as Trino prints them, never as a Python repr."""

from __future__ import annotations

import httpx
import pytest

from gateway.results import interval_text


@pytest.mark.parametrize(
    ("sql", "text"),
    [
        ("INTERVAL '5' MINUTE", "0 00:05:00.000"),
        ("INTERVAL '2' DAY + INTERVAL '3' HOUR", "2 03:00:00.000"),
        ("-INTERVAL '90' SECOND", "-0 00:01:30.000"),
        ("INTERVAL '14' MONTH", "1-2"),
        ("INTERVAL '-1' YEAR", "-1-0"),
    ],
)
def test_an_interval_in_a_json_answer_reads_as_trino_prints_it(
    http: httpx.Client, sql: str, text: str
) -> None:
    response = http.post(
        "/v1/query",
        json={"sql": f"SELECT {sql} AS i, ARRAY[{sql}] AS l"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == [[text, [text]]]


def test_interval_text_keeps_every_digit_and_never_mixes_units_silently() -> None:
    assert interval_text(0, 0, 1_500_001_000) == "0 00:00:01.500001"
    assert interval_text(0, 1, -1) == "0 23:59:59.999999999"
    # no Trino interval type holds months with days: ISO 8601 rather than a guess
    assert interval_text(1, 2, 3 * 3_600_000_000_000) == "P1M2DT10800S"
