"""The OpenAPI spec: the committed file is current, and the live server honours it under fuzzing.

The fuzzing runs schemathesis against the live demo server (real uvicorn, real sockets, the
streaming responses as production sends them) with ``X-Lakegate-User: schemathesis``. Random
names never hit a real catalog and random text is never valid SQL, so a copy of the spec gets
explicit examples drawn from the demo data; a second, deterministic test sends known SQL in every
result format.
"""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from gateway.openapi_export import SPEC_PATH, export_openapi
from tests.server import LiveServer

USER_HEADERS = {"X-Lakegate-User": "schemathesis"}
ADMIN_USER = "root"
ARROW = "application/vnd.apache.arrow.stream"
JSON = "application/json"
CSV = "text/csv"
PROBLEM = "application/problem+json"


# -- the committed spec ------------------------------------------------------------------------
def test_committed_spec_is_current() -> None:
    expected = export_openapi()
    committed = SPEC_PATH.read_text(encoding="utf-8") if SPEC_PATH.exists() else ""
    if committed != expected:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                fromfile="openapi/openapi.json (committed)",
                tofile="export_openapi()",
                n=2,
            )
        )
        pytest.fail(
            f"openapi/openapi.json is stale: run `make openapi` and commit the result.\n{diff[:4000]}",
            pytrace=False,
        )


def test_live_server_serves_the_exported_spec(server: LiveServer) -> None:
    # The export uses an app without catalogs; the spec must not depend on them.
    served = requests.get(f"{server.url}/openapi.json", timeout=30).json()
    assert served == json.loads(export_openapi())


# -- schemathesis against the live server -------------------------------------------------------
# Real demo names (and a few that must stay hidden), in matching order: schemathesis combines the
# examples of the path parameters, so tpch/tiny/nation, lake/shipping/ais_positions... are hit.
NAME_EXAMPLES = {
    "catalog": ["tpch", "lake", "crm", "TPCH", "lg_tpch", "system", "information_schema", "tpch.tiny"],
    "schema": ["tiny", "shipping", "main", "TINY", "tiny", "runtime", "tables", "nation"],
    "table": ["nation", "ais_positions", "contracts", "NATION", "nation", "queries", "columns", ".."],
}
QUERY_EXAMPLES: list[dict[str, Any]] = [
    {"sql": "SELECT n_name FROM tpch.tiny.nation ORDER BY 1"},
    {"sql": "SELECT count(*) AS n FROM lineitem", "catalog": "tpch", "schema": "tiny"},
    {"sql": "SELECT * FROM lake.shipping.ais_positions LIMIT 100"},
    {"sql": "SELECT * FROM crm.main.customers c JOIN crm.main.contracts k USING (customer_id) LIMIT 5"},
    {
        "sql": "SELECT v.name, count(*) FROM lake.shipping.vessels v JOIN crm.main.contracts c "
        "ON c.vessel_id = v.vessel_id GROUP BY 1"
    },
    {"sql": "SHOW CATALOGS"},
    {"sql": "SHOW TABLES FROM lake.shipping"},
    {"sql": "DESCRIBE tpch.tiny.nation"},
    {"sql": "EXPLAIN SELECT * FROM tpch.tiny.region"},
    {"sql": "SELECT * FROM tpch.tiny.nation WHERE false"},
    {"sql": "SELECT ARRAY[1, 2], MAP(ARRAY['a'], ARRAY[1]), ROW(1, 'a'), X'00ff', INTERVAL '1' DAY"},
    {"sql": "SELECT CAST('x' AS integer)"},
    {"sql": "SELECT 1/0, 9223372036854775807 + 1", "dialect": "trino"},
    {"sql": "SELECT * FROM nope.tiny.nation"},
    {"sql": "SELECT * FROM read_csv('/etc/passwd')"},
    {"sql": "DROP TABLE tpch.tiny.nation"},
    {"sql": "SELECT 1", "dialect": "duckdb"},
    {"sql": "SELECT 1", "dialect": "postgres", "catalog": "crm", "schema": "main"},
    {"sql": "SELECT 1", "dialect": "klingon"},
]


