"""Controls for the attack oracles: they flag real data when it is there, and only then.

Root sees everything, so root's answers (through both doors) are what a leak would look like:
each oracle must flag them when judged as another user. Legitimate queries of every user must
pass every oracle (an oracle that cries wolf would hide real leaks among false ones), and the
Parquet copy of the CRM must hold the same rows as the SQLite original.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.security import doors
from tests.security.attack_model import Attack, Facts
from tests.security.judge import (
    DeniedColumnRead,
    FalseDenial,
    HiddenTableRead,
    ObjectLeak,
    OutsideRead,
    ProbeLeak,
    RowFilterEscape,
    ValueLeak,
    judge,
)
from tests.security.oracle import HiddenObjects, Truth, find_leaks, mask_last_4


def _both(client: httpx.Client, user: str, sql: str, dialect: str = "trino") -> list[doors.Outcome]:
    return [doors.native(client, user, sql, dialect), doors.trino(client, user, sql)]


@pytest.mark.parametrize("catalog", ["crm", "crm_lake"])
def test_root_answers_hold_every_secret_and_the_value_oracle_flags_them(
    attack_client: httpx.Client, attack_truth: Truth, catalog: str
) -> None:
    truth = attack_truth
    sql = (
        "SELECT customer_id, full_name, email, phone, national_id, to_utf8(national_id) AS raw "
        f"FROM {catalog}.main.customers ORDER BY customer_id"
    )
    for outcome in _both(attack_client, "root", sql):
        assert outcome.answered, outcome.summary()
        assert [row[:5] for row in outcome.rows] == [
            (c.customer_id, c.full_name, c.email, c.phone, c.national_id) for c in truth.customers
        ]
        raw = [row[5].decode() if isinstance(row[5], bytes) else row[5] for row in outcome.rows]
        assert raw == [c.national_id for c in truth.customers]  # the Trino door's base64 decoded
        for user in ("ada", "eve"):
            leaked = find_leaks(outcome.texts, truth.secrets[user])
            assert {truth.a.email, truth.a.national_id, truth.a.full_name.lower()} <= set(leaked)
        assert truth.outsider.full_name.lower() in find_leaks(outcome.texts, truth.secrets["sam"])
        assert not find_leaks(outcome.texts, truth.secrets["root"])


def test_judge_flags_root_answers_as_the_leaks_they_would_be(
    attack_client: httpx.Client, attack_truth: Truth, attack_hidden: HiddenObjects
) -> None:
    sql = "SELECT customer_id, national_id FROM crm_lake.main.customers"
    read = Facts(tables=frozenset({"customers"}), reads=frozenset({"customers.national_id"}))
    for outcome in _both(attack_client, "root", sql):
        with pytest.raises(ValueLeak):
            judge(Attack("generated", "sam", sql, "trino", read, None), outcome, attack_truth, attack_hidden)
    ids = "SELECT customer_id FROM crm.main.customers"
    for outcome in _both(attack_client, "root", ids):
        attack = Attack("generated", "sam", ids, "trino", Facts(), ("customers.customer_id",))
        with pytest.raises(RowFilterEscape):
            judge(attack, outcome, attack_truth, attack_hidden)
        with pytest.raises(HiddenTableRead):
            judge(Attack("generated", "eve", ids, "trino", read, None), outcome, attack_truth, attack_hidden)
        outside = Facts(outside=frozenset({"duckdb_tables"}))
        with pytest.raises(OutsideRead):
            judge(
                Attack("generated", "ada", ids, "trino", outside, None), outcome, attack_truth, attack_hidden
            )
        denied = Facts(tables=frozenset({"customers"}), reads=frozenset({"customers.national_id"}))
        with pytest.raises(DeniedColumnRead):
            judge(
                Attack("generated", "sam", ids, "trino", denied, None), outcome, attack_truth, attack_hidden
            )
        probe = Attack("order_by_probe", "ada", ids, "trino", Facts(), None, expect_rows=((-1,),))
        with pytest.raises(ProbeLeak):
            judge(probe, outcome, attack_truth, attack_hidden)
    engine = doors.Outcome("native", True, ["v"], [("lg_crm",)], texts=["v", "lg_crm"])
    with pytest.raises(ObjectLeak):
        judge(
            Attack("generated", "ada", "SELECT 1", "trino", Facts(), None),
            engine,
            attack_truth,
            attack_hidden,
        )
    refused = doors.native(attack_client, "sam", "SELECT national_id FROM crm.main.customers")
    allowed_read = Facts(tables=frozenset({"customers"}), reads=frozenset({"customers.customer_id"}))
    with pytest.raises(FalseDenial):
        judge(
            Attack("generated", "sam", "x", "trino", allowed_read, None), refused, attack_truth, attack_hidden
        )


def test_the_hidden_object_oracle_flags_the_files_content(
    attack_dir: Path, attack_hidden: HiddenObjects
) -> None:
    said = "SELECT 1"
    policies = (attack_dir / "policies.json").read_text(encoding="utf-8")
    assert "support never sees national ids" in attack_hidden.leaks(said, "sam", [policies], [])
    users = (attack_dir / "users.yaml").read_text(encoding="utf-8")
    found = attack_hidden.leaks(said, "ada", [users], [])
    assert "password_hash" in found
    assert any(marker.startswith("scrypt$") for marker in found)
    config = (attack_dir / "lakegate.yaml").read_text(encoding="utf-8")
    assert "users_file" in attack_hidden.leaks(said, "eve", [config], [])
    path = f"cannot open {attack_dir / 'crm' / 'crm.sqlite'} in lg_crm"
    assert {str(attack_dir).lower(), "crm.sqlite", "lg_crm"} <= set(
        attack_hidden.leaks(said, "ada", [path], [])
    )
    assert (
        attack_hidden.leaks(f"SELECT * FROM lg_crm.main.t -- {attack_dir}/crm/crm.sqlite", "ada", [path], [])
        == []
    )
    assert attack_hidden.leaks(said, "root", [policies, users, config, path], []) == []
    assert attack_hidden.leaks(said, "sam", ["contract_id"], ["contract_id"]) == ["contract_id"]
    assert attack_hidden.leaks(said, "sam", ["contract_id"], []) == []  # in an error: a name, not data


def test_the_stats_oracle_flags_bounds_of_hidden_rows(attack_truth: Truth) -> None:
    truth = attack_truth
    emea_names = [c.full_name for c in truth.emea]
    hidden = next(
        c.full_name[:8]
        for c in truth.others
        if not any(name.startswith(c.full_name[:8]) for name in emea_names)
    )
    visible = min(emea_names)[:8]
    assert truth.stats_leaks([f"[Min: {hidden}, Max: {visible}, Has Unicode: false]"], "sam")
    assert not truth.stats_leaks([f"[Min: {visible}, Max: {visible}, Has Unicode: false]"], "sam")
    assert not truth.stats_leaks([f"[Min: {hidden}, Max: {visible}, Has Unicode: false]"], "ada")


LEGITIMATE = [
    ("sam", "SELECT customer_id, full_name, email, phone, region, country FROM {c}.main.customers"),
    ("sam", "SELECT t.* FROM {c}.main.support_tickets AS t"),
    ("sam", "SELECT max(customer_id), min(full_name), array_agg(region) FROM {c}.main.customers"),
    ("sam", "SELECT * FROM lake.shipping.vessels"),
    ("ada", "SELECT * FROM {c}.main.customers"),
    (
        "ada",
        "SELECT c.email, k.value_eur FROM {c}.main.customers AS c JOIN {c}.main.contracts AS k USING (customer_id)",
    ),
    ("ada", "SELECT * FROM tpch.tiny.customer LIMIT 50"),
    ("eve", "SELECT 1 AS one, 'x' AS national_id"),
    ("eve", "WITH customers AS (SELECT 1 AS customer_id) SELECT * FROM customers"),
]


@pytest.mark.parametrize("catalog", ["crm", "crm_lake"])
@pytest.mark.parametrize(("user", "sql"), LEGITIMATE)
def test_legitimate_answers_pass_every_oracle(
    attack_client: httpx.Client,
    attack_truth: Truth,
    attack_hidden: HiddenObjects,
    user: str,
    sql: str,
    catalog: str,
) -> None:
    sql = sql.format(c=catalog)
    attack = Attack("legitimate", user, sql, "trino", Facts(), None)
    for outcome in _both(attack_client, user, sql):
        assert outcome.answered, outcome.summary()
        assert outcome.rows, outcome.summary()
        judge(attack, outcome, attack_truth, attack_hidden)


def test_the_parquet_copy_holds_the_crm_rows(attack_client: httpx.Client, attack_truth: Truth) -> None:
    sql = "SELECT customer_id, email, region FROM {c}.main.customers ORDER BY customer_id"
    sqlite, parquet = (doors.native(attack_client, "sam", sql.format(c=c)) for c in ("crm", "crm_lake"))
    assert sqlite.rows == parquet.rows
    assert sqlite.rows == [(c.customer_id, mask_last_4(c.email), c.region) for c in attack_truth.emea]


def test_the_row_filter_oracle_reads_ids_whatever_type_a_set_operation_gave_them(
    attack_client: httpx.Client, attack_truth: Truth, attack_hidden: HiddenObjects
) -> None:
    # EXCEPT with a VALUES row of strings makes customer_id a varchar column: '101', not 101
    cast = "SELECT CAST(customer_id AS varchar) FROM crm.main.customers"
    attack = Attack("generated", "sam", cast, "trino", Facts(), ("customers.customer_id",))
    for outcome in _both(attack_client, "sam", cast):
        assert outcome.answered
        judge(attack, outcome, attack_truth, attack_hidden)  # sam's own EMEA ids: no escape
    for outcome in _both(attack_client, "root", cast):
        with pytest.raises(RowFilterEscape):
            judge(attack, outcome, attack_truth, attack_hidden)  # every region's ids, as strings
