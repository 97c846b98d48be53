"""Cancel, kill, abandon: a Trino query's end, through the real client and raw protocol."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import trino

from tests.server import LiveServer
from tests.trino.conftest import QUICK, Connect, real_trino_client
from tests.trino.test_protocol_misuse import ENDLESS, MANY_ROWS, drain, post

HUGE = "SELECT a.*, b.n_name FROM tpch.tiny.lineitem a, tpch.tiny.nation b"


def state_of(http: httpx.Client, query_id: str) -> list[Any]:
    """(state, error name) of one of the caller's queries, from system.runtime.queries."""
    document = post(
        http, f"SELECT state, error_code FROM system.runtime.queries WHERE query_id = '{query_id}'"
    )
    data: list[list[Any]] = document.get("data") or []
    return data[0] if data else []


def wait_for(http: httpx.Client, query_id: str, state: str, timeout: float = 10) -> list[Any]:
    deadline = time.monotonic() + timeout
    while True:
        current = state_of(http, query_id)
        if (current and current[0] == state) or time.monotonic() > deadline:
            return current
        time.sleep(0.1)


def test_cursor_cancel_stops_a_running_query(connect: Connect, trino_http: httpx.Client) -> None:
    cursor = connect().cursor()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            cursor.execute(ENDLESS)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 10
    while cursor.query_id is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cursor.query_id is not None
    time.sleep(0.3)
    started = time.monotonic()
    cursor.cancel()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert time.monotonic() - started < 5
    # The client may race its own DELETE with its next poll; that poll then reports the cancel.
    assert all(
        isinstance(e, trino.exceptions.TrinoUserError) and e.error_name == "USER_CANCELED" for e in errors
    )
    assert wait_for(trino_http, cursor.query_id, "CANCELED")[0] == "CANCELED"


def test_kill_query_from_another_connection(
    server: LiveServer, connect: Connect, trino_http: httpx.Client
) -> None:
    document = post(trino_http, ENDLESS)
    query_id = document["id"]
    killer = connect("ada").cursor()
    killer.execute(f"CALL system.runtime.kill_query(query_id => '{query_id}', message => 'too slow')")
    assert killer.fetchall() == [[True]]  # Trino's answer to a statement without output
    _, last = drain(trino_http, document)
    assert last["error"]["errorName"] == "ADMINISTRATIVELY_KILLED"
    assert "too slow" in last["error"]["message"]
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:
        killer.execute(f"CALL system.runtime.kill_query(query_id => '{query_id}', message => 'again')")
    assert raised.value.error_name == "NOT_SUPPORTED"  # not running any more


def test_an_admin_may_kill_anyones_query(connect: Connect, trino_http: httpx.Client) -> None:
    document = post(trino_http, ENDLESS)
    connect("root").cursor().execute(f"CALL system.runtime.kill_query('{document['id']}', 'maintenance')")
    _, last = drain(trino_http, document)
    assert last["error"]["errorName"] == "ADMINISTRATIVELY_KILLED"


def test_closing_a_cursor_mid_result_cancels_the_query(connect: Connect, trino_http: httpx.Client) -> None:
    cursor = connect().cursor()
    cursor.execute(MANY_ROWS)
    assert cursor.fetchone() is not None
    query_id = cursor.query_id
    cursor.close()
    assert wait_for(trino_http, query_id, "CANCELED")[0] == "CANCELED"


def test_results_are_pulled_only_as_the_client_pages(quick_server: LiveServer) -> None:
    with httpx.Client(base_url=quick_server.url, timeout=30, headers={"X-Trino-User": "ada"}) as http:
        document = post(http, HUGE)  # 1.5 million rows
        uri = document["nextUri"]
        page = http.get(uri).json()
        time.sleep(1)  # the engine would be far along by now if nothing held it back
        processed = http.get(uri).json()["stats"]["processedRows"]  # the same page, current stats
        assert processed < 200_000
        assert http.delete(page["nextUri"]).status_code == 204


def test_a_client_that_stops_polling_gets_its_query_canceled(quick_server: LiveServer) -> None:
    with httpx.Client(base_url=quick_server.url, timeout=30, headers={"X-Trino-User": "ada"}) as http:
        slow = post(http, ENDLESS)
        paged = post(http, MANY_ROWS)
        page = http.get(paged["nextUri"]).json()
        time.sleep(QUICK.client_timeout_seconds * 2.5)
        for document in (slow, page):
            _, last = drain(http, document)
            assert last["error"]["errorName"] == "ABANDONED_QUERY"
            assert "abandoned" in last["error"]["message"]
        for query_id in (slow["id"], paged["id"]):
            assert state_of(http, query_id)[0] == "CANCELED"


def test_a_client_that_keeps_polling_is_not_abandoned(quick_server: LiveServer) -> None:
    with httpx.Client(base_url=quick_server.url, timeout=30, headers={"X-Trino-User": "ada"}) as http:
        document = post(http, ENDLESS)
        deadline = time.monotonic() + QUICK.client_timeout_seconds * 2.5
        while time.monotonic() < deadline:
            document = http.get(document["nextUri"]).json()  # long polls of maxWait each
            assert "error" not in document
        assert http.delete(document["nextUri"]).status_code == 204


def test_many_clients_at_once(server: LiveServer, demo_dir: Path) -> None:
    sql = (Path(__file__).parent.parent / "tpch" / "q01.sql").read_text()
    results: list[Any] = []

    def run() -> None:
        connection = real_trino_client(server.url)
        cursor = connection.cursor()
        cursor.execute(sql)
        results.append(cursor.fetchall())
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 8
    assert all(r == results[0] for r in results)
