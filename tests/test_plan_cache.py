"""The plan cache never answers with a plan made for other policies, metadata or users: a policy
change, a reload, a new column, another user (or other groups, another session) plans afresh."""

from __future__ import annotations

import dataclasses
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from catalog.metadata import MetadataSnapshot
from connectors.registry import ConnectorRegistry
from gateway.app import create_app
from gateway.config import parse_config
from gateway.connector_factory import build_connectors
from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext, QueryRequest
from gateway.planner.pipeline import PASSES, Planner
from gateway.reload import reload
from gateway.service import Gateway, build_authorizer
from tests.conftest import demo_config

POLICIES = """
service_name: lakegate
policies:
  - id: 1
    name: sales
    resources: {catalog: crm, schema: main, table: "*", column: "*"}
    policy_items: [{users: [ada, bob], accesses: [select]}]
  - id: 2
    name: bob sees the EU
    policy_type: rowfilter
    resources: {catalog: crm, schema: main, table: customers}
    row_filter_policy_items: [{users: [bob], accesses: [select], filter: "region = 'EU'"}]
"""
MASKED = """
  - id: 3
    name: no names for ada
    policy_type: datamask
    resources: {catalog: crm, schema: main, table: customers, column: name}
    data_mask_policy_items: [{users: [ada], accesses: [select], mask: MASK_NULL}]
"""
DENIED = """
  - id: 4
    name: no customers for ada
    resources: {catalog: crm, schema: main, table: customers, column: "*"}
    deny_policy_items: [{users: [ada], accesses: [select]}]
"""
NAMES = "SELECT name FROM crm.main.customers"


def add_column(database: Path, name: str) -> None:
    with sqlite3.connect(database) as db:
        db.execute(f"ALTER TABLE customers ADD COLUMN {name} TEXT")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    with sqlite3.connect(tmp_path / "crm.sqlite") as db:
        db.execute("CREATE TABLE customers (id INTEGER, name TEXT, region TEXT)")
        db.execute("INSERT INTO customers VALUES (1, 'Ada', 'EU'), (2, 'Bo', 'US')")
    (tmp_path / "policies.yaml").write_text(POLICIES)
    raw = {
        "server": {"dev_mode": True},
        "catalogs": {"crm": {"connector": "sqlite", "path": "crm.sqlite"}},
        "policies": {"file": "policies.yaml", "admins": {"users": ["root"]}},
        "catalog": {"refresh_seconds": 0},
        "audit": {"store": "sqlite", "path": str(tmp_path / "audit.sqlite")},
    }
    application = create_app(parse_config(raw, tmp_path / "lakegate.yaml"))
    try:
        yield application
    finally:
        application.state.gateway.close()


def _gateway(app: FastAPI) -> Gateway:
    gateway: Gateway = app.state.gateway
    return gateway


def _sql(gateway: Gateway, request: QueryRequest) -> str:
    plan = gateway.plan(request)
    assert plan.engine_sql is not None
    return plan.engine_sql


def test_a_policy_change_and_reload_never_answer_from_the_cache(app: FastAPI, tmp_path: Path) -> None:
    gateway = _gateway(app)
    ada = QueryRequest(NAMES, user="ada")
    plain = gateway.plan(ada)
    assert gateway.planner.lookup(ada) is plain
    assert "NULL" not in (plain.engine_sql or "")

    (tmp_path / "policies.yaml").write_text(POLICIES + MASKED)
    assert reload(app).policies == "ok"
    assert gateway.planner.lookup(ada) is None
    assert "NULL" in _sql(gateway, ada)  # masked now

    (tmp_path / "policies.yaml").write_text(POLICIES + DENIED)
    assert reload(app).policies == "ok"
    assert gateway.planner.lookup(ada) is None
    with pytest.raises(LakegateError) as denied:
        gateway.plan(ada)
    assert denied.value.code is ErrorCode.ACCESS_DENIED

    (tmp_path / "policies.yaml").write_text(POLICIES)  # back as they were: the same policies
    assert reload(app).policies == "ok"
    assert "NULL" not in _sql(gateway, ada)


def test_a_reload_that_changed_nothing_keeps_the_plans(app: FastAPI) -> None:
    gateway = _gateway(app)
    ada = QueryRequest(NAMES, user="ada")
    plan = gateway.plan(ada)
    assert reload(app).policies == "unchanged"
    assert gateway.planner.lookup(ada) is plan


