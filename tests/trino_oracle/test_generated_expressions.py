"""Generated expressions over every type and their edge cases (issue 8), Trino as the oracle.

Hypothesis draws well-typed Trino expressions (``generated_expressions.py``); each example is one
SELECT of ``PER_STATEMENT`` of them (over constants, or over the columns of a small ``VALUES``
table). The statement runs on the real Trino and through both Lakegate doors, judged as in the
conformance suite (``differential.judge``). When a side fails on the whole statement (one
expression overflows, or Lakegate refuses one function), each expression is run alone, so one
failing expression neither hides the others nor gets a verdict it did not earn.

The test fails on a ``wrong`` answer and on an unclear ``error``; a clear refusal
(``NOT_SUPPORTED`` naming the function) passes. CI runs ``CI_EXAMPLES`` derandomized examples;
explore more locally with ``LAKEGATE_HYPOTHESIS_EXAMPLES=2000`` (``LAKEGATE_HYPOTHESIS_SEED=n`` for
another sequence, ``LAKEGATE_HYPOTHESIS_LOG=file`` to list every finding instead of stopping at
the first). Every bug found this way is kept as a fixed case ``gen_found_*`` in
``data/function_cases.yaml``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
import trino
from hypothesis import HealthCheck, given, seed, settings

from gateway.app import create_app
from gateway.demo import generate_demo
from tests.conftest import demo_config
from tests.server import LiveServer
from tests.trino_oracle.differential import (
    CLIENT_CANNOT_READ,
    Answer,
    judge,
    run_native,
    run_trino_client,
)
from tests.trino_oracle.generated_expressions import select, statements

CI_EXAMPLES = 100
PER_STATEMENT = 8
EXAMPLES = int(os.environ.get("LAKEGATE_HYPOTHESIS_EXAMPLES", CI_EXAMPLES))
SEED = int(os.environ.get("LAKEGATE_HYPOTHESIS_SEED", "0"))
#: exploring: findings are appended to this file instead of failing the test (which would stop
#: at the first one and shrink it)
LOG = os.environ.get("LAKEGATE_HYPOTHESIS_LOG")
#: Trino folds constant subexpressions before it runs a statement, also in a branch that is never
#: taken (``coalesce(1, mod(1, 0))``), and fails with GENERIC_INTERNAL_ERROR ("/ by zero", a date
#: overflow) where the SQL's meaning is an answer. Lakegate answers; such a statement is not judged.
TRINO_INTERNAL_ERROR = "GENERIC_INTERNAL_ERROR"
#: Trino answers, but with a value the Python client cannot read (a date past year 9999): there is
#: nothing to compare with (``differential.CLIENT_CANNOT_READ``); such a statement is not judged
NOT_READABLE = (TRINO_INTERNAL_ERROR, CLIENT_CANNOT_READ)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    demo = tmp_path_factory.mktemp("demo-generated-expressions")
    generate_demo(demo)
    with LiveServer(create_app(demo_config(demo))) as live:
        yield live


def verdicts(
    sql: str,
    ordered: bool,
    oracle: trino.dbapi.Connection,
    door: trino.dbapi.Connection,
    native: httpx.Client,
) -> tuple[Answer, list[tuple[str, str, str]]]:
    """Trino's answer and each door's (door, outcome, detail)."""
    expected = run_trino_client(oracle, sql)
    found = []
    for name, answer, is_native in (
        ("native", run_native(native, sql), True),
        ("trino_door", run_trino_client(door, sql), False),
    ):
        verdict = judge(expected, answer, ordered=ordered, native=is_native)
        found.append((name, verdict.outcome, verdict.detail))
    return expected, found


def check(
    expressions: list[str],
    columns: bool,
    oracle: trino.dbapi.Connection,
    door: trino.dbapi.Connection,
    native: httpx.Client,
) -> None:
    sql = select(expressions, columns)
    expected, found = verdicts(sql, not columns, oracle, door, native)
    if len(expressions) > 1 and (expected.failed or any(outcome != "same" for _, outcome, _ in found)):
        for expression in expressions:  # which expression it is, and the others' verdicts
            check([expression], columns, oracle, door, native)
        return
    if expected.error in NOT_READABLE:
        return  # Trino's own failure or an unreadable answer, nothing to match (see NOT_READABLE)
    bad = [f"{name}: {outcome}: {detail}" for name, outcome, detail in found if outcome in ("wrong", "error")]
    if bad and LOG:
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(f"{sql}\n" + "".join(f"    {line}\n" for line in bad))
        return
    assert not bad, f"{sql}\n" + "\n".join(bad)


_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=SEED == 0,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def _seeded(test):  # type: ignore[no-untyped-def]
    return seed(SEED)(test) if SEED else test


@_seeded
@_settings
@given(statement=statements(PER_STATEMENT))
def test_generated_expressions_answer_as_trino(
    statement: tuple[bool, list[str]],
    oracle: trino.dbapi.Connection,
    door: trino.dbapi.Connection,
    native: httpx.Client,
) -> None:
    columns, expressions = statement
    check(expressions, columns, oracle, door, native)
