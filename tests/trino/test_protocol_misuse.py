"""The Trino protocol over raw HTTP: misuse gets Trino's answer, and changes nothing."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.server import LiveServer

# Runs for minutes on the tiny data set unless stopped.
ENDLESS = (
    "SELECT count(*) AS n FROM tpch.tiny.lineitem a, tpch.tiny.lineitem b, tpch.tiny.nation c "
    "WHERE (a.l_partkey * 7 + b.l_suppkey * 13 + c.n_nationkey) % 1000003 = 17"
)
MANY_ROWS = "SELECT l_orderkey, l_comment FROM tpch.tiny.lineitem"


def post(http: httpx.Client, sql: str, **headers: str) -> dict[str, Any]:
    response = http.post("/v1/statement", content=sql, headers=headers)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def get(http: httpx.Client, uri: str, **headers: str) -> httpx.Response:
    return http.get(uri, headers=headers)


def drain(http: httpx.Client, document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    rows = len(document.get("data") or [])
    while "nextUri" in document:
        response = get(http, document["nextUri"])
        assert response.status_code == 200, response.text
        document = response.json()
        rows += len(document.get("data") or [])
    return rows, document


def my_queries(http: httpx.Client) -> int:
    rows, _ = drain(http, post(http, "SELECT query_id FROM system.runtime.queries"))
    return rows


def test_a_query_document_has_what_clients_require(trino_http: httpx.Client) -> None:
    document = post(trino_http, "SELECT 1 AS x")
    assert set(document) >= {"id", "infoUri", "stats", "columns", "data", "warnings"}
    assert document["columns"] == [
        {"name": "x", "type": "integer", "typeSignature": {"rawType": "integer", "arguments": []}}
    ]
    assert document["data"] == [[1]]
    assert "nextUri" not in document  # a small query is done in one round trip
    stats = document["stats"]
    assert stats["state"] == "FINISHED"
    for key in ("queued", "scheduled", "nodes", "totalSplits", "queuedSplits", "runningSplits", "completedSplits",
                "cpuTimeMillis", "wallTimeMillis", "queuedTimeMillis", "elapsedTimeMillis", "processedRows",
                "processedBytes", "physicalInputBytes", "peakMemoryBytes", "spilledBytes"):  # fmt: skip
        assert key in stats


def test_error_documents(trino_http: httpx.Client) -> None:
    document = post(trino_http, "SELECT * FROM tpch.tiny.nation WHERE")
    assert "nextUri" not in document
    assert document["stats"]["state"] == "FAILED"
    error = document["error"]
    assert error["errorName"] == "SYNTAX_ERROR"
    assert error["errorCode"] == 1
    assert error["errorType"] == "USER_ERROR"
    assert error["errorLocation"]["lineNumber"] == 1
    assert error["failureInfo"]["stack"] == []
    assert "Traceback" not in str(document)


def test_replayed_page_is_the_same_and_older_pages_are_gone(trino_http: httpx.Client) -> None:
    first = post(trino_http, MANY_ROWS)
    uri_1 = first["nextUri"]
    page_1 = get(trino_http, uri_1)
    assert page_1.status_code == 200
    assert get(trino_http, uri_1).content == page_1.content  # a retry gets the same page
    uri_2 = page_1.json()["nextUri"]
    assert uri_2.endswith("/2")
    page_2 = get(trino_http, uri_2)
    assert page_2.status_code == 200
    gone = get(trino_http, uri_1)
    assert gone.status_code == 410
    ahead = get(trino_http, uri_2[:-1] + "9")
    assert ahead.status_code == 404
    assert ahead.text == "Query not found"
    rows, last = drain(trino_http, page_2.json())  # nothing was lost or skipped
    assert len(first.get("data") or []) + len(page_1.json().get("data") or []) + rows == 60175
    assert last["stats"]["state"] == "FINISHED"


def test_unknown_queries_and_bad_uris_are_not_found(trino_http: httpx.Client) -> None:
    document = post(trino_http, MANY_ROWS)
    uri = document["nextUri"]
    query_id = document["id"]
    for bad in (
        uri.replace(query_id, "20240101_000000_00001_abcde"),
        uri.rsplit("/", 2)[0] + "/ywrongslug/1",
        uri[:-1] + "abc",
        uri.replace("/executing/", "/bogus/"),
    ):
        response = get(trino_http, bad)
        assert response.status_code == 404, bad
        assert response.text == "Query not found"
        assert response.headers["content-type"].startswith("text/plain")
    assert trino_http.delete(uri).status_code == 204


def test_another_users_query_is_unknown_to_them(server: LiveServer, trino_http: httpx.Client) -> None:
    document = post(trino_http, MANY_ROWS)
    uri = document["nextUri"]
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Trino-User": "sam"}) as sam:
        assert sam.get(uri).status_code == 404
        assert sam.delete(uri).status_code == 404
        assert sam.head(uri).status_code == 404
        kill = post(sam, f"CALL system.runtime.kill_query(query_id => '{document['id']}', message => 'mine')")
        assert kill["error"]["errorName"] == "NOT_FOUND"
    rows, last = drain(trino_http, get(trino_http, uri).json())  # ada's query went on untouched
    assert last["stats"]["state"] == "FINISHED"
    assert rows + len(document.get("data") or []) == 60175


def test_a_user_is_required(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as anonymous:
        response = anonymous.post("/v1/statement", content="SELECT 1")
        assert response.status_code == 401
        assert response.text == "Basic authentication or X-Trino-User must be sent"
        assert "WWW-Authenticate" in response.headers
        assert anonymous.head("/v1/statement").status_code == 401
        assert anonymous.get("/v1/info").status_code == 200  # health checks need no user


def test_invalid_credentials_are_refused(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        response = client.post(
            "/v1/statement",
            content="SELECT 1",
            headers={"X-Trino-User": "ada", "Authorization": "Basic Zm9vOmJhcg=="},
        )
        assert response.status_code == 401
        assert "Zm9v" not in response.text


def test_trino_and_presto_headers_do_not_mix(trino_http: httpx.Client) -> None:
    before = my_queries(trino_http)
    response = trino_http.post("/v1/statement", content="SELECT 1", headers={"X-Presto-Catalog": "tpch"})
    assert response.status_code == 400
    assert "Presto" in response.text
    assert my_queries(trino_http) == before + 1  # only the counting query itself was added


def test_presto_clients_get_presto_headers(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Presto-User": "ada"}) as presto:
        response = presto.post("/v1/statement", content="USE tpch.tiny", headers={"X-Presto-Catalog": "lake"})
        assert response.status_code == 200
        assert response.headers["X-Presto-Set-Catalog"] == "tpch"
        assert response.headers["X-Presto-Set-Schema"] == "tiny"
        assert "X-Trino-Set-Catalog" not in response.headers


def test_oversized_headers_are_refused_before_anything_runs(trino_http: httpx.Client) -> None:
    before = my_queries(trino_http)
    huge = "x" * (600 << 10)
    response = trino_http.post("/v1/statement", content="SELECT 1", headers={"X-Trino-Client-Info": huge})
    assert response.status_code == 431
    assert my_queries(trino_http) == before + 1


def test_bad_session_headers_are_400(trino_http: httpx.Client) -> None:
    for headers in (
        {"X-Trino-Session": "no_equals_sign"},
        {"X-Trino-Session": "bad name=1"},
        {"X-Trino-Prepared-Statement": "=SELECT"},
        {"X-Trino-Schema": "tiny"},  # a schema without a catalog
    ):
        response = trino_http.post("/v1/statement", content="SELECT 1", headers=headers)
        assert response.status_code == 400, headers
        assert response.headers["content-type"].startswith("text/plain")


def test_empty_and_oversized_statements(trino_http: httpx.Client) -> None:
    assert trino_http.post("/v1/statement", content="  ").status_code == 400
    assert trino_http.post("/v1/statement", content=b"SELECT '\xff'").status_code == 400
    document = post(trino_http, "SELECT 1 -- " + "x" * 1_000_010)
    assert document["error"]["errorName"] == "QUERY_TEXT_TOO_LARGE"


def test_the_spooling_protocol_request_is_answered_inline(trino_http: httpx.Client) -> None:
    document = post(trino_http, "SELECT 1 AS x", **{"X-Trino-Query-Data-Encoding": "json+zstd,json+lz4,json"})
    assert document["data"] == [[1]]


def test_a_get_waits_for_rows_instead_of_answering_empty_at_once(trino_http: httpx.Client) -> None:
    document = post(trino_http, ENDLESS)
    uri = document["nextUri"]
    started = time.monotonic()
    page = get(trino_http, uri + "?maxWait=300ms")
    waited = time.monotonic() - started
    assert page.status_code == 200
    assert 0.25 < waited < 5
    assert page.json()["stats"]["state"] in ("QUEUED", "RUNNING")
    assert "nextUri" in page.json()
    assert trino_http.delete(page.json()["nextUri"]).status_code == 204
    canceled = get(trino_http, page.json()["nextUri"]).json()
    assert canceled["error"]["errorName"] == "USER_CANCELED"
    assert "nextUri" not in canceled


def test_head_and_info(trino_http: httpx.Client) -> None:
    assert trino_http.head("/v1/statement").status_code == 200
    info = trino_http.get("/v1/info").json()
    assert info["coordinator"] is True
    assert info["starting"] is False
    assert info["environment"] == "lakegate"
    assert info["nodeVersion"]["version"].split("-")[0].isdigit()
    assert trino_http.get("/v1/info/state").json() == "ACTIVE"


def test_clients_without_parametric_datetime_get_milliseconds(trino_http: httpx.Client) -> None:
    sql = "SELECT TIMESTAMP '2024-01-31 12:34:56.789123' AS ts, TIME '01:02:03.456789' AS t"
    modern = post(trino_http, sql, **{"X-Trino-Client-Capabilities": "PARAMETRIC_DATETIME"})
    assert modern["columns"][0]["type"] == "timestamp(6)"
    assert modern["data"] == [["2024-01-31 12:34:56.789123", "01:02:03.456789"]]
    legacy = post(trino_http, sql)
    assert legacy["columns"][0]["type"] == "timestamp"
    assert legacy["columns"][0]["typeSignature"] == {"rawType": "timestamp", "arguments": []}
    assert legacy["data"] == [["2024-01-31 12:34:56.789", "01:02:03.456"]]
