"""The native query API over real HTTP: formats, ids, federation, errors."""

from __future__ import annotations

import io
import json

import httpx
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from tests.server import LiveServer

ARROW = "application/vnd.apache.arrow.stream"


def arrow_query(http: httpx.Client, sql: str, **body: str) -> pa.Table:
    response = http.post("/v1/query", json={"sql": sql, **body})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == ARROW
    return pa.ipc.open_stream(response.content).read_all()


def test_arrow_is_the_default_and_every_query_has_an_id(http: httpx.Client) -> None:
    response = http.post("/v1/query", json={"sql": "SELECT n_name FROM tpch.tiny.nation ORDER BY 1"})
    assert response.status_code == 200
    assert response.headers["content-type"] == ARROW
    query_id = response.headers["x-lakegate-query-id"]
    table = pa.ipc.open_stream(response.content).read_all()
    assert table.num_rows == 25
    assert table.column("n_name")[0].as_py() == "ALGERIA"
    status = http.get(f"/v1/queries/{query_id}").json()
    assert status["state"] == "FINISHED"
    assert status["rows"] == 25
    assert status["user"] == "root"


def test_session_defaults_qualify_tables(http: httpx.Client) -> None:
    table = arrow_query(http, "SELECT count(*) AS n FROM lineitem", catalog="tpch", schema="tiny")
    assert table.column("n")[0].as_py() == 60175