def test_another_user_or_other_groups_never_get_the_plan_of_another(app: FastAPI) -> None:
    gateway = _gateway(app)
    ada = QueryRequest(NAMES, user="ada")
    bob = dataclasses.replace(ada, user="bob")
    ada_sql = _sql(gateway, ada)
    assert gateway.planner.lookup(bob) is None
    bob_sql = _sql(gateway, bob)
    assert "'EU'" in bob_sql  # bob's row filter ...
    assert "'EU'" not in ada_sql  # ... not in ada's plan, and not ada's plan for bob
    assert gateway.planner.lookup(dataclasses.replace(ada, groups=("analysts",))) is None
    assert gateway.planner.lookup(dataclasses.replace(ada, time_zone="Europe/Paris")) is None
    with pytest.raises(LakegateError) as refused:
        gateway.plan(dataclasses.replace(ada, user="eve"))  # no policy for eve
    assert refused.value.code is ErrorCode.ACCESS_DENIED


def test_a_new_column_is_planned_after_the_refresh_that_found_it(app: FastAPI, tmp_path: Path) -> None:
    gateway = _gateway(app)
    star = QueryRequest("SELECT * FROM crm.main.customers", user="ada")
    assert "email" not in _sql(gateway, star)
    add_column(tmp_path / "crm.sqlite", "email")
    gateway.refresh_catalog()
    assert gateway.planner.lookup(star) is None
    assert "email" in _sql(gateway, star)


def test_every_field_of_the_request_is_in_the_key(app: FastAPI) -> None:
    planner = _gateway(app).planner
    base = QueryRequest(NAMES, "lake", "sales", "trino", "ada", ("analysts",), "UTC")
    changed: dict[str, Any] = {
        "sql": NAMES + " ",
        "catalog": "other",
        "schema": "other",
        "dialect": "duckdb",
        "user": "bob",
        "groups": ("analysts", "admins"),
        "time_zone": "Europe/Paris",
    }
    names = {field.name for field in dataclasses.fields(QueryRequest)}
    assert names == set(changed), "a new QueryRequest field needs a line here"
    key = planner.cache_key(base)
    for name, value in changed.items():
        assert planner.cache_key(dataclasses.replace(base, **{name: value})) != key, name


def test_a_plan_made_while_the_policies_changed_is_not_kept(app: FastAPI) -> None:
    gateway = _gateway(app)
    authorizer = gateway.authorizer
    assert authorizer is not None

    def policies_change(ctx: QueryContext) -> QueryContext:
        authorizer.set_catalog_tags({}, "during")  # e.g. a tag sync racing the query
        return ctx

    racing = Planner(
        gateway.connectors,
        gateway.snapshot,
        max_sql_bytes=100_000,
        authorizer=authorizer,
        passes=(*PASSES[:3], policies_change, *PASSES[3:]),
    )
    ada = QueryRequest(NAMES, user="ada")
    authorizer.set_catalog_tags({}, "before")
    racing.plan(ada)
    assert racing.lookup(ada) is None
    authorizer.set_catalog_tags({}, "before")
    assert racing.lookup(ada) is None  # not stored under the key it was started with either


def test_plans_made_at_once_on_many_threads_do_not_disturb_each_other(demo_dir: Path) -> None:
    """Uncached planning on many threads at once (a cache miss storm: a dashboard's first load,
    the cache off): sqlglot's schema caches a query's own table nodes, which its planning goes
    on to rewrite, so a schema shared between threads refused valid queries now and then."""
    config = demo_config(demo_dir)
    registry = ConnectorRegistry(build_connectors(config))
    planner = Planner(
        registry,
        MetadataSnapshot(registry.catalogs()),
        max_sql_bytes=100_000,
        authorizer=build_authorizer(config),
        cache_size=0,
    )
    failures: list[str] = []

    def plan_many(offset: int) -> None:
        for n in range(60):
            sql = f"SELECT n_name, n_regionkey FROM tpch.tiny.nation WHERE n_nationkey = {offset + n}"
            try:
                planner.plan(QueryRequest(sql, user="ada"))
            except LakegateError as exc:
                failures.append(exc.detail)

    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns often, as on a busy server
    try:
        threads = [threading.Thread(target=plan_many, args=(i * 1000,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switching)
        registry.close()
    assert failures == []
