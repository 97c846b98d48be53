"""The cluster's instances in the state store (gateway/instances.py) and the forwarding of a
query's follow-ups to its owner (gateway/owner_forwarding.py), with in-process apps: a live
owner answers, a gone one gives a clear 503, an unknown node id and a request already forwarded
are answered where they land, and the owner sees the client's own headers."""

from __future__ import annotations

import asyncio
import json
import re
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from catalog.store.backends import StoreError
from catalog.store.store import CatalogStore
from gateway.config import ConfigError
from gateway.instances import FORGET_SECONDS, InstanceConflict, InstanceDirectory, owner_of
from gateway.owner_forwarding import OWNER_GONE, Forwarder, OwnerForwarding, forwarded_query

QUERY = "20261205_081500_00042_n2"
PAGE = f"/v1/statement/executing/{QUERY}/yslug/3"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Path:
    CatalogStore.sqlite(tmp_path / "state.sqlite").close()
    return tmp_path / "state.sqlite"


def _directory(store: Path, node: str, clock: Clock, address: str | None = None) -> InstanceDirectory:
    backend = CatalogStore.sqlite(store).backend
    return InstanceDirectory(
        backend, node, address or f"http://{node}:8080", heartbeat_seconds=1, stale_seconds=5, clock=clock
    )


# -- the directory ----------------------------------------------------------------------------


def test_a_query_id_names_its_owner() -> None:
    assert owner_of(QUERY) == "n2"
    assert owner_of("20261205_081500_00042_N2") is None
    assert owner_of("x'; DROP TABLE t; --_n2") is None
    assert owner_of(f"{QUERY}/../x") is None


def test_instances_are_live_while_they_beat_and_gone_after(store: Path) -> None:
    clock = Clock()
    n1, n2 = _directory(store, "n1", clock), _directory(store, "n2", clock)
    n1.register()
    n2.register()
    assert n1.owner("n2").state == "live"
    assert n1.owner("n2").address == "http://n2:8080"
    assert n1.owner("n7").state == "unknown"
    assert [o.node_id for o in n1.live()] == ["n1", "n2"]

    clock.now += 4
    n2.heartbeat()
    clock.now += 4  # 8 s after n1's last beat, 4 after n2's
    n1.forget_cached("n2")
    assert n1.owner("n2").state == "live"
    assert n2.owner("n1").state == "gone"  # its heartbeat is stale: it died
    assert n2.owner("n1").address == "http://n1:8080"

    n2.leave()  # stopped cleanly
    n1.forget_cached("n2")
    assert n1.owner("n2").state == "gone"
    n2.register()  # and started again
    n1.forget_cached("n2")
    assert n1.owner("n2").state == "live"


def test_a_lookup_is_reused_for_a_second_only(store: Path) -> None:
    clock = Clock()
    n1, n2 = _directory(store, "n1", clock), _directory(store, "n2", clock)
    n2.register()
    assert n1.owner("n2").state == "live"
    n2.leave()
    assert n1.owner("n2").state == "live"  # cached
    clock.now += 1.5
    assert n1.cached_owner("n2") is None
    assert n1.owner("n2").state == "gone"


def test_a_node_id_in_use_by_a_live_instance_elsewhere_is_refused(store: Path) -> None:
    clock = Clock()
    _directory(store, "n1", clock, "http://10.0.0.1:8080").register()
    with pytest.raises(
        InstanceConflict, match=re.escape("n1 is in use by a live instance at http://10.0.0.1:8080")
    ):
        _directory(store, "n1", clock, "http://10.0.0.2:8080").register()
    _directory(store, "n1", clock, "http://10.0.0.1:8080").register()  # the same one, restarted
    clock.now += 6  # the first one is dead: its id may be taken over
    _directory(store, "n1", clock, "http://10.0.0.2:8080").register()
    assert _directory(store, "n2", clock).owner("n1").address == "http://10.0.0.2:8080"


def test_instances_gone_for_a_day_are_forgotten(store: Path) -> None:
    clock = Clock()
    n1, n2 = _directory(store, "n1", clock), _directory(store, "n2", clock)
    n1.register()
    n2.register()
    clock.now += FORGET_SECONDS + 1
    n1.heartbeat()
    assert n1.owner("n2").state == "unknown"
    assert n1.owner("n1").state == "live"


# -- forwarding -------------------------------------------------------------------------------


def test_only_a_query_s_follow_ups_are_forwarded() -> None:
    assert forwarded_query("GET", PAGE) == (QUERY, False)
    assert forwarded_query("DELETE", PAGE) == (QUERY, False)
    assert forwarded_query("HEAD", f"/v1/statement/queued/{QUERY}/s/0") == (QUERY, False)
    assert forwarded_query("GET", f"/v1/queries/{QUERY}") == (QUERY, True)
    assert forwarded_query("DELETE", f"/v1/queries/{QUERY}") == (QUERY, False)
    assert forwarded_query("POST", "/v1/statement") is None
    assert forwarded_query("POST", f"/v1/queries/{QUERY}") is None
    assert forwarded_query("GET", "/v1/queries") is None
    assert forwarded_query("GET", f"/v1/statement/other/{QUERY}/s/0") is None