def spec_with_demo_examples() -> dict[str, Any]:
    spec = json.loads(export_openapi())
    for operations in spec["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                names = NAME_EXAMPLES.get(parameter["name"])
                if parameter["in"] == "path" and names:
                    parameter["examples"] = {f"demo{i}": {"value": v} for i, v in enumerate(names)}
    body = spec["paths"]["/v1/query"]["post"]["requestBody"]["content"]["application/json"]
    body["examples"] = {f"demo{i}": {"value": v} for i, v in enumerate(QUERY_EXAMPLES)}
    return spec


# Built at collection time: schemathesis' lazy `from_fixture` loader fails under pytest 9
# (it sets `Function._nodeid`), so the base URL of the session's live server is given per call.
schema = schemathesis.openapi.from_dict(spec_with_demo_examples())


@pytest.fixture(scope="module")
def http_session() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers.update(USER_HEADERS)
        yield session


def problem_details_on_client_errors(response: schemathesis.Response) -> None:
    """Every 4xx is RFC 9457 problem details with a stable ``code`` (the project's one error shape)."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type == PROBLEM, f"{response.status_code} as {content_type!r}: {response.text[:300]}"
        problem = response.json()
        assert problem.get("code"), f"problem without a code: {response.text[:300]}"
        assert problem.get("status") == response.status_code, response.text[:300]


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    # A live server is slower than hypothesis expects on a busy CI machine; nothing else is suppressed.
    suppress_health_check=[HealthCheck.too_slow],
)
def test_no_server_errors(
    case: schemathesis.Case, server: LiveServer, http_session: requests.Session
) -> None:
    response = case.call(base_url=server.url, session=http_session, headers=USER_HEADERS, timeout=60)
    case.validate_response(response, checks=[not_a_server_error])
    problem_details_on_client_errors(response)


# -- known SQL in every result format -----------------------------------------------------------
# Valid queries over the demo: 200 and a complete body in every format.
VALID_SQL = [
    "SELECT * FROM tpch.tiny.nation",
    "SELECT * FROM lake.shipping.voyages LIMIT 50",
    "SELECT * FROM crm.main.support_tickets LIMIT 50",
    "SELECT 'a' || chr(0) AS nul, 1 AS \"ключ\", NULL AS nothing, CAST(1.5 AS decimal(38, 10)) AS d",
    "SELECT TIMESTAMP '2024-01-01 00:00:00.123456' AS ts, TIME '12:00:00' AS t, DATE '0001-01-01' AS d",
]
# Edge cases: a 4xx problem, or 200 and a complete body; never a 5xx or an aborted stream.
EDGE_SQL = [
    "SELECT TIMESTAMP '2024-01-01 00:00:00.123456789' AS ts",  # timestamp(9): refused, not rounded
    "SELECT CAST(2e38 AS decimal(38, 0))",
    "SELECT ARRAY[1, 2, 3]",
    "SELECT MAP(ARRAY['a'], ARRAY[1])",
    "SELECT ROW(1, 'a')",
    "SELECT INTERVAL '1' DAY",
    "SELECT X'00ff'",
    "SELECT DATE '9999-12-31' + INTERVAL '1' DAY",
    "SELECT CAST('infinity' AS timestamp)",
    'SELECT 1 AS ""',
    "SELECT * FROM tpch.tiny.nation FOR SYSTEM_TIME AS OF TIMESTAMP '2020-01-01'",
    "SELECT now() AT TIME ZONE 'Nope/Nope'",
]
# Edge cases that once failed (a 500, a 502 or a dropped stream) and are fixed: kept as cases.
KNOWN_SERVER_BUGS: dict[tuple[str, str], str] = {}


def _cases() -> Iterator[Any]:
    for sql in VALID_SQL + EDGE_SQL:
        for media in (ARROW, JSON, CSV):
            reason = KNOWN_SERVER_BUGS.get((sql, media))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(sql, media, marks=marks, id=f"{media.split('/')[-1]}-{sql[:40]}")


def _check_complete_body(media: str, body: bytes) -> None:
    if media == ARROW:
        pa.ipc.open_stream(body).read_all()
    elif media == JSON:
        document = json.loads(body)
        assert len(document["data"]) == document["rows"]
    else:
        pacsv.read_csv(io.BytesIO(body))


def _post(server: LiveServer, user: str, sql: str, media: str) -> tuple[httpx.Response, bytes]:
    """POST one query; fail (with the query's recorded error) if the server drops the stream."""
    with (
        httpx.Client(base_url=server.url, timeout=60, headers={"X-Lakegate-User": user}) as client,
        client.stream("POST", "/v1/query", json={"sql": sql}, headers={"Accept": media}) as response,
    ):
        try:
            return response, response.read()
        except httpx.TransportError as exc:
            query_id = response.headers.get("x-lakegate-query-id")
            status = client.get(f"/v1/queries/{query_id}").json() if query_id else {}
            pytest.fail(
                f"{response.status_code}, then the server dropped the stream ({exc!r}); "
                f"the query's recorded error: {status.get('error')}"
            )


def _check_answer(response: httpx.Response, body: bytes, media: str) -> None:
    assert response.status_code < 500, body[:500]
    if response.status_code == 200:
        assert response.headers["content-type"].startswith(media)
        _check_complete_body(media, body)
    else:
        assert response.headers["content-type"] == PROBLEM, body[:300]
        assert json.loads(body)["code"]


@pytest.mark.parametrize(("sql", "media"), list(_cases()))
def test_known_sql_in_every_format(server: LiveServer, sql: str, media: str) -> None:
    # As the demo's admin: no policy hides a column or a row, so every value reaches the encoders.
    response, body = _post(server, ADMIN_USER, sql, media)
    _check_answer(response, body, media)
    if sql in VALID_SQL:
        assert response.status_code == 200, body[:500]


POLICY_SQL = [
    "SELECT * FROM crm.main.customers",
    "SELECT c.*, t.* FROM crm.main.customers c JOIN crm.main.support_tickets t USING (customer_id)",
    "SELECT email, full_name, country, phone FROM crm.main.customers WHERE email LIKE '%a%'",
]


@pytest.mark.parametrize("media", [ARROW, JSON, CSV])
@pytest.mark.parametrize("sql", POLICY_SQL)
@pytest.mark.parametrize("user", ["ada", "sam", "eve"])
def test_masks_and_row_filters_in_every_format(server: LiveServer, user: str, sql: str, media: str) -> None:
    # The demo's policies mask, hash, null and filter crm.main.customers per user (gateway/demo/policies.py).
    response, body = _post(server, user, sql, media)
    _check_answer(response, body, media)
