"""Views and materialised tables through the native API, REST and the Python client: create,
query, replace, comment, rename, drop; refused without the access type; read-only elsewhere."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

import lakegate
from tests.server import LiveServer
from tests.workspace import Sql, workspace_server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with workspace_server(tmp_path_factory.mktemp("datasets")) as server:
        yield server


@pytest.fixture(scope="module")
def sql(live: LiveServer) -> Iterator[Sql]:
    with httpx.Client(base_url=live.url, timeout=120) as client:
        yield Sql(client)


def test_a_view_is_defined_queried_replaced_commented_renamed_and_dropped(sql: Sql) -> None:
    assert sql.ok(
        "ada",
        "CREATE VIEW workspace.ada.busy_ports COMMENT 'Ports by calls' AS "
        "SELECT port_id, count(*) AS calls FROM lake.shipping.port_calls GROUP BY port_id",
    ) == [[True]]
    direct = sql.ok(
        "ada", "SELECT port_id, count(*) FROM lake.shipping.port_calls GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3"
    )
    through = sql.ok("ada", "SELECT port_id, calls FROM workspace.ada.busy_ports ORDER BY 2 DESC, 1 LIMIT 3")
    assert through == direct
    # unqualified names resolve in the session's catalog and schema
    assert sql.ok("ada", "SELECT count(*) FROM busy_ports", catalog="workspace", schema="ada")[0][0] > 0

    sql.refused("ada", "CREATE VIEW workspace.ada.busy_ports AS SELECT 1 AS a", "ALREADY_EXISTS", 409)
    sql.ok("ada", "CREATE OR REPLACE VIEW workspace.ada.busy_ports AS SELECT 1 AS a, 'x' AS b")
    assert sql.ok("ada", "SELECT * FROM workspace.ada.busy_ports") == [[1, "x"]]

    sql.ok("ada", "COMMENT ON VIEW workspace.ada.busy_ports IS 'One row'")
    sql.ok("ada", "COMMENT ON COLUMN workspace.ada.busy_ports.b IS 'a letter'")
    table = sql.client.get(
        "/v1/catalogs/workspace/schemas/ada/tables/busy_ports", headers={"X-Lakegate-User": "ada"}
    ).json()
    assert table["comment"] == "One row"
    assert {c["name"]: c.get("comment") for c in table["columns"]}["b"] == "a letter"
    (text,) = sql.ok("ada", "SHOW CREATE VIEW workspace.ada.busy_ports")[0]
    assert text == (
        "CREATE VIEW workspace.ada.busy_ports COMMENT 'One row' SECURITY DEFINER AS\nSELECT 1 AS a, 'x' AS b"
    )

    sql.ok("ada", "ALTER VIEW workspace.ada.busy_ports RENAME TO one_row")
    sql.refused("ada", "SELECT * FROM workspace.ada.busy_ports", "TABLE_NOT_FOUND")
    assert sql.ok("ada", "SELECT a FROM workspace.ada.one_row") == [[1]]
    sql.refused("ada", "DROP TABLE workspace.ada.one_row", "TABLE_NOT_FOUND")  # it is a view
    sql.ok("ada", "DROP VIEW workspace.ada.one_row")
    sql.refused("ada", "SELECT * FROM workspace.ada.one_row", "SCHEMA_NOT_FOUND")
    sql.refused("ada", "DROP VIEW workspace.ada.one_row", "TABLE_NOT_FOUND")
    assert sql.ok("ada", "DROP VIEW IF EXISTS workspace.ada.one_row") == [[True]]


def test_a_materialised_table_is_written_refreshed_renamed_and_dropped(live: LiveServer, sql: Sql) -> None:
    assert sql.ok(
        "ada",
        "CREATE TABLE workspace.shared.vessel_types AS "
        "SELECT vessel_type, count(*) AS vessels FROM lake.shipping.vessels GROUP BY vessel_type",
    ) == [[len(sql.ok("ada", "SELECT DISTINCT vessel_type FROM lake.shipping.vessels"))]]
    assert sql.ok("ada", "SELECT CAST(sum(vessels) AS bigint) FROM workspace.shared.vessel_types") == sql.ok(
        "ada", "SELECT count(*) FROM lake.shipping.vessels"
    )
    sql.refused("ada", "CREATE TABLE workspace.shared.vessel_types AS SELECT 1 AS a", "ALREADY_EXISTS")
    assert sql.ok("ada", "CREATE TABLE IF NOT EXISTS workspace.shared.vessel_types AS SELECT 1 AS a") == [
        [True]
    ]

    headers = {"X-Lakegate-User": "ada"}
    described = sql.client.get("/v1/datasets/workspace.shared.vessel_types", headers=headers).json()
    assert described["kind"] == "table"
    assert described["owner"] == "ada"
    assert described["version"] == 1
    assert described["rows"] > 0
    assert described["bytes"] > 0
    assert described["duration_ms"] > 0
    assert described["last_error"] is None
    refreshed = sql.client.post("/v1/datasets/workspace.shared.vessel_types/refresh", headers=headers)
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["version"] == 2
    assert refreshed.json()["rows"] == described["rows"]
    assert sql.ok("ada", "REFRESH MATERIALIZED VIEW workspace.shared.vessel_types")[0][0] == described["rows"]

    sql.ok("ada", "COMMENT ON TABLE workspace.shared.vessel_types IS 'Vessels per type'")
    (text,) = sql.ok("ada", "SHOW CREATE TABLE workspace.shared.vessel_types")[0]
    assert text.startswith("CREATE TABLE workspace.shared.vessel_types (\n   vessel_type varchar,")
    assert "COMMENT 'Vessels per type'" in text

    sql.ok("ada", "ALTER TABLE workspace.shared.vessel_types RENAME TO ada.vessel_types")
    assert sql.ok("ada", "SELECT CAST(sum(vessels) AS bigint) FROM workspace.ada.vessel_types") == sql.ok(
        "ada", "SELECT count(*) FROM lake.shipping.vessels"
    )
    sql.ok("ada", "DROP TABLE workspace.ada.vessel_types")
    sql.refused("ada", "SELECT * FROM workspace.ada.vessel_types", "SCHEMA_NOT_FOUND")


def test_everything_outside_the_workspace_stays_read_only(sql: Sql) -> None:
    for statement in (
        "CREATE VIEW crm.main.v AS SELECT 1 AS a",
        "CREATE TABLE tpch.tiny.t AS SELECT 1 AS a",
        "DROP TABLE tpch.tiny.orders",
        "ALTER TABLE lake.shipping.vessels RENAME TO ships",
        "COMMENT ON TABLE tpch.tiny.nation IS 'x'",
    ):
        problem = sql.refused("root", statement, "STATEMENT_NOT_ALLOWED", 403)
        assert "read-only" in problem["detail"]
    sql.refused("ada", "INSERT INTO workspace.ada.t SELECT 1", "STATEMENT_NOT_ALLOWED")
    sql.refused("ada", "CREATE SCHEMA workspace.more", "STATEMENT_NOT_ALLOWED")


@pytest.mark.parametrize(
    ("user", "statement", "access"),
    [
        ("eve", "CREATE VIEW workspace.eve.v AS SELECT 1 AS a", "create"),
        ("sam", "CREATE VIEW workspace.shared.v AS SELECT 1 AS a", "create"),  # sam may only read shared
        ("sam", "CREATE TABLE workspace.ada.t AS SELECT 1 AS a", "create"),
        ("sam", "DROP VIEW workspace.ada.mine", "drop"),
        ("sam", "ALTER VIEW workspace.ada.mine RENAME TO yours", "alter"),
        ("sam", "COMMENT ON VIEW workspace.ada.mine IS 'x'", "alter"),
        ("ada", "ALTER VIEW workspace.ada.mine RENAME TO sam.mine", "create"),
    ],
)
def test_refused_without_the_access_type(sql: Sql, user: str, statement: str, access: str) -> None:
    sql.ok("ada", "CREATE OR REPLACE VIEW workspace.ada.mine AS SELECT 1 AS a")
    problem = sql.refused(user, statement, "ACCESS_DENIED", 403)
    assert problem["access_type"] == access
    assert sql.ok("ada", "SELECT a FROM workspace.ada.mine") == [[1]]  # nothing changed


def test_rest_api_and_python_client(live: LiveServer, sql: Sql) -> None:
    with lakegate.connect(live.url, user="ada", catalog="tpch", schema="tiny", progress=False) as conn:
        view = conn.create_view(
            "workspace.ada.nations", "SELECT n_name, n_regionkey FROM nation", description="Nations"
        )
        assert view["kind"] == "view"
        assert view["security"] == "DEFINER"
        assert [c["name"] for c in view["columns"]] == ["n_name", "n_regionkey"]
        table = conn.materialize("workspace.ada.regions", "SELECT r_regionkey, r_name FROM region")
        assert table["rows"] == 5
        cursor = conn.cursor()
        cursor.execute(
            "SELECT count(*) FROM workspace.ada.nations n JOIN workspace.ada.regions r "
            "ON n.n_regionkey = r.r_regionkey"
        )
        assert cursor.fetchall() == [(25,)]
        assert {d["name"] for d in conn.datasets()} >= {"workspace.ada.nations", "workspace.ada.regions"}
        assert conn.refresh("workspace.ada.regions")["version"] == 2
        with pytest.raises(lakegate.ProgrammingError) as duplicate:
            conn.create_view("workspace.ada.nations", "SELECT 1 AS a")
        assert "already exists" in str(duplicate.value)
        conn.drop_dataset("workspace.ada.nations")
        conn.drop_dataset("workspace.ada.regions")
        assert not {d["name"] for d in conn.datasets()} & {"workspace.ada.nations", "workspace.ada.regions"}
    headers = {"X-Lakegate-User": "sam"}
    refused = sql.client.post(
        "/v1/datasets",
        json={"name": "workspace.ada.x", "kind": "view", "sql": "SELECT 1 AS a"},
        headers=headers,
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "ACCESS_DENIED"
    bad = sql.client.post(
        "/v1/datasets",
        json={"name": "workspace.ada.x", "kind": "view", "sql": "DROP TABLE x"},
        headers=headers,
    )
    assert bad.status_code == 400
    missing = sql.client.get("/v1/datasets/workspace.ada.nope", headers={"X-Lakegate-User": "ada"})
    assert missing.status_code == 404
    # the audit log records each change as its statement
    audit = sql.client.get("/v1/audit", params={"user": "ada"}, headers={"X-Lakegate-User": "root"}).json()
    statements = " ".join(str(r.get("sql") or r.get("statement") or r) for r in audit.get("records", audit))
    assert "CREATE VIEW workspace.ada.nations" in statements


def test_dataset_names_that_cannot_name_folders_are_refused(sql: Sql) -> None:
    sql.refused("ada", 'CREATE TABLE workspace.ada."../../x" AS SELECT 1 AS a', "SQL_SYNTAX_ERROR", 400)
    sql.refused("ada", 'CREATE TABLE workspace."a/b".x AS SELECT 1 AS a', "SQL_SYNTAX_ERROR", 400)


def test_a_rename_onto_the_name_of_a_dropped_table_serves_the_renamed_data(sql: Sql) -> None:
    sql.ok("ada", "CREATE TABLE workspace.ada.slot AS SELECT 1 AS a")
    sql.ok("ada", "DROP TABLE workspace.ada.slot")  # its file stays until no query can read it
    sql.ok("ada", "CREATE TABLE workspace.ada.mover AS SELECT 2 AS a")
    sql.ok("ada", "ALTER TABLE workspace.ada.mover RENAME TO slot")
    assert sql.ok("ada", "SELECT a FROM workspace.ada.slot") == [[2]]
    sql.ok("ada", "DROP TABLE workspace.ada.slot")
