"""Admission by resource groups: queue instead of refuse, fairly, with limits and timeouts.

The controller is tested directly (ordering and limits), then through both doors of a live
server whose two slots are held by endless queries.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.admission import Admission, Ticket
from gateway.app import create_app
from gateway.config import AdmissionSettings, ConfigError, parse_config
from gateway.errors import ErrorCode, LakegateError
from gateway.queries import QueryRegistry
from tests.conftest import demo_config
from tests.server import LiveServer
from tests.test_query_lifecycle import ENDLESS

REGISTRY = QueryRegistry()


def _record(user: str = "ada") -> Any:
    return REGISTRY.create(user, "SELECT 1", "native")


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


# -- the controller -----------------------------------------------------------------------------
def test_queries_beyond_the_limit_wait_in_order_and_start_as_slots_free() -> None:
    async def scenario() -> None:
        admission = Admission(AdmissionSettings(), engine_limit=2)
        held = [await admission.admit(_record(), "ada", (), "native") for _ in range(2)]
        started: list[int] = []

        async def wait(n: int) -> Ticket:
            ticket = await admission.admit(_record(), "ada", (), "native")
            started.append(n)
            return ticket

        waiting = [asyncio.ensure_future(wait(n)) for n in range(3)]
        await _settle()
        assert started == []
        assert admission.queued == 3
        assert [
            admission.position(t.record.id)
            for t in admission.tree.engine.children["global"].children["ada"].queue
        ] == [1, 2, 3]
        admission.release(held[0])
        await _settle()
        assert started == [0]
        admission.release(held[1])
        await _settle()
        assert started == [0, 1]
        admission.release(await waiting[0])
        await _settle()
        assert started == [0, 1, 2]
        assert admission.queued == 0
        for task in waiting[1:]:
            admission.release(await task)
        assert admission.tree.engine.running == 0
        assert admission.tree.engine.children["global"].children == {}, "per-user groups are forgotten"

    asyncio.run(scenario())


def test_a_user_with_one_query_is_not_stuck_behind_another_users_dashboard() -> None:
    async def scenario() -> None:
        admission = Admission(AdmissionSettings(), engine_limit=1)
        first = await admission.admit(_record("ada"), "ada", (), "native")
        order: list[str] = []

        async def wait(user: str) -> Ticket:
            ticket = await admission.admit(_record(user), user, (), "native")
            order.append(user)
            return ticket

        tiles = [asyncio.ensure_future(wait("ada")) for _ in range(5)]
        await _settle()
        sam = asyncio.ensure_future(wait("sam"))
        await _settle()
        admission.release(first)
        for _ in range(6):
            await _settle()
            running = [t for t in [*tiles, sam] if t.done() and not t.result().released]
            for task in running:
                admission.release(task.result())
        # ada's first query held the slot: sam, who runs nothing, goes before her other tiles.
        assert order[0] == "sam"
        assert order.count("ada") == 5

    asyncio.run(scenario())


def test_a_full_queue_refuses_with_429_naming_the_group() -> None:
    async def scenario() -> None:
        admission = Admission(AdmissionSettings(max_queued_per_user=1), engine_limit=1)
        held = await admission.admit(_record(), "ada", (), "native")
        waiting = asyncio.ensure_future(admission.admit(_record(), "ada", (), "native"))
        await _settle()
        with pytest.raises(LakegateError) as refused:
            await admission.admit(_record(), "ada", (), "native")
        assert refused.value.code is ErrorCode.TOO_MANY_QUERIES
        assert "global.ada" in refused.value.detail
        # another user's queue is their own
        other = asyncio.ensure_future(admission.admit(_record("sam"), "sam", (), "native"))
        await _settle()
        assert not other.done()
        assert admission.queued == 2
        admission.release(held)
        await _settle()
        assert other.done(), "sam, who ran nothing, goes first"
        assert not waiting.done()
        admission.release(await other)
        admission.release(await waiting)

    asyncio.run(scenario())


def test_waiting_too_long_or_being_canceled_leaves_the_queue() -> None:
    async def scenario() -> None:
        admission = Admission(AdmissionSettings(queue_timeout_seconds=0.2), engine_limit=1)
        held = await admission.admit(_record(), "ada", (), "native")
        with pytest.raises(LakegateError) as timed_out:
            await admission.admit(_record(), "ada", (), "native")
        assert timed_out.value.code is ErrorCode.QUEUE_TIMEOUT
        assert admission.queued == 0
        record = _record()
        waiting = asyncio.ensure_future(admission.admit(record, "ada", (), "native"))
        await _settle()
        assert admission.queued == 1
        threading.Thread(target=record.cancellation.cancel, args=("canceled by the user",)).start()
        with pytest.raises(LakegateError) as canceled:
            await waiting
        assert canceled.value.code is ErrorCode.QUERY_CANCELED
        assert admission.queued == 0
        admission.release(held)
        assert admission.tree.engine.running == 0

    asyncio.run(scenario())


def test_configured_groups_limit_each_level_and_selectors_pick_them() -> None:
    settings = AdmissionSettings.model_validate(
        {
            "root_groups": [
                {
                    "name": "bi",
                    "hard_concurrency_limit": 1,
                    "max_queued": 10,
                    "subgroups": [{"name": "${SOURCE}", "hard_concurrency_limit": 1, "max_queued": 5}],
                },
                {"name": "adhoc", "hard_concurrency_limit": 4, "max_queued": 10},
            ],
            "selectors": [
                {"source": "superset|tableau", "resource_group": "bi.${SOURCE}"},
                {"group": "analysts", "resource_group": "adhoc"},
            ],
        }
    )

    async def scenario() -> None:
        admission = Admission(settings, engine_limit=8)
        bi = await admission.admit(_record(), "ada", (), "superset")
        assert bi.group.full_name == "bi.superset"
        queued = asyncio.ensure_future(admission.admit(_record(), "sam", (), "tableau"))
        await _settle()
        assert not queued.done(), "bi runs one query at a time across its sources"
        adhoc = await admission.admit(_record(), "ada", ("analysts",), "native")
        assert adhoc.group.full_name == "adhoc"
        with pytest.raises(LakegateError) as rejected:
            await admission.admit(_record("eve"), "eve", (), "native")
        assert rejected.value.code is ErrorCode.QUERY_REJECTED
        admission.release(bi)
        admission.release(await queued)
        admission.release(adhoc)

    asyncio.run(scenario())


def test_a_selector_naming_a_group_with_subgroups_is_a_config_error(tmp_path: Path) -> None:
    raw = {
        "server": {
            "admission": {
                "root_groups": [
                    {
                        "name": "bi",
                        "hard_concurrency_limit": 1,
                        "max_queued": 1,
                        "subgroups": [{"name": "x", "hard_concurrency_limit": 1, "max_queued": 1}],
                    }
                ],
                "selectors": [{"resource_group": "bi"}],
            }
        },
        "catalogs": {},
    }
    with pytest.raises(ConfigError) as error:
        parse_config(raw, tmp_path / "lakegate.yaml")
    assert "bi.x" in str(error.value)


# -- through the doors --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_slots(demo_dir: Path) -> Iterator[LiveServer]:
    config = demo_config(
        demo_dir,
        engine={"max_concurrent_queries": 2},
        admission={"queue_timeout_seconds": 30, "max_queued_per_user": 4},
    )
    with LiveServer(create_app(config)) as live:
        yield live


class Held:
    """Both slots taken by endless queries, given back on exit."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.streams = [client.stream("POST", "/v1/query", json={"sql": ENDLESS}) for _ in range(2)]

    def __enter__(self) -> Held:
        self.responses = [s.__enter__() for s in self.streams]
        return self

    def __exit__(self, *exc: object) -> None:
        for stream, response in zip(self.streams, self.responses, strict=True):
            self.client.delete(f"/v1/queries/{response.headers['x-lakegate-query-id']}")
            with pytest.raises(httpx.RemoteProtocolError):
                response.read()
            stream.__exit__(None, None, None)


