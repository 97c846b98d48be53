"""Generated attacks (issue 7): hypothesis builds adversarial queries, both front doors answer them.

Every generated query goes to the native API (``POST /v1/query``) and to the Trino door
(``POST /v1/statement``), as eve, sam or ada, over the demo CRM stored as SQLite (``crm``) and as
Parquet (``crm_lake``); :mod:`tests.security.judge` checks each answer against ground truth.
Each test is one family of shapes (:mod:`tests.security.shapes`), so that each reports the
minimal failing query of its own kind; the failure names the kind of leak, the SQL, the user
and the door.

CI runs a bounded, reproducible number of examples (``derandomize``, no example database). The
long run, at least 20,000 generated queries (each through both doors)::

    LAKEGATE_ATTACK_EXAMPLES=20000 .venv/bin/pytest tests/security/test_generated_attacks.py \
        -p no:cacheprovider --timeout=0 -q

``LAKEGATE_ATTACK_EXAMPLES`` is the number of generated queries in all (default 1,500), shared
among the families as ``_SHARE`` says; each query goes through both doors. With
``LAKEGATE_ATTACK_SEED=<n>`` the run draws another reproducible sequence (the default, 0, is
hypothesis's derandomized one).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, seed, settings

from tests.security import doors
from tests.security.attack_model import CATALOGS, Attack, Env
from tests.security.doors import Outcome
from tests.security.judge import judge
from tests.security.oracle import HiddenObjects, Truth
from tests.security.shapes import (
    alias_attacks,
    attacks,
    function_attacks,
    order_by_probes,
    recursion_attacks,
)

CI_EXAMPLES = 1500
EXAMPLES = int(os.environ.get("LAKEGATE_ATTACK_EXAMPLES", CI_EXAMPLES))
SEED = int(os.environ.get("LAKEGATE_ATTACK_SEED", "0"))
#: each family's share of the examples (they add up to one)
_SHARE = {"nested": 0.5, "alias": 0.25, "recursion": 0.1 / 3, "functions": 0.05, "probes": 0.1}


#: reproducible runs: no deadline (a live server), no example database, derandomized unless seeded
settings.register_profile(
    "lakegate-attacks",
    deadline=None,
    derandomize=SEED == 0,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def _settings(family: str) -> Callable[[Any], Any]:
    return settings(
        settings.get_profile("lakegate-attacks"), max_examples=max(10, int(EXAMPLES * _SHARE[family]))
    )


def _seeded(test: Callable[..., Any]) -> Callable[..., Any]:
    return seed(SEED)(test) if SEED else test


def run_both_doors(
    client: httpx.Client, attack: Attack, truth: Truth, hidden: HiddenObjects
) -> list[Outcome]:
    outcomes = [
        doors.native(client, attack.user, attack.sql, attack.dialect, attack.catalog, attack.schema),
        doors.trino(client, attack.user, attack.sql, attack.catalog, attack.schema),
    ]
    for outcome in outcomes:
        judge(attack, outcome, truth, hidden)
    return outcomes


def test_nested_shapes(
    attack_client: httpx.Client, attack_truth: Truth, attack_hidden: HiddenObjects, attack_env: Env
) -> None:
    @_settings("nested")
    @_seeded
    @given(attacks(attack_env))
    def check(attack: Attack) -> None:
        run_both_doors(attack_client, attack, attack_truth, attack_hidden)

    check()


def test_alias_lists_and_star_patterns(
    attack_client: httpx.Client, attack_truth: Truth, attack_hidden: HiddenObjects
) -> None:
    @_settings("alias")
    @_seeded
    @given(alias_attacks())
    def check(attack: Attack) -> None:
        run_both_doors(attack_client, attack, attack_truth, attack_hidden)

    check()


@pytest.mark.parametrize("target", ["engine", "config", "data"])
def test_recursive_ctes_naming_themselves(
    attack_client: httpx.Client,
    attack_truth: Truth,
    attack_hidden: HiddenObjects,
    attack_env: Env,
    target: str,
) -> None:
    """Finding 1: ``WITH RECURSIVE x AS (SELECT * FROM x UNION ALL ...)`` reads the object outside:
    engine tables, the configuration files, the data files (raw rows, no masks, no filters)."""

    @_settings("recursion")
    @_seeded
    @given(recursion_attacks(attack_env, target))
    def check(attack: Attack) -> None:
        run_both_doors(attack_client, attack, attack_truth, attack_hidden)

    check()


def test_engine_functions(
    attack_client: httpx.Client, attack_truth: Truth, attack_hidden: HiddenObjects, attack_env: Env
) -> None:
    """Finding 2: plans, statistics, logs and settings of the engine are not for users."""

    @_settings("functions")
    @_seeded
    @given(function_attacks(attack_env))
    def check(attack: Attack) -> None:
        run_both_doors(attack_client, attack, attack_truth, attack_hidden)

    check()


def test_order_by_and_where_probes(
    attack_client: httpx.Client, attack_truth: Truth, attack_hidden: HiddenObjects
) -> None:
    """A hidden value must not steer the answer through ORDER BY or WHERE, behind an alias or not."""
    truth = attack_truth

    @_settings("probes")
    @_seeded
    @given(order_by_probes(truth.a.customer_id, truth.b.customer_id, truth.a.national_id))
    def check(attack: Attack) -> None:
        run_both_doors(attack_client, attack, attack_truth, attack_hidden)

    check()


def test_the_generator_covers_every_shape_and_both_storages(attack_env: Env) -> None:
    """The strategies reach every family the issue names (a generator that drifted would not)."""
    seen: set[str] = set()

    @settings(max_examples=400, derandomize=True, database=None, deadline=None)
    @given(attacks(attack_env))
    def collect(attack: Attack) -> None:
        sql = attack.sql
        marks = {
            "recursive": "WITH RECURSIVE" in sql,
            "cte": sql.startswith("WITH "),
            "alias_list": " AS t(" in sql or " AS x(" in sql,
            "setop": any(op in sql for op in (") UNION", ") INTERSECT", ") EXCEPT")),
            "lateral": "LATERAL" in sql,
            "correlated": "EXISTS" in sql or " IN (SELECT" in sql,
            "exclude": "EXCLUDE" in sql,
            "like": "* LIKE" in sql,
            "similar": "SIMILAR TO" in sql,
            "columns": "COLUMNS(" in sql,
            "positional": "#" in sql,
            "engine_object": "duckdb_" in sql,
            "path": ".json" in sql or ".parquet" in sql or ".yaml" in sql,
            "table_function": "read_" in sql or "sqlite_scan" in sql,
            "sqlite": "crm.main" in sql,
            "parquet": "crm_lake.main" in sql,
            "trino": attack.dialect == "trino",
            "duckdb": attack.dialect == "duckdb",
            "session": attack.catalog in CATALOGS,
        }
        seen.update(name for name, hit in marks.items() if hit)

    collect()
    assert seen == {
        "recursive", "cte", "alias_list", "setop", "lateral", "correlated", "exclude", "like", "similar",
        "columns", "positional", "engine_object", "path", "table_function", "sqlite", "parquet", "trino",
        "duckdb", "session",
    }  # fmt: skip
