"""A cluster dying, hanging, a cancel, and a cluster refusing impersonation: Lakegates stand in."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from connectors.base import Cancellation, ConnectorError, RoutingHints
from connectors.trino import TrinoConnector
from tests.trino_connector.conftest import ARROW, Lakegate, cluster_spec, run
from tests.trino_connector.standin import SERVICE_PASSWORD, SERVICE_USER, StandIn, wait_for


def long_query(mark: str, catalog: str = "remote") -> str:
    """DuckDB needs far longer than any test for this (10^10 pairs); every test stops it early."""
    return (
        f"SELECT count(*) AS n, '{mark}' AS m FROM {catalog}.s.big a CROSS JOIN {catalog}.s.big b "
        "WHERE (a.x * 7 + b.x) % 1000003 = 5"
    )


def _running_on(standin: StandIn, mark: str) -> Any:
    running = standin.app.state.gateway.queries.running()
    return [q for q in running if mark in q.sql and q.state.value == "RUNNING"]


def _post_in_background(lakegate: Lakegate, sql: str) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def post() -> None:
        with lakegate.client() as http:
            response = http.post("/v1/query", json={"sql": sql}, headers={"Accept": "application/json"})
        outcome["at"] = time.monotonic()
        outcome["status"] = response.status_code
        outcome["body"] = response.json()

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread, outcome


def test_trino_connector_against_a_lakegate_standing_in_for_trino_fails_fast_when_it_dies_mid_query(
    make_standin: Callable[..., StandIn], make_lakegate: Callable[..., Lakegate]
) -> None:
    doomed = make_standin("doomed")
    lakegate = make_lakegate([cluster_spec(doomed)])
    thread, outcome = _post_in_background(lakegate, long_query("doomed"))
    wait_for(lambda: _running_on(doomed, "doomed"), what="the query to run on the cluster")
    killed = time.monotonic()
    threading.Thread(target=doomed.stop, daemon=True).start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the query hung after its cluster went down"
    took = outcome["at"] - killed
    print(f"\nmid-query failure surfaced {took:.2f} s after the cluster was stopped")
    assert took < 5
    assert outcome["status"] == 503
    assert outcome["body"]["code"] == "ENGINE_UNAVAILABLE"
    assert outcome["body"]["detail"] == "Trino cluster doomed stopped answering: connection refused"
    assert "doomed UNHEALTHY" in lakegate.engine_health()["detail"]


def test_trino_connector_against_a_lakegate_standing_in_for_trino_fails_when_it_hangs_mid_query(
    make_standin: Callable[..., StandIn], make_lakegate: Callable[..., Lakegate]
) -> None:
    hung = make_standin("hung")
    lakegate = make_lakegate([cluster_spec(hung)], request_timeout_seconds=1)
    thread, outcome = _post_in_background(lakegate, long_query("hung"))
    wait_for(lambda: _running_on(hung, "hung"), what="the query to run on the cluster")
    frozen = time.monotonic()
    hung.recorder.freeze()  # every page request now waits forever
    thread.join(timeout=30)
    assert not thread.is_alive(), "the query hung with its cluster"
    took = outcome["at"] - frozen
    print(f"\na hung cluster failed the query {took:.2f} s after it stopped answering")
    # The poll in flight (up to 1 s), then 2 attempts of 1 s each and a short back-off: ~3 s.
    assert took < 8
    assert outcome["status"] == 503
    assert outcome["body"]["detail"] == "Trino cluster hung stopped answering: no answer within 1 s"
    hung.recorder.thaw()


def test_trino_connector_against_a_lakegate_standing_in_for_trino_propagates_a_cancel(
    cluster: StandIn, make_lakegate: Callable[..., Lakegate]
) -> None:
    lakegate = make_lakegate([cluster_spec(cluster)])
    mark = f"cancel-{uuid.uuid4().hex[:8]}"
    with (
        lakegate.client() as http,
        http.stream(
            "POST", "/v1/query", json={"sql": long_query(mark)}, headers={"Accept": ARROW}
        ) as response,
    ):
        assert response.status_code == 200
        query_id = response.headers["X-Lakegate-Query-Id"]
        remote = wait_for(lambda: _running_on(cluster, mark), what="the query to run on the cluster")[0]
        canceled = time.monotonic()
        assert http.delete(f"/v1/queries/{query_id}").status_code in (200, 202, 204)
        wait_for(lambda: remote.state.value == "CANCELED", timeout=10, what="the cancel to reach the cluster")
        assert time.monotonic() - canceled < 5
        with pytest.raises(httpx.HTTPError):  # the stream ends with the query's error
            response.read()
    with lakegate.client() as http:
        assert http.get(f"/v1/queries/{query_id}").json()["state"] == "CANCELED"


def test_trino_connector_against_a_lakegate_standing_in_for_trino_cancels_from_the_connector(
    cluster: StandIn, make_connector: Callable[..., TrinoConnector]
) -> None:
    connector = make_connector([cluster_spec(cluster)])
    cancellation = Cancellation()
    mark = f"cancel-{uuid.uuid4().hex[:8]}"
    outcome: dict[str, BaseException] = {}

    def execute() -> None:
        try:
            sql = long_query(mark, catalog="lake")
            result = connector.execute(sql, cancellation, 1000, RoutingHints(user="alice"))
            list(result.batches)
        except ConnectorError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=execute, daemon=True)
    thread.start()
    remote = wait_for(lambda: _running_on(cluster, mark), what="the query to run on the cluster")[0]
    cancellation.cancel("canceled by the test")
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert isinstance(outcome["error"], ConnectorError)
    assert outcome["error"].kind == "canceled"
    wait_for(lambda: remote.state.value == "CANCELED", timeout=10, what="the cancel to reach the cluster")


def test_trino_connector_against_a_lakegate_standing_in_for_trino_signs_in_and_impersonates(
    make_standin: Callable[..., StandIn],
    make_connector: Callable[..., TrinoConnector],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The stand-in requires Basic credentials and refuses impersonation, as a Trino cluster
    without impersonation rules does: the service credential is sent, the end user is asked for."""
    caplog.set_level(logging.DEBUG)
    guarded = make_standin("guarded", basic_auth=True)
    monkeypatch.setenv("TRINO_SERVICE_PASSWORD", SERVICE_PASSWORD)
    spec = cluster_spec(guarded, password="${TRINO_SERVICE_PASSWORD}", allow_insecure_auth=True)
    connector = make_connector([spec])
    # Metadata is read as the service user, signed in with its password.
    assert "s" in connector.catalogs()[0].schemas
    assert run(connector, "SELECT count(*) AS n FROM lake.s.typed", user=SERVICE_USER).num_rows == 1
    with pytest.raises(ConnectorError) as caught:
        run(connector, "SELECT count(*) AS n FROM lake.s.typed", user="alice")
    assert caught.value.kind == "user"
    assert caught.value.message == (
        "Trino cluster guarded refused to run the query as alice: "
        f"User {SERVICE_USER} cannot impersonate user alice"
    )
    submitted = guarded.submissions()[-1]
    assert submitted["x-trino-user"] == "alice"
    assert submitted["authorization"].startswith("Basic ")
    # The secret never shows: not in errors, reprs, health or logs.
    shown = [caught.value.message, repr(connector._clusters), str(connector.health()), caplog.text]
    assert not any(SERVICE_PASSWORD in text for text in shown)
    assert not any(submitted["authorization"] in text for text in shown)
