"""The conformance suite's unordered comparison with ORDER BY keys (tests/trino_oracle), without
a Trino: which output columns a query sorts on, and that their sequence is held to Trino's."""

from __future__ import annotations

from tests.trino_oracle.cases import order_keys, tpcds_cases
from tests.trino_oracle.differential import Answer, judge

TRINO = Answer(names=["k", "v"], types=["integer", "integer"], rows=[[1, 5], [1, 6], [2, 7]])


def _answer(rows: list[list[int]]) -> Answer:
    return Answer(names=["k", "v"], types=["integer", "integer"], rows=rows)


def test_rows_tied_on_the_keys_may_come_in_any_order() -> None:
    assert judge(TRINO, _answer([[1, 6], [1, 5], [2, 7]]), ordered=False, order_keys=(0,)).outcome == "same"


def test_keys_out_of_trinos_sequence_are_a_wrong_answer() -> None:
    verdict = judge(TRINO, _answer([[2, 7], [1, 6], [1, 5]]), ordered=False, order_keys=(0,))
    assert verdict.outcome == "wrong"
    assert "order of columns [0]" in verdict.detail
    assert judge(TRINO, _answer([[2, 7], [1, 6], [1, 5]]), ordered=False).outcome == "same"


def test_order_keys_are_output_columns_by_alias_position_or_expression() -> None:
    assert order_keys('SELECT a "x", b FROM t ORDER BY "x" DESC, 2') == (0, 1)
    assert order_keys('SELECT t."a", count(*) "cnt" FROM t GROUP BY 1 ORDER BY "cnt", t."a"') == (1, 0)
    assert order_keys("SELECT a FROM t UNION ALL SELECT b FROM u ORDER BY a") == (0,)
    # a key that is not an output column: only the multiset compares
    assert order_keys("SELECT a FROM t ORDER BY b") == ()
    assert order_keys("SELECT a FROM t") == ()


def test_most_tpcds_queries_have_their_order_checked() -> None:
    cases = tpcds_cases()
    assert len(cases) == 103
    assert sum(1 for case in cases if case.order_keys) >= 75
