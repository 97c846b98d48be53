"""Trino's string, binary and JSON rules, computed when planning (no engine, no Trino needed).

Every expected value is what the real Trino 476 answered for the same input (the conformance
cases str_from_utf8_*, str_upper_java, json_format_* check them against it).
"""

from __future__ import annotations

import pytest
from sqlglot import exp

from gateway.planner.semantics.from_utf8 import decode
from gateway.planner.semantics.java_case import _TABLES
from gateway.planner.semantics.json_canonical import canonical, java_double
from gateway.planner.semantics.varbinary import is_varbinary


@pytest.mark.parametrize(
    ("data", "replacement", "trino"),
    [
        (b"a\xffb", "\ufffd", "a\ufffdb"),
        (b"a\xe2\x82b", "\ufffd", "a\ufffdb"),  # a truncated 3-byte sequence: one replacement
        (b"a\xc0\xafb", "\ufffd", "a\ufffdb"),  # overlong: one (Python's decoder gives two)
        (b"a\xed\xa0\x80b", "\ufffd", "a\ufffdb"),  # a surrogate: one (Python: three)
        (b"a\xf0\x90\x8d", "\ufffd", "a\ufffd"),
        (b"\xf4\x90\x80\x80", "\ufffd", "\ufffd"),  # beyond U+10FFFF
        (b"\xfe", "\ufffd", "\ufffd"),
        (b"a\xffb", "?", "a?b"),
        (b"\xff", "A", "A"),
        (b"\xff", "", ""),
        ("é€😀".encode(), "\ufffd", "é€😀"),
    ],
)
def test_from_utf8_replaces_each_invalid_sequence_as_trino(data: bytes, replacement: str, trino: str) -> None:
    assert decode(data, replacement) == trino


@pytest.mark.parametrize(
    ("text", "trino"),
    [
        ('{"b": 2, "a": 1}', '{"a":1,"b":2}'),
        (
            '[1.0, 1e2, 10000000000000000000000, "\\u00e9", {"b": {"d":1, "c":2}, "a": null}]',
            '[1.0,100.0,10000000000000000000000,"é",{"a":null,"b":{"c":2,"d":1}}]',
        ),
        (
            '[1e7, 1.5e-5, 123456789.0, 0.001, 1e21, -2.5e-10, 0.1, -0.0, "a\\nb\\u0001/"]',
            '[1.0E7,1.5E-5,1.23456789E8,0.001,1.0E21,-2.5E-10,0.1,-0.0,"a\\nb\\u0001/"]',
        ),
    ],
)
def test_json_literals_take_trinos_canonical_form(text: str, trino: str) -> None:
    known = canonical(text)
    assert known is not None
    assert known[0] == trino


def test_json_numbers_the_engine_writes_otherwise_are_flagged() -> None:
    assert canonical("[0.5, 100.0]") == ("[0.5,100.0]", True)
    assert canonical("[1e21]") == ("[1.0E21]", False)
    assert canonical('{"a": 1, "a": 2}') is None  # a repeated key: not certain
    assert canonical("[NaN]") is None
    assert java_double(1.2345678901234568e22) == "1.2345678901234568E22"


def test_java_case_tables_map_as_java_does() -> None:
    sources, placeholders, targets = _TABLES["upper"]
    assert dict(zip(sources, targets, strict=True))["ß"] == "ß"  # upper('ß') stays 'ß' in Trino
    assert dict(zip(sources, targets, strict=True))["\u0264"] == "\ua7cb"
    sources, placeholders, targets = _TABLES["lower"]
    assert dict(zip(sources, targets, strict=True))["\ua7dc"] == "\u019b"
    assert len(set(placeholders)) == len(placeholders) == len(sources)


@pytest.mark.parametrize(
    ("sql", "binary"),
    [
        ("X'01'", True),
        ("from_hex('01')", True),
        ("to_utf8('a')", True),
        ("CAST('a' AS varbinary)", True),
        ("'01'", False),
        ("x", False),
    ],
)
def test_varbinary_is_known_by_shape(sql: str, binary: bool) -> None:
    node = exp.maybe_parse(sql, dialect="trino")
    assert is_varbinary(node) is binary
