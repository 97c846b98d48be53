"""Policies at work through the native API: denials, masks, row filters, metadata, audit, admin."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pyarrow as pa
import pytest

from tests.server import LiveServer


def query(server: LiveServer, user: str, sql: str) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=60, headers={"X-Lakegate-User": user}) as client:
        return client.post("/v1/query", json={"sql": sql})


def rows(response: httpx.Response) -> list[dict[str, object]]:
    assert response.status_code == 200, response.text
    table = pa.ipc.open_stream(response.content).read_all()
    columns = [c.to_pylist() for c in table.columns]
    return [dict(zip(table.column_names, r, strict=True)) for r in zip(*columns, strict=True)]


@pytest.fixture(scope="module")
def truth(demo_dir: Path) -> dict[int, dict[str, str]]:
    with sqlite3.connect(demo_dir / "crm" / "crm.sqlite") as conn:
        conn.row_factory = sqlite3.Row
        return {r["customer_id"]: dict(r) for r in conn.execute("SELECT * FROM customers")}


def test_admin_sees_real_values(server: LiveServer, truth: dict[int, dict[str, str]]) -> None:
    row = rows(query(server, "root", "SELECT * FROM crm.main.customers WHERE customer_id = 1"))[0]
    assert row["email"] == truth[1]["email"]
    assert row["national_id"] == truth[1]["national_id"]


def test_analyst_sees_masked_values_everywhere(server: LiveServer, truth: dict[int, dict[str, str]]) -> None:
    row = rows(query(server, "ada", "SELECT * FROM crm.main.customers WHERE customer_id = 1"))[0]
    real = truth[1]
    assert row["email"] != real["email"]
    assert str(row["email"]).endswith(real["email"][-4:])
    assert row["national_id"] != real["national_id"]
    assert len(str(row["national_id"])) == 64  # a SHA-256, hex
    assert row["full_name"] == real["full_name"][0] + "."
    assert row["country"] is None
    assert row["phone"] != real["phone"]
    assert row["region"] == real["region"]
    # a predicate on the real value finds nothing: it only ever sees the mask
    probe = f"SELECT count(*) AS n FROM crm.main.customers WHERE national_id = '{real['national_id']}'"
    assert rows(query(server, "ada", probe))[0]["n"] == 0


def test_row_filter_limits_support_to_emea(server: LiveServer, truth: dict[int, dict[str, str]]) -> None:
    emea = sum(1 for r in truth.values() if r["region"] == "EMEA")
    counted = rows(query(server, "sam", "SELECT count(*) AS n FROM crm.main.customers"))[0]["n"]
    assert counted == emea
    regions = rows(query(server, "sam", "SELECT DISTINCT region FROM crm.main.customers"))
    assert regions == [{"region": "EMEA"}]
    joined = rows(
        query(
            server,
            "sam",
            "SELECT DISTINCT c.region FROM crm.main.support_tickets t "
            "JOIN crm.main.customers c ON c.customer_id = t.customer_id",
        )
    )
    assert joined == [{"region": "EMEA"}]


def test_denials_name_the_resource_and_access(server: LiveServer) -> None:
    denied = query(server, "sam", "SELECT national_id FROM crm.main.customers")
    assert denied.status_code == 403
    problem = denied.json()
    assert problem["code"] == "ACCESS_DENIED"
    assert "crm.main.customers.national_id" in problem["detail"]
    assert "select" in problem["detail"]
    star = query(server, "sam", "SELECT * FROM crm.main.customers")
    assert star.json()["code"] == "ACCESS_DENIED"
    assert query(server, "sam", "SELECT count(*) FROM crm.main.customers").status_code == 200


def test_no_existence_oracle(server: LiveServer) -> None:
    existing = query(server, "eve", "SELECT * FROM crm.main.customers").json()
    missing = query(server, "eve", "SELECT * FROM crm.main.no_such_table").json()
    nowhere = query(server, "eve", "SELECT * FROM no_such_catalog.x.y").json()
    for problem in (existing, missing, nowhere):
        assert problem["code"] == "ACCESS_DENIED"
        assert problem["status"] == 403
    hidden = query(server, "sam", "SELECT * FROM crm.main.contracts").json()
    hidden_missing = query(server, "sam", "SELECT * FROM crm.main.contractz").json()
    assert hidden["code"] == hidden_missing["code"] == "ACCESS_DENIED"


def test_metadata_lists_only_what_the_user_may_see(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Lakegate-User": "sam"}) as sam:
        tables = {t["name"] for t in sam.get("/v1/catalogs/crm/schemas/main/tables").json()["tables"]}
        assert tables == {"customers", "support_tickets"}
        columns = [
            c["name"] for c in sam.get("/v1/catalogs/crm/schemas/main/tables/customers").json()["columns"]
        ]
        assert "national_id" not in columns
        assert "email" in columns
        shown = rows(sam.post("/v1/query", json={"sql": "SHOW TABLES FROM crm.main"}))
        assert {r["Table"] for r in shown} == {"customers", "support_tickets"}
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Lakegate-User": "eve"}) as eve:
        assert eve.get("/v1/catalogs").json()["catalogs"] == []
        assert rows(eve.post("/v1/query", json={"sql": "SHOW CATALOGS"})) == []


def test_every_query_is_audited(server: LiveServer) -> None:
    denied = query(server, "sam", "SELECT national_id FROM crm.main.customers")
    allowed = query(server, "ada", "SELECT email FROM crm.main.customers LIMIT 3")
    assert allowed.status_code == 200
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Lakegate-User": "root"}) as root:
        for response, decision in ((denied, "denied"), (allowed, "allowed")):
            query_id = response.headers["x-lakegate-query-id"]
            for _ in range(100):  # the audit record is written just after the response
                found = root.get("/v1/audit", params={"query_id": query_id}).json()["records"]
                if found:
                    break
            record = found[0]
            assert record["decision"] == decision
            assert record["front_door"] == "native"
        denied_record = root.get(
            "/v1/audit", params={"query_id": denied.headers["x-lakegate-query-id"]}
        ).json()
        assert "crm.main.customers.national_id" in denied_record["records"][0]["resources"]
        assert 4 in denied_record["records"][0]["policy_ids"]
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Lakegate-User": "ada"}) as ada:
        assert ada.get("/v1/audit").status_code == 403


def test_admin_policy_evaluation_endpoint(server: LiveServer) -> None:
    request = {
        "resource": {
            "elements": {"catalog": "crm", "schema": "main", "table": "customers", "column": "email"}
        },
        "accessType": "select",
        "user": "ada",
        "userGroups": ["analysts"],
        "policyType": "datamask",
    }
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Lakegate-User": "root"}) as root:
        answer = root.post("/v1/admin/policy/evaluate", json=request).json()
        assert answer["maskType"] == "MASK_SHOW_LAST_4"
        assert answer["policyId"] == 10
        both = root.post(
            "/v1/admin/policy/evaluate", json=[request, {**request, "policyType": "access"}]
        ).json()
        assert [b["allowed"] for b in both] == [True, True]
        assert root.post("/v1/admin/policy/evaluate", json={"policyType": "nope"}).status_code == 400
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Lakegate-User": "ada"}) as ada:
        assert ada.post("/v1/admin/policy/evaluate", json=request).status_code == 403


def test_policy_eval_cli(demo_dir: Path, tmp_path: Path) -> None:
    requests = [
        {
            "resource": {
                "elements": {
                    "catalog": "crm",
                    "schema": "main",
                    "table": "customers",
                    "column": "national_id",
                }
            },
            "accessType": "select",
            "user": "sam",
            "userGroups": ["support"],
            "policyType": "access",
        },
        {
            "resource": {"elements": {"catalog": "crm", "schema": "main", "table": "customers"}},
            "accessType": "select",
            "user": "sam",
            "userGroups": ["support"],
            "policyType": "rowfilter",
        },
    ]
    path = tmp_path / "requests.json"
    path.write_text(json.dumps(requests))
    command = [sys.executable, "-m", "gateway.cli", "policy", "eval"]
    command += ["--policies", str(demo_dir / "policies.json"), "--request", str(path)]
    output = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    assert output[0] == {"allowed": False, "audited": True, "policyId": 4}
    assert output[1]["filterExpr"] == "region = 'EMEA'"


def test_policies_reload_without_restart(demo_dir: Path, tmp_path: Path) -> None:
    import shutil

    from gateway.app import create_app
    from tests.conftest import demo_config

    policies = tmp_path / "policies.json"
    shutil.copy(demo_dir / "policies.json", policies)
    config = demo_config(demo_dir)
    raw = config.model_dump(by_alias=True)
    raw["policies"]["file"] = str(policies)
    raw["policies"]["reload_seconds"] = 0
    raw.pop("base_dir")
    from gateway.config import parse_config

    config = parse_config(raw, demo_dir / "lakegate.yaml")
    with LiveServer(create_app(config)) as live:
        assert query(live, "eve", "SELECT count(*) FROM tpch.tiny.nation").status_code == 403
        document = json.loads(policies.read_text())
        document["policies"][1]["policyItems"][0]["users"].append("eve")
        policies.write_text(json.dumps(document))
        import os
        import time

        later = time.time() + 5
        os.utime(policies, (later, later))
        assert query(live, "eve", "SELECT count(*) AS n FROM tpch.tiny.nation").status_code == 200


def test_browsing_and_refused_sign_ins_are_audited(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Lakegate-User": "sam"}) as sam:
        assert sam.get("/v1/catalogs/crm/schemas/main/tables").status_code == 200
    refused = httpx.get(f"{server.url}/v1/catalogs", headers={"X-Lakegate-User": "bad user!"})
    assert refused.status_code == 401
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Lakegate-User": "root"}) as root:
        browse = root.get("/v1/audit", params={"action": "browse", "user": "sam"}).json()["records"]
        assert any(r["resources"] == ["/v1/catalogs/crm/schemas/main/tables"] for r in browse)
        auth = root.get("/v1/audit", params={"action": "auth"}).json()["records"]
        assert auth[0]["user"] == "unknown"
        assert auth[0]["decision"] == "denied"
        assert auth[0]["error_code"] == "UNAUTHENTICATED"
