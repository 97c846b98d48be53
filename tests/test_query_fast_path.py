"""POST /v1/query answers the same through the fast path (gateway/api/query_fast_path.py) as
through the FastAPI route: two servers of the same demo, one without the fast path, get the same
requests; status, headers, body (query ids aside) and audit record must match."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from auth.audit.store import AuditFilter
from gateway.api.query_fast_path import QueryFastPath
from gateway.app import create_app
from tests.conftest import demo_config
from tests.server import LiveServer

ARROW = "application/vnd.apache.arrow.stream"
POINT = "SELECT n_name, n_regionkey FROM tpch.tiny.nation WHERE n_nationkey = 3"
_QUERY_ID = re.compile(rb"\d{8}_\d{6}_\d{5}_[a-z0-9]+")
#: headers that differ between any two answers (time, ids) or between two servers
_VARYING = {"date", "x-request-id", "server", "x-lakegate-query-id"}


def _without_fast_path(app: FastAPI) -> FastAPI:
    app.user_middleware = [m for m in app.user_middleware if m.cls is not QueryFastPath]
    return app


@pytest.fixture(scope="module")
def servers(demo_dir: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    config = demo_config(demo_dir, limits={"max_sql_bytes": 4096})
    fast_app = create_app(config)
    assert any(m.cls is QueryFastPath for m in fast_app.user_middleware)
    with LiveServer(fast_app) as fast, LiveServer(_without_fast_path(create_app(config))) as slow:
        yield fast, slow


def _answer(server: LiveServer, request: dict[str, Any]) -> dict[str, Any]:
    with httpx.Client(base_url=server.url, timeout=60) as http:
        response = http.post("/v1/query", **request)
    gateway = server.app.state.gateway
    gateway.audit.flush()
    query_id = response.headers.get("x-lakegate-query-id")
    records = gateway.audit.query(AuditFilter(query_id=query_id, limit=1)) if query_id else []
    audit = [
        (r.action, r.user, r.front_door, r.decision, r.status, r.error_code, r.rows, r.resources)
        for r in records
    ]
    return {
        "status": response.status_code,
        "headers": sorted((k, v) for k, v in response.headers.items() if k not in _VARYING),
        "has_query_id": query_id is not None,
        "body": _QUERY_ID.sub(b"<id>", response.content),
        "audit": audit,
    }


def _request(user: str | None = "ada", accept: str | None = None, **kwargs: Any) -> dict[str, Any]:
    headers = {**({"X-Lakegate-User": user} if user else {}), **({"Accept": accept} if accept else {})}
    return {"headers": {**headers, **kwargs.pop("headers", {})}, **kwargs}


CASES = {
    "json point lookup": _request(accept="application/json", json={"sql": POINT}),
    "arrow (the default)": _request(json={"sql": POINT}),
    "csv": _request(accept="text/csv", json={"sql": POINT}),
    "parquet": _request(accept="application/vnd.apache.parquet", json={"sql": POINT}),
    "session defaults": _request(
        accept="application/json",
        json={"sql": "SELECT count(*) AS n FROM nation", "catalog": "tpch", "schema": "tiny"},
    ),
    "masked column": _request(
        accept="application/json", json={"sql": "SELECT * FROM crm.main.customers LIMIT 3"}
    ),
    "denied table": _request(
        user="guest", accept="application/json", json={"sql": "SELECT * FROM crm.main.customers"}
    ),
    "bad sql": _request(accept="application/json", json={"sql": "SELEC 1"}),
    "unknown table": _request(accept="application/json", json={"sql": "SELECT * FROM tpch.tiny.nope"}),
    "not read-only": _request(json={"sql": "DROP TABLE tpch.tiny.nation"}),
    "division by zero": _request(accept="application/json", json={"sql": "SELECT 1 / 0"}),
    "not acceptable": _request(accept="image/png", json={"sql": POINT}),
    "no user": _request(user=None, accept="application/json", json={"sql": POINT}),
    "empty sql": _request(json={"sql": ""}),
    "unknown field": _request(json={"sql": POINT, "limit": 3}),
    "bad catalog name": _request(json={"sql": POINT, "catalog": "no spaces"}),
    "not json": _request(content=b"SELECT 1", headers={"Content-Type": "application/json"}),
    "a json list": _request(content=b"[1, 2]", headers={"Content-Type": "application/json"}),
    "form type (curl -d)": _request(
        accept="application/json",
        content=json.dumps({"sql": POINT}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    "xml type": _request(content=b"<sql/>", headers={"Content-Type": "application/xml"}),
    "too large": _request(json={"sql": "SELECT 1" + " " * 200_000}),
    "sql over the planner's limit": _request(json={"sql": "SELECT 1" + " " * 5000}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_fast_path_answers_as_the_route(servers: tuple[LiveServer, LiveServer], case: str) -> None:
    fast, slow = servers
    expected = _answer(slow, CASES[case])
    got = _answer(fast, CASES[case])
    assert got == expected


def test_the_fast_path_is_taken(
    servers: tuple[LiveServer, LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without this, the comparison above would pass with the fast path never used."""
    fast, _ = servers
    calls: list[str] = []
    original = QueryFastPath.__call__

    async def counting(self: QueryFastPath, scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(QueryFastPath, "__call__", counting)
    taken: list[bool] = []
    import gateway.api.query_fast_path as fast_path

    real_identify = fast_path.identify

    async def spy(request: Any) -> Any:
        taken.append(True)
        return await real_identify(request)

    monkeypatch.setattr(fast_path, "identify", spy)
    _answer(fast, CASES["json point lookup"])
    _answer(fast, CASES["empty sql"])  # not the common case: the route answers it
    assert calls == ["/v1/query", "/v1/query"]
    assert taken == [True]
