"""Trino's plan-time simplifications (gateway/planner/passes/trino_folding.py), on the tree.

Which coalesce arguments count as NULL constants, and when the one kept argument replaces the
coalesce, follow what the real Trino 476 answered (the ``gen_found_negated_coalesce_*`` cases of
tests/trino_oracle/data/function_cases.yaml run the same statements against it).
"""

from __future__ import annotations

import pytest
from sqlglot import exp, parse_one

from gateway.planner.passes.trino_folding import kept_argument, statically_null


def _expression(sql: str) -> exp.Expr:
    return parse_one(f"SELECT {sql}", read="trino").selects[0]


def _coalesce(sql: str) -> exp.Coalesce:
    node = _expression(sql)
    assert isinstance(node, exp.Coalesce)
    return node


@pytest.mark.parametrize(
    "sql",
    [
        "NULL",
        "CAST(NULL AS tinyint)",
        "mod(TINYINT '1', CAST(NULL AS tinyint))",
        "1 + (2 * CAST(NULL AS integer))",
        "- CAST(NULL AS bigint)",
        "nullif(1, 1)",
        "nullif(CAST(NULL AS integer), 1)",
        "coalesce(NULL, CAST(NULL AS integer))",
    ],
)
def test_what_trino_folds_to_null(sql: str) -> None:
    assert statically_null(_expression(sql))


@pytest.mark.parametrize("sql", ["1", "x", "nullif(1, 2)", "nullif(x, 1)", "coalesce(NULL, 1)", "1 / 0"])
def test_what_is_not_known_null(sql: str) -> None:
    assert not statically_null(_expression(sql))


@pytest.mark.parametrize(
    ("sql", "kept"),
    [
        ("coalesce(- TINYINT '-128', CAST(NULL AS tinyint))", "-CAST('-128' AS TINYINT)"),
        ("coalesce(- TINYINT '-128', - TINYINT '-128')", "-CAST('-128' AS TINYINT)"),
        ("coalesce(coalesce(- TINYINT '-128', NULL), NULL)", "-CAST('-128' AS TINYINT)"),
        ("coalesce(TINYINT '5', - TINYINT '-128')", "CAST('5' AS TINYINT)"),
    ],
)
def test_the_one_argument_trino_keeps(sql: str, kept: str) -> None:
    found = kept_argument(_coalesce(sql))
    assert found is not None
    assert found.sql("trino") == kept


@pytest.mark.parametrize(
    "sql",
    [
        "coalesce(- TINYINT '-128', TINYINT '1')",  # two arguments stay: -128 is negated, and overflows
        "coalesce(- TINYINT '-128', CAST(NULL AS bigint))",  # Trino's coercion cast stays in between
        "coalesce(- TINYINT '-128', y)",  # a column: not known NULL
    ],
)
def test_no_argument_replaces_the_coalesce(sql: str) -> None:
    assert kept_argument(_coalesce(sql)) is None
