"""GET /v1/audit on a small app: admins read with filters, everyone else gets a 403 problem."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from auth.audit.record import AuditRecord
from auth.audit.sqlite_store import SqliteAuditStore
from auth.audit.store import AuditError, AuditFilter
from auth.audit.writer import AuditLog
from auth.authorizer import Decision
from auth.identity import Identity
from gateway.api import audit as audit_api
from gateway.api.identity import identify
from gateway.api.problems import PROBLEM_JSON, install_problem_handlers
from gateway.config import LakegateConfig, ServerSettings
from gateway.errors import ErrorCode, LakegateError
from gateway.queries import QueryRecord, QueryState

BOB = Identity("bob", ("analysts",))
CLIENT_ADDRESS = "192.0.2.7"


class AppClient:
    """The ASGI app in-process through an httpx client, one event loop per request."""

    def __init__(self, app: FastAPI, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = headers or {}

    def __enter__(self) -> AppClient:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, client=(CLIENT_ADDRESS, 40000))
            async with httpx.AsyncClient(
                transport=transport, base_url="http://lakegate", headers=self.headers
            ) as http:
                return await http.get(path, **kwargs)

        return asyncio.run(send())


@dataclass
class StandInAuthorizer:
    admin_users: frozenset[str] = frozenset({"root"})
    admin_groups: frozenset[str] = frozenset({"auditors"})

    def is_admin(self, identity: Identity) -> bool:
        return identity.user in self.admin_users or bool(self.admin_groups & set(identity.groups))


def build_app(audit: Any, authorizer: StandInAuthorizer | None = StandInAuthorizer()) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(audit_api.router)
    config = LakegateConfig(server=ServerSettings(dev_mode=True))
    app.state.gateway = SimpleNamespace(config=config, authorizer=authorizer, audit=audit)
    return app


def query(n: int, user: str, sql: str, error: LakegateError | None = None) -> QueryRecord:
    record = QueryRecord(f"q{n}", user, sql, "native")
    record.finish(QueryState.FAILED if error else QueryState.FINISHED, error)
    return record


@pytest.fixture
def audit(tmp_path: Path) -> Iterator[AuditLog]:
    log = AuditLog(SqliteAuditStore(tmp_path / "audit.sqlite"))
    ports = (Decision(True, "lake.shipping.ports.name", "select", 1),)
    log.log_query(
        query(1, "alice", "SELECT name FROM lake.shipping.ports"), None, "10.0.0.1", "native", decisions=ports
    )
    log.log_query(query(2, "bob", "SELECT 1"), BOB, "10.0.0.2", "trino")
    denied = LakegateError(ErrorCode.ACCESS_DENIED, "no")
    salaries = (Decision(False, "hr.people.salaries.amount", "select", 9),)
    log.log_query(
        query(3, "bob", "SELECT amount FROM hr.people.salaries", denied),
        BOB,
        "10.0.0.2",
        "native",
        decisions=salaries,
    )
    log.log_event(
        action="auth",
        front_door="native",
        status=401,
        client_address="10.6.6.6",
        error_code="UNAUTHENTICATED",
    )
    yield log
    log.close()


@pytest.fixture
def client(audit: AuditLog) -> Iterator[AppClient]:
    with AppClient(build_app(audit), headers={"X-Lakegate-User": "root"}) as http:
        yield http


def ids(response: Any) -> list[str | None]:
    assert response.status_code == 200, response.text
    return [r["query_id"] or r["action"] for r in response.json()["records"]]


def test_admin_reads_everything_newest_first(client: AppClient) -> None:
    response = client.get("/v1/audit")
    assert ids(response) == ["auth", "q3", "q2", "q1"]
    first = response.json()["records"][-1]
    assert first["user"] == "alice"
    assert first["sql"] == "SELECT name FROM lake.shipping.ports"
    assert first["resources"] == ["lake.shipping.ports.name"]
    assert first["policy_ids"] == [1]
    assert first["decision"] == "allowed"
    assert set(first) == set(audit_api.AuditEntry.model_fields)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"user": "bob"}, ["q3", "q2"]),
        ({"query_id": "q2"}, ["q2"]),
        ({"decision": "denied"}, ["auth", "q3"]),
        ({"action": "auth"}, ["auth"]),
        ({"error_code": "ACCESS_DENIED"}, ["q3"]),
        ({"resource": "hr.people"}, ["q3"]),
        ({"resource": "shipping"}, ["q1"]),
        ({"user": "bob", "decision": "allowed"}, ["q2"]),
        ({"limit": 2}, ["auth", "q3"]),
        ({"since": "2000-01-01T00:00:00Z", "until": "2000-01-02T00:00:00+02:00"}, []),
        ({"since": "2000-01-01T00:00:00"}, ["auth", "q3", "q2", "q1"]),
    ],
)
def test_filters(client: AppClient, params: dict[str, Any], expected: list[str]) -> None:
    assert ids(client.get("/v1/audit", params=params)) == expected


def test_reads_are_audited(client: AppClient, audit: AuditLog) -> None:
    client.get("/v1/audit", params={"user": "bob"})
    read = audit.query(AuditFilter(action="admin"))[0]
    assert (read.user, read.decision, read.status, read.rows) == ("root", "allowed", 200, 2)
    assert read.client_address == CLIENT_ADDRESS


def test_group_admins_may_read(audit: AuditLog) -> None:
    app = build_app(audit)
    app.dependency_overrides[identify] = lambda: Identity("carol", ("auditors",))
    with AppClient(app) as http:
        assert http.get("/v1/audit").status_code == 200


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code)
    return body


@pytest.mark.parametrize("user", ["bob", "alice", None])
def test_non_admins_are_refused_and_recorded(audit: AuditLog, user: str | None) -> None:
    headers = {"X-Lakegate-User": user} if user else {}
    with AppClient(build_app(audit)) as http:
        body = assert_problem(http.get("/v1/audit", headers=headers), 403, "ACCESS_DENIED")
    assert "records" not in body
    refusal = audit.query(AuditFilter(action="admin"))[0]
    assert (refusal.user, refusal.decision, refusal.error_code) == (
        user or "anonymous",
        "denied",
        "ACCESS_DENIED",
    )


def test_without_policies_nobody_reads_the_log(audit: AuditLog) -> None:
    with AppClient(build_app(audit, authorizer=None), headers={"X-Lakegate-User": "root"}) as http:
        body = assert_problem(http.get("/v1/audit"), 403, "ACCESS_DENIED")
    assert body["detail"] == "the audit log needs policies with admins configured"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 1001},
        {"limit": 0},
        {"decision": "maybe"},
        {"action": "delete"},
        {"since": "yesterday"},
        {"since": "0001-01-01T00:00:00+05:00"},
    ],
)
def test_bad_filters(client: AppClient, params: dict[str, Any]) -> None:
    assert_problem(client.get("/v1/audit", params=params), 400, "INVALID_REQUEST")


def test_unauthenticated_requests_get_401(audit: AuditLog) -> None:
    app = build_app(audit)
    app.state.gateway.config = LakegateConfig()  # not dev mode, no authentication configured
    with AppClient(app) as http:
        assert_problem(http.get("/v1/audit"), 401, "UNAUTHENTICATED")


class BrokenStore:
    def append(self, record: AuditRecord) -> None:
        pass

    def query(self, filters: AuditFilter) -> list[AuditRecord]:
        raise AuditError("cannot read the audit log: disk I/O error")

    def close(self) -> None:
        pass


def test_an_unreadable_store_is_a_503() -> None:
    with AppClient(build_app(AuditLog(BrokenStore())), headers={"X-Lakegate-User": "root"}) as http:
        body = assert_problem(http.get("/v1/audit"), 503, "ENGINE_UNAVAILABLE")
    assert "disk" not in body["detail"]


def test_a_server_without_an_audit_log() -> None:
    with AppClient(build_app(None), headers={"X-Lakegate-User": "root"}) as http:
        assert_problem(http.get("/v1/audit"), 503, "ENGINE_UNAVAILABLE")
