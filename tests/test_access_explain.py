"""POST /v1/access/explain against the demo's policies: per user, what is denied, masked or filtered."""

from __future__ import annotations

from typing import Any

import httpx

from tests.server import LiveServer

CUSTOMERS = "crm.main.customers"


def explain(server: LiveServer, caller: str, **body: Any) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/access/explain", json=body, headers={"X-Lakegate-User": caller}, timeout=60
    )


def columns(document: dict[str, Any], table: str) -> dict[str | None, dict[str, Any]]:
    (entry,) = [t for t in document["tables"] if t["table"] == table]
    return {c["column"]: c for c in entry["columns"]}


def test_ada_sees_which_columns_are_masked_and_by_which_policy(server: LiveServer) -> None:
    answer = explain(server, "ada", sql=f"SELECT full_name, email, national_id, region FROM {CUSTOMERS}")
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["outcome"] == "restricted"
    found = columns(document, CUSTOMERS)
    assert found["email"]["decision"] == "masked"
    assert found["email"]["mask_type"] == "MASK_SHOW_LAST_4"
    assert found["email"]["policy"] == "mask e-mail"
    assert found["national_id"]["mask_type"] == "MASK_HASH"
    assert found["national_id"]["policy"] == "hash national id"
    assert found["region"]["decision"] == "allowed"
    assert document["tables"][0]["row_filter"] is None


def test_sam_is_told_of_the_row_filter_but_not_its_expression(server: LiveServer) -> None:
    document = explain(server, "sam", sql=f"SELECT region, count(*) FROM {CUSTOMERS} GROUP BY 1").json()
    (table,) = document["tables"]
    assert table["row_filter"] == {"policy_id": 20, "policy": "support sees EMEA customers"}
    assert document["outcome"] == "restricted"


def test_sam_is_told_which_policy_denies_national_id(server: LiveServer) -> None:
    document = explain(server, "sam", sql=f"SELECT customer_id, national_id FROM {CUSTOMERS}").json()
    assert document["outcome"] == "denied"
    found = columns(document, CUSTOMERS)
    assert found["national_id"] == {
        "column": "national_id",
        "decision": "denied",
        "denied_by": "deny",
        "policy_id": 4,
        "policy": "support never sees national ids",
    }
    assert found["customer_id"]["decision"] == "allowed"
    # the query itself is refused on the same column
    refused = httpx.post(
        f"{server.url}/v1/query",
        json={"sql": f"SELECT customer_id, national_id FROM {CUSTOMERS}"},
        headers={"X-Lakegate-User": "sam", "Accept": "application/json"},
        timeout=60,
    )
    assert refused.status_code == 403
    assert "national_id" in refused.json()["detail"]


def test_eve_is_told_the_table_is_not_visible_and_learns_nothing_more(server: LiveServer) -> None:
    document = explain(server, "eve", sql=f"SELECT region FROM {CUSTOMERS}").json()
    assert document["outcome"] == "denied"
    assert document["error"]["code"] == "ACCESS_DENIED"
    (table,) = document["tables"]
    assert table["columns"] == [{"column": None, "decision": "denied", "denied_by": "not-visible"}]
    # no existence oracle: a table that does not exist reads the same, and no policy is named
    missing = explain(server, "eve", sql="SELECT region FROM crm.main.no_such_table").json()
    assert missing["outcome"] == "denied"
    assert missing["tables"][0]["columns"] == table["columns"]
    assert missing["error"]["code"] == document["error"]["code"]


def test_an_admin_explains_for_another_user_with_the_filter_expression(server: LiveServer) -> None:
    as_sam = explain(server, "root", user="sam", sql=f"SELECT region FROM {CUSTOMERS}").json()
    assert as_sam["user"] == "sam"
    assert as_sam["tables"][0]["row_filter"]["expression"] == "region = 'EMEA'"
    as_ada = explain(server, "root", user="ada", sql=f"SELECT email FROM {CUSTOMERS}").json()
    assert columns(as_ada, CUSTOMERS)["email"]["decision"] == "masked"
    audited = httpx.get(
        f"{server.url}/v1/audit",
        params={"user": "root", "resource": CUSTOMERS},
        headers={"X-Lakegate-User": "root"},
        timeout=60,
    ).json()
    assert any(r["action"] == "admin" and "email" in (r["sql"] or "") for r in audited["records"])
    # root's own view: nothing masked
    own = explain(server, "root", sql=f"SELECT email FROM {CUSTOMERS}").json()
    assert own["outcome"] == "allowed"


def test_users_ask_only_about_themselves(server: LiveServer) -> None:
    other = explain(server, "ada", user="sam", sql="SELECT 1")
    assert other.status_code == 403
    both = explain(server, "ada", sql="SELECT 1", query_id="x")
    assert both.status_code == 400


def test_a_past_query_is_explained_for_its_owner_only(server: LiveServer) -> None:
    ran = httpx.post(
        f"{server.url}/v1/query",
        json={"sql": f"SELECT email FROM {CUSTOMERS} LIMIT 1"},
        headers={"X-Lakegate-User": "ada", "Accept": "application/json"},
        timeout=60,
    )
    assert ran.status_code == 200
    query_id = ran.headers["X-Lakegate-Query-Id"]
    mine = explain(server, "ada", query_id=query_id).json()
    assert columns(mine, CUSTOMERS)["email"]["mask_type"] == "MASK_SHOW_LAST_4"
    assert explain(server, "sam", query_id=query_id).status_code == 404
    assert explain(server, "root", query_id=query_id).json()["user"] == "ada"


def test_explain_statements_and_errors_answer_as_the_query_would(server: LiveServer) -> None:
    wrapped = explain(server, "sam", sql=f"EXPLAIN SELECT national_id FROM {CUSTOMERS}").json()
    assert wrapped["outcome"] == "denied"
    assert columns(wrapped, CUSTOMERS)["national_id"]["policy_id"] == 4
    unknown_column = explain(server, "ada", sql=f"SELECT nope FROM {CUSTOMERS}").json()
    assert unknown_column["outcome"] == "error"
    assert unknown_column["error"]["code"] == "COLUMN_NOT_FOUND"
    syntax = explain(server, "ada", sql="SELEC 1").json()
    assert syntax["outcome"] == "error"
    assert syntax["error"]["code"] == "SQL_SYNTAX_ERROR"