class Recorder:
    """An ASGI app that answers 200 with what it was asked (and who it is)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.scopes: list[Scope] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        body = json.dumps({"by": self.name, "headers": headers, "query": scope["query_string"].decode()})
        await send({"type": "http.response.start", "status": 200, "headers": [(b"x-answer", b"yes")]})
        await send({"type": "http.response.body", "body": body.encode()})


def _ask(
    directory: InstanceDirectory,
    local: Recorder,
    transport: httpx.AsyncBaseTransport,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    counted: list[str] | None = None,
) -> httpx.Response:
    async def run() -> httpx.Response:
        count = counted.append if counted is not None else None
        forwarder = Forwarder(directory, transport=transport, count=count)
        app = OwnerForwarding(local, forwarder)
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://balancer.example"
            ) as client:
                return await client.request(method, path, headers=headers)
        finally:
            await forwarder.aclose()

    return asyncio.run(run())


def _cluster(store: Path) -> tuple[InstanceDirectory, InstanceDirectory]:
    clock = Clock()
    n1, n2 = _directory(store, "n1", clock), _directory(store, "n2", clock)
    n1.register()
    n2.register()
    return n1, n2


def test_a_live_owner_answers_with_the_client_s_headers(store: Path) -> None:
    n1, _ = _cluster(store)
    local, owner = Recorder("n1"), Recorder("n2")
    seen: list[httpx.Request] = []

    async def to_owner(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return await httpx.ASGITransport(app=owner).handle_async_request(request)

    class Spy(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            return await to_owner(request)

    headers = {"Authorization": "Basic YWRhOnB3", "X-Trino-User": "ada"}
    counted: list[str] = []
    response = _ask(n1, local, Spy(), "GET", f"{PAGE}?maxWait=1s", headers, counted)
    assert counted == ["forwarded"]
    assert response.status_code == 200
    assert response.headers["x-lakegate-answered-by"] == "n2"
    assert response.headers["x-answer"] == "yes"
    answer = response.json()
    assert answer["by"] == "n2"
    assert local.scopes == []
    assert str(seen[0].url) == f"http://n2:8080{PAGE}?maxWait=1s"
    sent = answer["headers"]
    assert sent["host"] == "balancer.example"  # the owner's nextUri names the client's address
    assert sent["authorization"] == "Basic YWRhOnB3"  # the owner authenticates the caller itself
    assert sent["x-trino-user"] == "ada"
    assert sent["x-lakegate-forwarded-by"] == "n1"
    assert answer["query"] == "maxWait=1s"


class Refusing(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise httpx.ConnectError("connection refused", request=request)


@pytest.mark.parametrize("how", ["stopped", "unreachable"])
def test_a_gone_owner_fails_its_query_clearly(store: Path, how: str) -> None:
    n1, n2 = _cluster(store)
    if how == "stopped":
        n2.leave()
    local, transport = Recorder("n1"), Refusing()
    counted: list[str] = []
    for method, path in (("GET", PAGE), ("DELETE", PAGE), ("DELETE", f"/v1/queries/{QUERY}")):
        response = _ask(n1, local, transport, method, path, counted=counted)
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == "ENGINE_UNAVAILABLE"
        assert problem["query_id"] == QUERY
        assert f"the gateway instance n2 that ran query {QUERY} is gone" in problem["detail"]
    assert local.scopes == []
    assert transport.calls == (0 if how == "stopped" else 3)
    assert counted == ["owner_gone"] * 3


def test_a_gone_owner_s_query_status_is_answered_here_from_the_audit_log(store: Path) -> None:
    n1, n2 = _cluster(store)
    n2.leave()
    local = Recorder("n1")
    response = _ask(n1, local, Refusing(), "GET", f"/v1/queries/{QUERY}")
    assert response.json()["by"] == "n1"
    assert local.scopes[0][OWNER_GONE] == "n2"  # the route answers "gone" when it has no record


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (PAGE.replace("_n2/", "_n1/"), {}),  # this instance's own query
        (PAGE.replace("_n2/", "_n7/"), {}),  # no instance of this cluster
        (PAGE, {"X-Lakegate-Forwarded-By": "n3"}),  # forwarded once already: never again
        ("/v1/statement/executing/not-a-query-id/s/1", {}),
    ],
)
def test_what_is_not_another_live_instance_s_is_answered_here(
    store: Path, path: str, headers: dict[str, str]
) -> None:
    n1, _ = _cluster(store)
    local, transport = Recorder("n1"), Refusing()
    response = _ask(n1, local, transport, "GET", path, headers)
    assert response.json()["by"] == "n1"
    assert transport.calls == 0
    assert OWNER_GONE not in local.scopes[0]


def test_a_state_store_that_cannot_be_read_is_a_clear_retryable_error(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n1, _ = _cluster(store)

    def broken(node: str) -> Any:
        raise StoreError("the catalog store failed: connection lost")

    lookup: Callable[[str], Any] = broken
    monkeypatch.setattr(n1, "owner", lookup)
    local = Recorder("n1")
    page = _ask(n1, local, Refusing(), "GET", PAGE)
    assert page.status_code == 503
    assert "cannot be looked up" in page.json()["detail"]
    status = _ask(n1, local, Refusing(), "GET", f"/v1/queries/{QUERY}")
    assert status.json()["by"] == "n1"  # the audit log may still know it


class Untrusted(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            raise ssl.SSLCertVerificationError("certificate verify failed: self-signed certificate")
        except ssl.SSLError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc


def test_an_owner_whose_certificate_fails_is_not_called_gone(store: Path) -> None:
    n1, _ = _cluster(store)
    counted: list[str] = []
    response = _ask(n1, Recorder("n1"), Untrusted(), "GET", PAGE, counted=counted)
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "cannot be reached securely: its certificate cannot be verified" in detail
    assert "gone" not in detail
    assert counted == ["tls_error"]


def test_a_missing_ca_file_is_a_configuration_error(store: Path, tmp_path: Path) -> None:
    n1, _ = _cluster(store)
    with pytest.raises(ConfigError, match=re.escape("server.cluster.ca_file: cannot read")):
        Forwarder(n1, ca_file=str(tmp_path / "missing.pem"))
