"""Adversarial datasets: try to read through a view or a materialised table what policy hides.

Each reader of a dataset sees at most what its security mode allows: DEFINER (the default) reads
the sources with the owner's grants, filters and masks; INVOKER with the reader's own; and
reading needs ``select`` on the dataset in both. The oracle is the CRM's SQLite ground truth
(:class:`tests.security.oracle.Truth`): no answer or error may hold a value the reader's or the
owner's policies hide. A fresh demo per module: these tests define datasets.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest

from tests.security.oracle import Truth, find_leaks
from tests.server import LiveServer
from tests.workspace import Sql, workspace_server


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dataset-attacks")


@pytest.fixture(scope="module")
def live(demo: Path) -> Iterator[LiveServer]:
    with workspace_server(demo) as server:
        yield server


@pytest.fixture(scope="module")
def sql(live: LiveServer) -> Iterator[Sql]:
    with httpx.Client(base_url=live.url, timeout=120) as client:
        yield Sql(client)


@pytest.fixture(scope="module")
def truth(demo: Path, live: LiveServer) -> Truth:
    return Truth(demo / "crm" / "crm.sqlite")


def _clean(truth: Truth, user: str, text: str, *owners: str) -> None:
    for who in (user, *owners):
        leaks = find_leaks([text], truth.secrets[who])
        assert not leaks, f"{user} read what {who} may not see: {leaks[:3]}"


# -- a view over a column the definer may not read ---------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "SELECT national_id FROM crm.main.customers",
        "SELECT customer_id FROM crm.main.customers WHERE national_id LIKE 'A%'",
        "SELECT count(DISTINCT national_id) AS n FROM crm.main.customers",
        "SELECT * FROM crm.main.customers",
        "SELECT c.customer_id FROM crm.main.customers c JOIN crm.main.contracts k ON c.customer_id = k.customer_id",
    ],
)
def test_a_view_over_what_its_definer_may_not_read_is_refused(sql: Sql, truth: Truth, body: str) -> None:
    response = sql.run("sam", f"CREATE VIEW workspace.sam.attempt AS {body}")
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "ACCESS_DENIED"
    _clean(truth, "sam", response.text)
    sql.refused("sam", "SELECT * FROM workspace.sam.attempt", "SCHEMA_NOT_FOUND")


def test_definer_views_show_readers_the_owners_masked_values_never_raw(sql: Sql, truth: Truth) -> None:
    sql.ok(
        "ada",
        "CREATE VIEW workspace.shared.customer_card AS SELECT customer_id, full_name, email, phone, "
        "national_id, region FROM crm.main.customers",
    )
    for statement in (
        "SELECT * FROM workspace.shared.customer_card",
        "SELECT national_id, count(*) FROM workspace.shared.customer_card GROUP BY 1",
        "SELECT email FROM workspace.shared.customer_card WHERE email LIKE '%@%' ORDER BY email",
        "SELECT max(national_id), min(phone) FROM workspace.shared.customer_card",
    ):
        response = sql.run("sam", statement)
        assert response.status_code == 200, response.text
        _clean(truth, "sam", response.text, "ada")
    # the view's own policies govern its readers: eve has none
    sql.refused("eve", "SELECT * FROM workspace.shared.customer_card", "ACCESS_DENIED")
    # a filter on a raw value through the view finds nothing: the view only holds masked values
    a = truth.a
    assert sql.ok(
        "sam", f"SELECT count(*) FROM workspace.shared.customer_card WHERE national_id = '{a.national_id}'"
    ) == [[0]]


def test_invoker_views_apply_the_readers_own_policies(sql: Sql, truth: Truth) -> None:
    sql.ok(
        "ada",
        "CREATE VIEW workspace.shared.by_region SECURITY INVOKER AS "
        "SELECT customer_id, region, email FROM crm.main.customers",
    )
    regions = sql.ok("sam", "SELECT DISTINCT region FROM workspace.shared.by_region")
    assert regions == [["EMEA"]]  # sam's row filter, not ada's (none)
    assert sql.ok("sam", "SELECT count(*) FROM workspace.shared.by_region") == [[len(truth.emea)]]
    response = sql.run("sam", "SELECT email FROM workspace.shared.by_region")
    assert response.status_code == 200
    _clean(truth, "sam", response.text)
    sql.ok(
        "ada",
        "CREATE VIEW workspace.shared.ids_inv SECURITY INVOKER AS SELECT customer_id, national_id "
        "FROM crm.main.customers",
    )
    denied = sql.refused("sam", "SELECT * FROM workspace.shared.ids_inv", "ACCESS_DENIED")
    _clean(truth, "sam", json.dumps(denied))
    sql.ok(
        "ada",
        "CREATE VIEW workspace.shared.contracts_inv SECURITY INVOKER AS SELECT * FROM crm.main.contracts",
    )
    sql.refused("sam", "SELECT count(*) FROM workspace.shared.contracts_inv", "ACCESS_DENIED")
    assert sql.ok("ada", "SELECT count(*) FROM workspace.shared.contracts_inv") == [[truth.contract_count]]


# -- a materialised copy of masked data ---------------------------------------------------------


def test_a_materialised_copy_holds_only_what_its_owner_saw(sql: Sql, truth: Truth, demo: Path) -> None:
    sql.ok(
        "ada",
        "CREATE TABLE workspace.shared.customer_copy AS SELECT customer_id, full_name, email, phone, "
        "national_id, country, region FROM crm.main.customers",
    )
    # the stored file itself: nothing ada's masks hid reached the disk
    (data,) = (demo / "workspace" / "shared" / "customer_copy").glob("v*.parquet")
    stored = pq.read_table(data).to_pylist()
    assert len(stored) == len(truth.customers)
    _clean(truth, "ada", json.dumps(stored))
    # nor any reader's answer, root's included (the copy never had the raw values)
    for user in ("sam", "root", "ada"):
        response = sql.run(user, "SELECT * FROM workspace.shared.customer_copy")
        assert response.status_code == 200, response.text
        _clean(truth, "ada", response.text)
    sql.refused("eve", "SELECT count(*) FROM workspace.shared.customer_copy", "ACCESS_DENIED")
    # a refresh is run with the owner's rights again, not the caller's
    sql.ok("root", "REFRESH MATERIALIZED VIEW workspace.shared.customer_copy")
    _clean(truth, "ada", sql.run("root", "SELECT * FROM workspace.shared.customer_copy").text)


# -- views over other users' views --------------------------------------------------------------


def test_a_view_over_another_users_view(sql: Sql, truth: Truth) -> None:
    sql.ok("ada", "CREATE VIEW workspace.ada.my_contracts AS SELECT * FROM crm.main.contracts")
    # sam may not read ada's own schema: not even to define a view on it
    sql.refused(
        "sam", "CREATE VIEW workspace.sam.steal AS SELECT * FROM workspace.ada.my_contracts", "ACCESS_DENIED"
    )
    # ada's invoker view in shared, wrapped in sam's definer view: still sam's rights on contracts
    sql.refused(
        "sam",
        "CREATE VIEW workspace.sam.wrap AS SELECT * FROM workspace.shared.contracts_inv",
        "ACCESS_DENIED",
    )
    # ada's definer view in shared, wrapped by sam: sam's view shows what ada's shows sam
    sql.ok(
        "sam",
        "CREATE VIEW workspace.sam.cards AS SELECT customer_id, email FROM workspace.shared.customer_card",
    )
    response = sql.run("sam", "SELECT * FROM workspace.sam.cards")
    assert response.status_code == 200
    _clean(truth, "sam", response.text, "ada")
    # and nobody else reads sam's view
    for user in ("eve", "ada"):
        sql.refused(user, "SELECT * FROM workspace.sam.cards", "ACCESS_DENIED")
    # the same answer for a dataset that does not exist: no existence oracle
    exists = sql.refused("eve", "DROP VIEW workspace.sam.cards", "ACCESS_DENIED")
    missing = sql.refused("eve", "DROP VIEW workspace.sam.no_such_view", "ACCESS_DENIED")
    assert exists["detail"].replace("cards", "X") == missing["detail"].replace("no_such_view", "X")


# -- a view's text names its sources: shown only to those who may see them all -----------------


def test_a_views_sql_is_not_shown_to_a_reader_who_may_not_see_its_sources(sql: Sql) -> None:
    """sam may read ``workspace.shared`` but not ``crm.main.contracts``: the view is his to find
    and query (definer rights), its text, which names the hidden table, is not."""
    sql.ok(
        "ada",
        "CREATE VIEW workspace.shared.owed_values AS SELECT value_eur FROM crm.main.contracts",
    )
    assert sql.ok("sam", "SELECT count(*) FROM workspace.shared.owed_values")[0][0] > 0

    def as_user(user: str, path: str) -> httpx.Response:
        return sql.client.get(path, headers={"X-Lakegate-User": user})

    hits = as_user("sam", "/v1/search?q=owed_values").json()["hits"]
    guid = next(h["guid"] for h in hits if h["name"] == "owed_values")
    for path in ("/v1/datasets/workspace.shared.owed_values", f"/v1/entities/{guid}"):
        seen = as_user("sam", path)
        assert seen.status_code == 200, seen.text
        assert "contracts" not in seen.text
        owner_view = as_user("ada", path).json()
        assert "crm.main.contracts" in (owner_view.get("sql") or owner_view.get("view_sql") or "")
    problem = sql.refused("sam", "SHOW CREATE VIEW workspace.shared.owed_values", "ACCESS_DENIED", 403)
    assert "contracts" not in json.dumps(problem)
    assert "crm.main.contracts" in sql.ok("ada", "SHOW CREATE VIEW workspace.shared.owed_values")[0][0]


# -- recursion ------------------------------------------------------------------------------------


def test_views_that_reach_themselves_are_refused(sql: Sql) -> None:
    sql.refused("ada", "CREATE VIEW workspace.ada.loop AS SELECT * FROM workspace.ada.loop", "INVALID_VIEW")
    sql.ok("ada", "CREATE VIEW workspace.ada.ring_a AS SELECT 1 AS x")
    sql.ok("ada", "CREATE VIEW workspace.ada.ring_b AS SELECT x FROM workspace.ada.ring_a")
    sql.ok("ada", "CREATE VIEW workspace.ada.ring_c AS SELECT x FROM workspace.ada.ring_b")
    sql.refused(
        "ada",
        "CREATE OR REPLACE VIEW workspace.ada.ring_a AS SELECT x FROM workspace.ada.ring_c",
        "INVALID_VIEW",
    )
    sql.refused(
        "ada",
        "CREATE OR REPLACE TABLE workspace.ada.ring_a AS SELECT x FROM workspace.ada.ring_c",
        "ALREADY_EXISTS",
    )
    assert sql.ok("ada", "SELECT x FROM workspace.ada.ring_c") == [[1]]


def _tamper(demo: Path, name: str, sql_text: str) -> None:
    """What another process with the store could write: the stored SQL is never trusted."""
    with closing(sqlite3.connect(demo / "catalog.sqlite")) as con, con:
        changed = con.execute(
            "UPDATE lakegate_datasets SET sql_text = ? WHERE dataset_key = ?", (sql_text, name)
        ).rowcount
        assert changed == 1


def _reload(sql: Sql) -> None:
    response = sql.client.post("/v1/admin/catalog/refresh", headers={"X-Lakegate-User": "root"})
    assert response.status_code == 200, response.text


def test_stored_sql_is_planned_and_authorised_again_at_every_read(sql: Sql, demo: Path, truth: Truth) -> None:
    sql.ok(
        "ada", "CREATE VIEW workspace.shared.innocent AS SELECT customer_id, region FROM crm.main.customers"
    )
    assert len(sql.ok("sam", "SELECT * FROM workspace.shared.innocent")) == len(truth.customers)
    # a cycle written behind Lakegate's back: refused at read time, never a loop or a 500
    _tamper(demo, "workspace.shared.innocent", "SELECT customer_id, region FROM workspace.shared.innocent")
    _reload(sql)
    sql.refused("sam", "SELECT * FROM workspace.shared.innocent", "INVALID_VIEW")
    # a table function, a file path, an engine function: the planner's closed world still holds
    for body, code in (
        ("SELECT * FROM read_csv('/etc/passwd')", "FUNCTION_NOT_ALLOWED"),
        (f"SELECT * FROM '{demo / 'users.yaml'}'", None),
        ("SELECT current_setting('threads') AS customer_id, 'x' AS region", "FUNCTION_NOT_ALLOWED"),
        ("SELECT customer_id, region FROM crm.main.contracts", None),
        # what the owner may read, through the owner's masks: the national id hashed, as ada sees it
        ("SELECT customer_id, national_id AS region FROM crm.main.customers", "OK"),
    ):
        _tamper(demo, "workspace.shared.innocent", body)
        _reload(sql)
        response = sql.run("sam", "SELECT * FROM workspace.shared.innocent")
        if code == "OK":
            assert response.status_code == 200, response.text[:500]
        else:
            assert response.status_code in (400, 403, 404), response.text[:500]
        if code not in (None, "OK"):
            assert response.json()["code"] == code
        assert "root:" not in response.text
        assert "password" not in response.text
        _clean(truth, "sam", response.text, "ada")


def test_a_definer_view_follows_its_owners_grants_as_they_change(
    live: LiveServer, sql: Sql, demo: Path
) -> None:
    sql.ok(
        "ada", "CREATE VIEW workspace.shared.contract_count AS SELECT count(*) AS n FROM crm.main.contracts"
    )
    assert sql.ok("sam", "SELECT n FROM workspace.shared.contract_count")[0][0] > 0
    sql.refused("sam", "SELECT count(*) FROM crm.main.contracts", "ACCESS_DENIED")
    # the owner loses access to contracts: readers lose it through the view at once
    path = demo / "policies.json"
    original = path.read_text()
    document = json.loads(original)
    document["policies"] = [p for p in document["policies"] if p["name"] != "contracts"]
    path.write_text(json.dumps(document))
    try:
        response = sql.run("sam", "SELECT n FROM workspace.shared.contract_count")
        for _ in range(40):  # the policies are reloaded within reload_seconds (5 s)
            if response.status_code == 403:
                break
            time.sleep(0.25)
            response = sql.run("sam", "SELECT n FROM workspace.shared.contract_count")
        assert response.status_code == 403, response.text
        assert "its owner" in response.json()["detail"]
    finally:
        path.write_text(original)