def _client(server: LiveServer, user: str = "root", timeout: float = 60) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=timeout, headers={"X-Lakegate-User": user})


def _queued(client: httpx.Client, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while True:
        listed: list[dict[str, Any]] = client.get("/v1/queries", params={"state": "QUEUED"}).json()
        queued = [q for q in listed if q["queue_position"] is not None]  # not still planning
        if len(queued) >= count or time.monotonic() > deadline:
            return queued
        time.sleep(0.05)


def test_a_dashboard_burst_waits_for_slots_instead_of_being_refused(two_slots: LiveServer) -> None:
    with _client(two_slots) as client, ThreadPoolExecutor(4) as pool:
        with Held(client):
            tiles = [
                pool.submit(client.post, "/v1/query", json={"sql": f"SELECT {n} AS tile"}) for n in range(4)
            ]
            queued = _queued(client, 4)
            assert sorted(q["queue_position"] for q in queued) == [1, 2, 3, 4]
            assert {q["resource_group"] for q in queued} == {"global.root"}
            assert not any(t.done() for t in tiles)
            fifth = client.post("/v1/query", json={"sql": "SELECT 5"})
            assert fifth.status_code == 429
            assert fifth.json()["code"] == "TOO_MANY_QUERIES"
        answers = [t.result(timeout=30) for t in tiles]
    assert [a.status_code for a in answers] == [200] * 4
    metrics = httpx.get(f"{two_slots.url}/metrics").text
    assert "lakegate_queued_queries 0.0" in metrics


def test_a_client_that_leaves_the_queue_takes_its_query_out(two_slots: LiveServer) -> None:
    gateway = two_slots.app.state.gateway
    with _client(two_slots) as client, Held(client):
        with _client(two_slots, timeout=0.5) as impatient, pytest.raises(httpx.ReadTimeout):
            impatient.post("/v1/query", json={"sql": "SELECT 'left'"})
        deadline = time.monotonic() + 5
        while gateway.admission.queued and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gateway.admission.queued == 0
        left = [r for r in gateway.queries.recent() if r.sql == "SELECT 'left'"]
        assert left[-1].state.value == "CANCELED"


def test_a_queued_query_can_be_canceled_by_its_id(two_slots: LiveServer) -> None:
    with _client(two_slots) as client, ThreadPoolExecutor(1) as pool, Held(client):
        waiting = pool.submit(client.post, "/v1/query", json={"sql": "SELECT 'queued'"})
        (queued,) = _queued(client, 1)
        assert client.delete(f"/v1/queries/{queued['id']}").status_code == 204
        answer = waiting.result(timeout=10)
        assert answer.status_code == 409
        assert answer.json()["code"] == "QUERY_CANCELED"


def test_the_trino_door_answers_queued_pages_until_the_query_runs(two_slots: LiveServer) -> None:
    headers = {"X-Trino-User": "root", "X-Lakegate-User": "root"}
    with _client(two_slots) as client:
        with Held(client):
            first = client.post("/v1/statement", content="SELECT 42 AS answer", headers=headers).json()
            assert first["stats"]["state"] == "QUEUED"
            assert "nextUri" in first
            again = client.get(first["nextUri"], headers=headers).json()
            assert again["stats"]["state"] == "QUEUED"
            assert "nextUri" in again
            page = again
        rows: list[Any] = []
        while "nextUri" in page:
            page = client.get(page["nextUri"], headers=headers).json()
            rows.extend(page.get("data", []))
        assert page["stats"]["state"] == "FINISHED"
        assert rows == [[42]]


def test_a_queued_trino_query_canceled_by_delete_frees_nothing_it_did_not_take(two_slots: LiveServer) -> None:
    headers = {"X-Trino-User": "root", "X-Lakegate-User": "root"}
    gateway = two_slots.app.state.gateway
    with _client(two_slots) as client, Held(client):
        first = client.post("/v1/statement", content="SELECT 7", headers=headers).json()
        assert first["stats"]["state"] == "QUEUED"
        assert client.delete(first["nextUri"], headers=headers).status_code == 204
        deadline = time.monotonic() + 5
        while gateway.admission.queued and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gateway.admission.queued == 0
        assert gateway.admission.tree.engine.running == 2  # the two held queries, nothing else


def test_the_engine_slot_is_given_back_once_the_engine_is_done(two_slots: LiveServer) -> None:
    """Two answers nobody reads hold no slot: the engine is done with them (their batches wait
    in the answer's buffer, more than the socket takes), so a third query runs at once; endless
    ones do hold theirs."""
    gateway = two_slots.app.state.gateway
    unread = "SELECT * FROM tpch.tiny.lineitem l JOIN tpch.tiny.orders o ON l_orderkey = o_orderkey"
    with _client(two_slots) as client:
        streams = [client.stream("POST", "/v1/query", json={"sql": unread}) for _ in range(2)]
        responses = [stream.__enter__() for stream in streams]
        try:
            assert all(r.status_code == 200 for r in responses)
            assert _until_true(lambda: gateway.admission.tree.engine.running == 0)
            third = client.post("/v1/query", json={"sql": "SELECT 3"}, timeout=10)
            assert third.status_code == 200
            for response in responses:
                response.read()
        finally:
            for stream in streams:
                stream.__exit__(None, None, None)
        with Held(client):
            assert gateway.admission.tree.engine.running == 2


def _until_true(condition: Any, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
