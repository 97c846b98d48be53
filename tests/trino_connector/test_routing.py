"""Routing groups, rules, health checks and load: Lakegates stand in for the Trino clusters."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from connectors.base import ConnectorError, RoutingHints
from connectors.trino import RoutingRule, TrinoCluster, TrinoConnector
from connectors.trino.health import HealthMonitor, State
from connectors.trino.routing import Router
from tests.trino_connector.conftest import Lakegate, cluster_spec, run
from tests.trino_connector.standin import StandIn, wait_for


def marker() -> str:
    return f"m-{uuid.uuid4().hex[:12]}"


def test_trino_connector_against_lakegates_standing_in_for_trino_skips_a_stopped_cluster(
    make_standin: Callable[..., StandIn], make_lakegate: Callable[..., Lakegate]
) -> None:
    up, down = make_standin("up"), make_standin("down")
    lakegate = make_lakegate([cluster_spec(up), cluster_spec(down)])
    assert lakegate.engine_health()["detail"] == "adhoc: up HEALTHY, down HEALTHY"
    down.stop()
    # At once (before the next health check): a refused connection means the query was never
    # submitted, so it goes to the other cluster of the group.
    marks = [marker() for _ in range(4)]
    for mark in marks:
        assert lakegate.query(f"SELECT '{mark}' AS m FROM remote.s.typed LIMIT 1").num_rows == 1
    assert all(len(up.queries_with(mark)) == 1 for mark in marks)
    assert not any(down.queries_with(mark) for mark in marks)
    health = lakegate.engine_health()
    assert health["healthy"] is True  # the group still has a healthy cluster
    assert "down UNHEALTHY" in health["detail"]


def test_trino_connector_against_lakegates_standing_in_for_trino_spreads_queries_over_a_group(
    make_standin: Callable[..., StandIn], make_lakegate: Callable[..., Lakegate]
) -> None:
    one, two = make_standin("one"), make_standin("two")
    lakegate = make_lakegate([cluster_spec(one), cluster_spec(two)])
    marks = [marker() for _ in range(4)]
    for mark in marks:  # many pages each
        assert lakegate.query(f"SELECT x, '{mark}' AS m FROM remote.s.big").num_rows == 200_000
    # Equal load (no query running): the cluster picked longest ago gets the next one.
    assert sum(bool(one.queries_with(m)) for m in marks) == 2
    assert sum(bool(two.queries_with(m)) for m in marks) == 2
    # Sticky: every page of a query was asked of the cluster that runs it.
    for standin in (one, two):
        own = {q.id for q in standin.queries()}
        paged = {path.split("/")[4] for method, path, _ in standin.recorder.requests if method == "GET"}
        assert paged
        assert paged <= own


def test_trino_connector_against_lakegates_standing_in_for_trino_routes_by_rule_and_request(
    make_standin: Callable[..., StandIn], make_connector: Callable[..., TrinoConnector]
) -> None:
    adhoc, etl = make_standin("adhoc1"), make_standin("etl1")
    routing = {
        "default_group": "adhoc",
        "rules": [
            {"group": "etl", "users": ["etl_bot"]},
            {"group": "etl", "client_tags": ["nightly"], "sources": ["airflow"]},
        ],
    }
    connector = make_connector([cluster_spec(adhoc), cluster_spec(etl, group="etl")], routing=routing)

    def ran_on(**hints: object) -> list[str]:
        mark = marker()
        run(connector, f"SELECT '{mark}' AS m FROM lake.s.typed LIMIT 1", **hints)
        return [s.name for s in (adhoc, etl) if s.queries_with(mark)]

    assert ran_on(user="etl_bot") == ["etl1"]
    assert ran_on(user="alice") == ["adhoc1"]
    assert ran_on(user="alice", source="airflow", client_tags=("nightly",)) == ["etl1"]
    assert ran_on(user="alice", source="airflow") == ["adhoc1"]  # every criterion must match
    # X-Trino-Routing-Group overrides the rules.
    assert ran_on(user="alice", routing_group="etl") == ["etl1"]
    assert ran_on(user="etl_bot", routing_group="adhoc") == ["adhoc1"]
    with pytest.raises(ConnectorError) as caught:
        run(connector, "SELECT 1 AS one FROM lake.s.typed", user="alice", routing_group="gpu")
    assert caught.value.kind == "user"
    assert "routing group 'gpu' does not exist" in caught.value.message


def test_trino_connector_against_lakegates_standing_in_for_trino_routes_by_catalog(
    make_standin: Callable[..., StandIn], make_lakegate: Callable[..., Lakegate]
) -> None:
    adhoc, etl = make_standin("adhoc2"), make_standin("etl2")
    catalogs = {
        "remote": {"connector": "trino", "catalog": "lake"},
        "warehouse": {"connector": "trino", "catalog": "mart"},
    }
    routing = {"rules": [{"group": "etl", "catalogs": ["warehouse"]}]}
    lakegate = make_lakegate(
        [cluster_spec(adhoc), cluster_spec(etl, group="etl")], catalogs=catalogs, routing=routing
    )
    first, second = marker(), marker()
    lakegate.query(f"SELECT '{first}' AS m FROM warehouse.s.typed LIMIT 1")
    lakegate.query(f"SELECT '{second}' AS m FROM remote.s.typed LIMIT 1")
    assert etl.queries_with(first)
    assert not adhoc.queries_with(first)
    assert adhoc.queries_with(second)
    assert not etl.queries_with(second)


def test_trino_connector_against_a_lakegate_standing_in_for_trino_refuses_when_no_cluster_is_healthy(
    make_standin: Callable[..., StandIn], make_lakegate: Callable[..., Lakegate]
) -> None:
    only = make_standin("only")
    lakegate = make_lakegate([cluster_spec(only)])
    only.stop()
    wait_for(lambda: "only UNHEALTHY" in lakegate.engine_health()["detail"], what="the health check")
    status, problem = lakegate.problem("SELECT id FROM remote.s.typed")
    assert (status, problem["code"]) == (503, "ENGINE_UNAVAILABLE")
    assert problem["detail"] == "no healthy Trino cluster in routing group adhoc"
    assert lakegate.engine_health()["healthy"] is False


# -- the rules themselves -------------------------------------------------------------------


def test_routing_rules_match_on_every_criterion_and_the_first_match_wins() -> None:
    clusters = [
        TrinoCluster("a", "http://127.0.0.1:1", group="adhoc"),
        TrinoCluster("b", "http://127.0.0.1:2", group="etl"),
        TrinoCluster("c", "http://127.0.0.1:3", group="bi"),
    ]
    rules = [
        RoutingRule("etl", users=frozenset({"etl_bot"})),
        RoutingRule("bi", groups=frozenset({"analysts"}), client_tags=frozenset({"dashboard"})),
        RoutingRule("etl", catalogs=frozenset({"warehouse"})),
        RoutingRule("bi", sources=frozenset({"superset"})),
    ]
    router = Router(clusters, HealthMonitor(clusters, 0), rules)
    assert router.group_for(RoutingHints(user="etl_bot", source="superset")) == "etl"
    assert (
        router.group_for(RoutingHints(user="ann", groups=("analysts",), client_tags=("dashboard",))) == "bi"
    )
    assert router.group_for(RoutingHints(user="ann", groups=("analysts",))) == "adhoc"
    assert router.group_for(RoutingHints(user="ann"), frozenset({"warehouse"})) == "etl"
    assert router.group_for(RoutingHints(user="ann", source="superset")) == "bi"
    assert router.group_for(RoutingHints()) == "adhoc"
    assert router.group_for(RoutingHints(user="etl_bot", routing_group="bi")) == "bi"


def test_routing_refuses_a_group_without_clusters_and_picks_only_healthy_ones() -> None:
    clusters = [TrinoCluster("a", "http://127.0.0.1:9", group="adhoc")]
    monitor = HealthMonitor(clusters, 0)
    with pytest.raises(ValueError, match="routing group 'etl' has no Trino cluster"):
        Router(clusters, monitor, [RoutingRule("etl")])
    router = Router(clusters, monitor)
    assert monitor.status(clusters[0]).state is State.PENDING
    with pytest.raises(ConnectorError, match="no healthy Trino cluster in routing group adhoc") as caught:
        router.pick("adhoc")  # checks it on demand: nothing listens on port 9
    assert caught.value.kind == "unavailable"
    assert monitor.status(clusters[0]).state is State.UNHEALTHY