def test_json_and_csv_for_small_results(http: httpx.Client) -> None:
    sql = "SELECT r_regionkey, r_name FROM tpch.tiny.region ORDER BY r_regionkey"
    body = http.post("/v1/query", json={"sql": sql}, headers={"Accept": "application/json"}).json()
    assert body["columns"] == [
        {"name": "r_regionkey", "type": "integer"},
        {"name": "r_name", "type": "varchar"},
    ]
    assert body["data"][0] == [0, "AFRICA"]
    assert body["rows"] == 5
    response = http.post("/v1/query", json={"sql": sql}, headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    table = pacsv.read_csv(io.BytesIO(response.content))
    assert table.column_names == ["r_regionkey", "r_name"]
    assert table.num_rows == 5


def test_unacceptable_format_is_406(http: httpx.Client) -> None:
    response = http.post("/v1/query", json={"sql": "SELECT 1"}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.json()["code"] == "NOT_ACCEPTABLE"


def test_federated_join_of_parquet_avro_and_sqlite(http: httpx.Client) -> None:
    sql = """
        SELECT v.name, count(DISTINCT a.event_time) AS positions, count(DISTINCT c.contract_id) AS contracts
        FROM lake.shipping.vessels v
        JOIN lake.shipping.ais_positions a ON a.vessel_id = v.vessel_id
        JOIN crm.main.contracts c ON c.vessel_id = v.vessel_id
        GROUP BY v.name
        ORDER BY positions DESC, v.name
        LIMIT 5
    """
    table = arrow_query(http, sql)
    assert table.num_rows == 5
    assert all(p > 0 for p in table.column("positions").to_pylist())
    assert all(c > 0 for c in table.column("contracts").to_pylist())


def test_every_lake_format_is_queryable(http: httpx.Client) -> None:
    for table_name in ("vessels", "ports", "voyages", "ais_positions", "port_calls"):
        table = arrow_query(http, f"SELECT count(*) AS n FROM lake.shipping.{table_name}")
        assert table.column("n")[0].as_py() > 0, table_name


def test_browse_endpoints(http: httpx.Client) -> None:
    catalogs = {c["name"] for c in http.get("/v1/catalogs").json()["catalogs"]}
    assert {"tpch", "lake", "crm"} <= catalogs
    schemas = [s["name"] for s in http.get("/v1/catalogs/tpch/schemas").json()["schemas"]]
    assert "tiny" in schemas
    tables = [t["name"] for t in http.get("/v1/catalogs/lake/schemas/shipping/tables").json()["tables"]]
    assert "vessels" in tables
    vessels = http.get("/v1/catalogs/lake/schemas/shipping/tables/vessels").json()
    assert vessels["comment"]
    imo = next(c for c in vessels["columns"] if c["name"] == "imo_number")
    assert imo["type"] == "varchar"
    assert imo["comment"]
    assert http.get("/v1/catalogs/nope/schemas").json()["code"] == "CATALOG_NOT_FOUND"
    assert http.get("/v1/catalogs/tpch/schemas/nope/tables").json()["code"] == "SCHEMA_NOT_FOUND"
    assert http.get("/v1/catalogs/tpch/schemas/tiny/tables/nope").json()["code"] == "TABLE_NOT_FOUND"


def test_show_and_describe_come_from_lakegate_metadata(http: httpx.Client) -> None:
    catalogs = arrow_query(http, "SHOW CATALOGS").column("Catalog").to_pylist()
    assert catalogs == sorted(catalogs)
    assert "lake" in catalogs
    assert "system" not in catalogs
    assert all(not c.startswith("lg_") for c in catalogs)
    tables = arrow_query(http, "SHOW TABLES FROM tpch.tiny LIKE 'li%'").column("Table").to_pylist()
    assert tables == ["lineitem"]
    described = arrow_query(http, "DESCRIBE tpch.tiny.nation")
    assert described.column("Column").to_pylist() == ["n_nationkey", "n_name", "n_regionkey", "n_comment"]
    explained = arrow_query(http, "EXPLAIN SELECT * FROM tpch.tiny.nation").column("Query Plan")[0].as_py()
    assert "tpch.tiny.nation" in explained
    assert "lg_" not in explained
    assert "/" not in explained.replace("Query Plan", "")


def test_health_readiness_and_metrics(http: httpx.Client) -> None:
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["engines"]["duckdb"]["healthy"] is True
    http.post("/v1/query", json={"sql": "SELECT 1"})
    metrics = http.get("/metrics").text
    assert "lakegate_queries_total" in metrics
    assert "lakegate_bytes_streamed_total" in metrics
    assert "lakegate_query_duration_seconds_bucket" in metrics


@pytest.mark.parametrize(
    ("sql", "code", "status"),
    [
        ("SELEC 1", "SQL_SYNTAX_ERROR", 400),
        ("SELECT 1; SELECT 2", "MULTIPLE_STATEMENTS", 400),
        ("", "INVALID_REQUEST", 400),
        (";", "SQL_SYNTAX_ERROR", 400),
        ("COPY (SELECT 1) TO '/tmp/x.csv'", "STATEMENT_NOT_ALLOWED", 403),
        ("ATTACH '/tmp/x.db' AS x", "SQL_SYNTAX_ERROR", 400),
        ("INSTALL httpfs", "STATEMENT_NOT_ALLOWED", 403),
        ("PRAGMA database_list", "STATEMENT_NOT_ALLOWED", 403),
        ("SET threads = 1", "STATEMENT_NOT_ALLOWED", 403),
        ("CREATE TABLE t AS SELECT 1", "STATEMENT_NOT_ALLOWED", 403),
        ("DROP TABLE tpch.tiny.nation", "STATEMENT_NOT_ALLOWED", 403),
        ("DELETE FROM tpch.tiny.nation", "STATEMENT_NOT_ALLOWED", 403),
        (
            "WITH x AS (DELETE FROM tpch.tiny.nation RETURNING *) SELECT * FROM x",
            "STATEMENT_NOT_ALLOWED",
            403,
        ),
        ("SELECT * FROM read_csv('/etc/passwd')", "FUNCTION_NOT_ALLOWED", 403),
        ("SELECT * FROM read_parquet('x.parquet')", "FUNCTION_NOT_ALLOWED", 403),
        ("SELECT * FROM glob('/etc/*')", "SQL_SYNTAX_ERROR", 400),
        ("SELECT current_setting('allowed_directories')", "FUNCTION_NOT_ALLOWED", 403),
        ("SELECT * FROM sqlite_scan('/tmp/x.db', 't')", "FUNCTION_NOT_ALLOWED", 403),
        ("SELECT * FROM postgres_query('lg_crm', 'SELECT 1')", "FUNCTION_NOT_ALLOWED", 403),
        ("SELECT * FROM '/etc/passwd'", "SCHEMA_NOT_FOUND", 404),
        ("SELECT * FROM duckdb_settings()", "FUNCTION_NOT_ALLOWED", 403),
        ("SELECT json_serialize_plan('SELECT * FROM tpch.tiny.nation')", "FUNCTION_NOT_ALLOWED", 403),
        ("SELECT stats(n_name) FROM tpch.tiny.nation", "FUNCTION_NOT_ALLOWED", 403),
        ("SELECT pg_sleep(0)", "FUNCTION_NOT_ALLOWED", 403),
        ("SELECT main.upper('x')", "FUNCTION_NOT_ALLOWED", 403),
        ("SELECT * FROM tpch.tiny.nope", "TABLE_NOT_FOUND", 404),
        ("SELECT * FROM tpch.nope.nation", "SCHEMA_NOT_FOUND", 404),
        ("SELECT * FROM nope.tiny.nation", "CATALOG_NOT_FOUND", 404),
        ("SELECT * FROM lg_tpch.tiny.nation", "CATALOG_NOT_FOUND", 404),
        ("SELECT * FROM system.main.duckdb_settings", "CATALOG_NOT_FOUND", 404),
        ("SELECT * FROM information_schema.tables", "CATALOG_NOT_FOUND", 404),
        ("SELECT nope FROM tpch.tiny.nation", "COLUMN_NOT_FOUND", 400),
        ("SELECT CAST('x' AS integer)", "ENGINE_DATA_ERROR", 422),
        ("SELECT " + "(" * 5000 + "1" + ")" * 5000, "QUERY_TOO_COMPLEX", 400),
    ],
)
def test_bad_input_gets_a_clear_problem(http: httpx.Client, sql: str, code: str, status: int) -> None:
    response = http.post("/v1/query", json={"sql": sql})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code
    assert problem["status"] == status
    assert problem["detail"]
    text = response.text
    assert "Traceback" not in text
    if "lg_" not in sql:
        assert "lg_" not in text  # the engine's physical names never leak
    # the server keeps serving
    assert http.post("/v1/query", json={"sql": "SELECT 1 AS one"}).status_code == 200


def test_oversized_body_is_refused_unread(http: httpx.Client) -> None:
    sql = "SELECT '" + "x" * (10 * 2**20) + "'"
    response = http.post("/v1/query", json={"sql": sql})
    assert response.status_code == 413
    assert response.json()["code"] == "QUERY_TOO_LARGE"


def test_malformed_requests(http: httpx.Client) -> None:
    bad = [
        http.post("/v1/query", content=b"{not json", headers={"Content-Type": "application/json"}),
        http.post("/v1/query", json={"sql": "SELECT 1", "catalog": "bad name!"}),
        http.post("/v1/query", json={"sql": 42}),
        http.post("/v1/query", json={"sql": "SELECT 1", "extra": True}),
        http.post("/v1/query", json={"sql": "SELECT 1", "dialect": "klingon"}),
        http.post("/v1/query", json={"sql": "SELECT 1"}, headers={"X-Lakegate-User": "bad user!"}),
    ]
    assert [r.status_code for r in bad] == [400, 400, 400, 400, 400, 401]
    for response in bad:
        assert response.headers["content-type"] == "application/problem+json"
        assert set(json.loads(response.text)) >= {"type", "title", "status", "detail", "code"}


def test_unknown_routes_and_queries_are_problems(http: httpx.Client) -> None:
    response = http.get("/v1/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert http.get("/v1/queries/20260101_000000_00001_abcde").json()["code"] == "QUERY_NOT_FOUND"
    assert http.delete("/v1/queries/20260101_000000_00001_abcde").status_code == 404


def test_another_users_query_is_invisible(http: httpx.Client) -> None:
    response = http.post("/v1/query", json={"sql": "SELECT 1"})
    query_id = response.headers["x-lakegate-query-id"]
    other = http.get(f"/v1/queries/{query_id}", headers={"X-Lakegate-User": "mallory"})
    assert other.status_code == 404
    assert http.delete(f"/v1/queries/{query_id}", headers={"X-Lakegate-User": "mallory"}).status_code == 404


def test_a_json_body_sent_as_a_form_still_works(server: LiveServer) -> None:
    # curl -d '{"sql": ...}' sends application/x-www-form-urlencoded
    response = httpx.post(
        f"{server.url}/v1/query",
        content=b'{"sql": "SELECT 1 AS one"}',
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Lakegate-User": "root",
            "Accept": "application/json",
        },
    )
    assert response.json()["data"] == [[1]]
