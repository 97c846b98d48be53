"""qmark parameters rendered as SQL literals (lakegate.params)."""

from __future__ import annotations

import datetime
import decimal
import math
from typing import Any

import pytest

import lakegate
from lakegate.params import render_literal, render_parameters, split_placeholders


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (None, "NULL"),
        (True, "TRUE"),
        (False, "FALSE"),
        (0, "0"),
        (42, "42"),
        (-7, "(-7)"),
        (10**30, "1" + "0" * 30),
        (1.5, "1.5E0"),
        (-0.25, "(-0.25E0)"),
        (1e300, "1e+300"),
        (decimal.Decimal("1.50"), "DECIMAL '1.50'"),
        (decimal.Decimal("-1E+3"), "DECIMAL '-1000'"),
        ("plain", "'plain'"),
        ("it's", "'it''s'"),
        ("", "''"),
        ("?", "'?'"),
        ("Grüße 🌍", "'Grüße 🌍'"),
        (b"\x00\xffA", "X'00ff41'"),
        (bytearray(b"\x01"), "X'01'"),
        (memoryview(b"\x02"), "X'02'"),
        (datetime.date(2024, 1, 31), "DATE '2024-01-31'"),
        (datetime.datetime(2024, 1, 31, 12, 5, 6, 7), "TIMESTAMP '2024-01-31 12:05:06.000007'"),
        (
            datetime.datetime(
                2024, 1, 31, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))
            ),
            "TIMESTAMP '2024-01-31 12:00:00.000000 -05:30'",
        ),
        (
            datetime.datetime(2024, 1, 31, tzinfo=datetime.UTC),
            "TIMESTAMP '2024-01-31 00:00:00.000000 +00:00'",
        ),
        (datetime.time(23, 59, 1), "TIME '23:59:01.000000'"),
    ],
)
def test_render_literal(value: Any, literal: str) -> None:
    assert render_literal(value) == literal


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        math.inf,
        -math.inf,
        decimal.Decimal("NaN"),
        decimal.Decimal("Infinity"),
        object(),
        [1],
        {"a": 1},
    ],
)
def test_unrenderable_values(value: Any) -> None:
    with pytest.raises(lakegate.ProgrammingError):
        render_literal(value)


def test_nul_characters_are_refused() -> None:
    with pytest.raises(lakegate.ProgrammingError):
        render_literal("a\x00b")


def test_time_with_time_zone_is_refused() -> None:
    with pytest.raises(lakegate.ProgrammingError):
        render_literal(datetime.time(1, tzinfo=datetime.UTC))


@pytest.mark.parametrize(
    ("sql", "count"),
    [
        ("SELECT 1", 0),
        ("SELECT ?", 1),
        ("SELECT ?, ?", 2),
        ("SELECT '?'", 0),
        ("SELECT 'it''s ?', ?", 1),
        ('SELECT "col?" FROM t WHERE x = ?', 1),
        ('SELECT "a""?" FROM t', 0),
        ("SELECT `q?` FROM t", 0),
        ("SELECT 1 -- what?\n, ?", 1),
        ("SELECT 1 -- what?", 0),
        ("SELECT /* ? */ ?", 1),
        ("SELECT /* ? ", 0),
        ("SELECT 'unterminated ?", 0),
        ("SELECT 10/2, ?", 1),
        ("SELECT 5-3, ?", 1),
    ],
)
def test_placeholders_outside_quotes_and_comments(sql: str, count: int) -> None:
    assert len(split_placeholders(sql)) == count + 1


def test_render_parameters() -> None:
    sql = "SELECT * FROM t WHERE name = ? AND note = 'why?' AND \"c?\" > ? -- ?\nAND d = ?"
    rendered = render_parameters(sql, ("O'Brien", 3, datetime.date(2024, 2, 29)))
    assert rendered == (
        "SELECT * FROM t WHERE name = 'O''Brien' AND note = 'why?' AND \"c?\" > 3 -- ?\n"
        "AND d = DATE '2024-02-29'"
    )


def test_a_rendered_value_is_never_reparsed() -> None:
    assert (
        render_parameters("SELECT ?, ?", ["?", "'; DROP TABLE x; --"]) == "SELECT '?', '''; DROP TABLE x; --'"
    )


def test_negative_numbers_cannot_start_a_comment() -> None:
    rendered = render_parameters("SELECT x -?", [-1])
    assert "--" not in rendered
    assert rendered == "SELECT x -(-1)"


@pytest.mark.parametrize("parameters", [[], [1, 2]])
def test_wrong_parameter_count(parameters: list[int]) -> None:
    with pytest.raises(lakegate.ProgrammingError, match="1 placeholder"):
        render_parameters("SELECT ?", parameters)


@pytest.mark.parametrize("parameters", [{"a": 1}, "a", b"a", 5])
def test_parameters_must_be_a_sequence(parameters: Any) -> None:
    with pytest.raises(lakegate.ProgrammingError):
        render_parameters("SELECT ?", parameters)


def test_no_placeholders_and_no_parameters() -> None:
    assert render_parameters("SELECT 1", []) == "SELECT 1"
