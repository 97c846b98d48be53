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
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trino
import yaml

from gateway.app import create_app
from gateway.demo import generate_demo
from tests.conftest import demo_config
from tests.server import LiveServer
from tests.trino_oracle.cases import DATA, Case, all_cases
from tests.trino_oracle.differential import Answer, judge, run_native, run_trino_client
from tests.trino_oracle.tpcds_data import CACHE as TPCDS_ROOT
from tests.trino_oracle.tpcds_data import register_in_trino, write_tpcds
from tests.trino_oracle.tpch_export import export_tpch_tiny
from tests.trino_server import HIVE_CATALOG

CASES = all_cases()
DOORS = ("native", "trino_door")
KNOWN_WRONG_FILE = DATA / "known_wrong.yaml"


def known_wrong() -> dict[str, str]:
    raw = yaml.safe_load(KNOWN_WRONG_FILE.read_text()) or {}
    return {str(key): str(value) for key, value in raw.items()}


KNOWN_WRONG = known_wrong()
RESULTS: dict[str, dict[str, Any]] = {}


@pytest.fixture(scope="module")
def server(oracle: trino.dbapi.Connection, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo Lakegate, its ``tpch.tiny`` replaced by the real Trino's (tpch_export.py), with
    catalog ``tpcds`` over the Parquet files the real Trino reads too (tpcds_data.py)."""
    demo = tmp_path_factory.mktemp("demo-trino-tpch")
    generate_demo(demo)
    export_tpch_tiny(oracle, demo / "tpch" / "tiny")
    register_in_trino(oracle, HIVE_CATALOG, TPCDS_ROOT, write_tpcds(TPCDS_ROOT))
    add_files_catalog(demo, HIVE_CATALOG, TPCDS_ROOT)
    with LiveServer(create_app(demo_config(demo))) as live:
        yield live


def add_files_catalog(demo: Path, name: str, root: Path) -> None:
    """A files catalog in the demo's config, readable by everyone the TPC-H policy lets read."""
    config_path = demo / "lakegate.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["catalogs"][name] = {"connector": "files", "root": str(root)}
    config_path.write_text(yaml.safe_dump(config))
    policies_path = demo / str(config["policies"]["file"])
    policies = json.loads(policies_path.read_text())
    readers = [
        p for p in policies["policies"] if "tpch" in p["resources"].get("catalog", {}).get("values", [])
    ]
    assert readers, "no policy grants the demo's tpch catalog"
    for policy in readers:
        policy["resources"]["catalog"]["values"].append(name)
    policies_path.write_text(json.dumps(policies))


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
    oracle_seconds = None
    if case.id not in oracle_answers:
        started = time.monotonic()
        oracle_answers[case.id] = run_trino_client(oracle, case.sql)
        oracle_seconds = time.monotonic() - started
    expected = oracle_answers[case.id]
    started = time.monotonic()
    if door_name == "native":
        verdict = judge(
            expected,
            run_native(native, case.sql),
            tolerance=case.tolerance,
            ordered=case.ordered,
            order_keys=case.order_keys,
            native=True,
        )
    else:
        verdict = judge(
            expected,
            run_trino_client(door, case.sql),
            tolerance=case.tolerance,
            ordered=case.ordered,
            order_keys=case.order_keys,
        )
    key = f"{door_name}/{case.id}"
    RESULTS[key] = {
        "source": case.source,
        "outcome": verdict.outcome,
        "detail": verdict.detail,
        "sql": case.sql,
        "seconds": round(time.monotonic() - started, 3),  # the door's run and the verdict
        **({"trino_seconds": round(oracle_seconds, 3)} if oracle_seconds is not None else {}),
    }
    listed = KNOWN_WRONG.get(key)
    if verdict.outcome in ("same", "refused"):
        assert listed is None, f"{key} now gives {verdict.outcome}: remove it from {KNOWN_WRONG_FILE.name}"
    else:
        assert listed is not None, f"new {verdict.outcome} answer ({key}): {verdict.detail}\n{case.sql}"
