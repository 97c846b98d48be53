"""Differential conformance: every case on the real Trino and through both Lakegate doors.

A case passes when Lakegate gives Trino's answer or refuses it clearly (``differential.judge``).
Cases where Lakegate is known to answer wrongly (or to fail unclearly) are listed in
``data/known_wrong.yaml`` with the verdict seen, so the suite is green today and each fix shows:
a listed case that now passes fails the test until its entry is removed, and any wrong answer
not listed fails it. ``LAKEGATE_CONFORMANCE_OUT=file.json`` writes every verdict for
``python -m tests.trino_oracle.report`` (the README's conformance table).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trino
import yaml

from tests.server import LiveServer
from tests.trino_oracle.cases import DATA, Case, all_cases
from tests.trino_oracle.differential import Answer, judge, run_native, run_trino_client, trino_connection
from tests.trino_server import TrinoServer

CASES = all_cases()
DOORS = ("native", "trino_door")
USER = "ada"
KNOWN_WRONG_FILE = DATA / "known_wrong.yaml"


def known_wrong() -> dict[str, str]:
    raw = yaml.safe_load(KNOWN_WRONG_FILE.read_text()) or {}
    return {str(key): str(value) for key, value in raw.items()}


KNOWN_WRONG = known_wrong()
RESULTS: dict[str, dict[str, Any]] = {}


@pytest.fixture(scope="module")
def oracle(trino_server: TrinoServer) -> Iterator[trino.dbapi.Connection]:
    connection = trino_connection(trino_server.host, trino_server.port, "lakegate-oracle")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def door(server: LiveServer) -> Iterator[trino.dbapi.Connection]:
    host, port = server.url.removeprefix("http://").split(":")
    connection = trino_connection(host, int(port), USER)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def native(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120, headers={"X-Lakegate-User": USER}) as client:
        yield client


@pytest.fixture(scope="module")
def oracle_answers(oracle: trino.dbapi.Connection) -> dict[str, Answer]:
    return {}


@pytest.fixture(scope="module", autouse=True)
def write_results() -> Iterator[None]:
    yield
    out = os.environ.get("LAKEGATE_CONFORMANCE_OUT")
    if out and RESULTS:
        Path(out).write_text(json.dumps(RESULTS, indent=1, sort_keys=True))


def test_known_wrong_names_existing_cases() -> None:
    keys = {f"{door}/{case.id}" for case in CASES for door in DOORS}
    assert set(KNOWN_WRONG) <= keys, sorted(set(KNOWN_WRONG) - keys)
    assert all(value.split(":", 1)[0] in ("wrong", "error") for value in KNOWN_WRONG.values())


@pytest.mark.parametrize("door_name", DOORS)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_lakegate_answers_as_trino(
    case: Case,
    door_name: str,
    oracle: trino.dbapi.Connection,
    oracle_answers: dict[str, Answer],
    door: trino.dbapi.Connection,
    native: httpx.Client,
) -> None:
    if case.id not in oracle_answers:
        oracle_answers[case.id] = run_trino_client(oracle, case.sql)
    expected = oracle_answers[case.id]
    if door_name == "native":
        verdict = judge(
            expected,
            run_native(native, case.sql),
            tolerance=case.tolerance,
            ordered=case.ordered,
            native=True,
        )
    else:
        verdict = judge(
            expected, run_trino_client(door, case.sql), tolerance=case.tolerance, ordered=case.ordered
        )
    key = f"{door_name}/{case.id}"
    RESULTS[key] = {
        "source": case.source,
        "outcome": verdict.outcome,
        "detail": verdict.detail,
        "sql": case.sql,
    }
    listed = KNOWN_WRONG.get(key)
    if verdict.outcome in ("same", "refused"):
        assert listed is None, f"{key} now gives {verdict.outcome}: remove it from {KNOWN_WRONG_FILE.name}"
    else:
        assert listed is not None, f"new {verdict.outcome} answer ({key}): {verdict.detail}\n{case.sql}"
