"""The closed world: only CTEs in scope and tables the planner mapped reach the engine (both doors).

Finding 1 of the bypass report: a recursive CTE naming itself in its first branch was bound by
sqlglot to the CTE and by the engine to the outside object of that name (a system table, a file),
so it escaped every check. Each attack runs through the native API and the Trino door (the real
`trino` client), as eve, who may read nothing, and must be refused without naming engine objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trino

from gateway.planner.context import QueryRequest
from gateway.planner.pipeline import Planner
from tests.server import LiveServer
from tests.trino.conftest import real_trino_client

RECURSIVE_SELF = (
    "WITH RECURSIVE {name} AS (SELECT * FROM {name} UNION ALL SELECT * FROM {name} WHERE false) "
    "SELECT * FROM {name}"
)


def attacks(demo_dir: Path) -> list[str]:
    customer_file = demo_dir / "tpch" / "tiny" / "customer.parquet"
    assert customer_file.is_file()
    return [
        RECURSIVE_SELF.format(name="duckdb_tables"),
        RECURSIVE_SELF.format(name="duckdb_tables") + " ORDER BY 1",
        RECURSIVE_SELF.format(name="duckdb_settings"),
        RECURSIVE_SELF.format(name="information_schema.tables").replace(
            "WITH RECURSIVE information_schema.tables", "WITH RECURSIVE x"
        ),
        RECURSIVE_SELF.format(name='"policies.json"'),
        RECURSIVE_SELF.format(name='"users.yaml"'),
        RECURSIVE_SELF.format(name='"tpch/tiny/customer.parquet"'),
        RECURSIVE_SELF.format(name=f'"{customer_file}"'),
        # the anchor hidden one level down, or in a nested UNION
        "WITH RECURSIVE t AS ((SELECT * FROM t) UNION ALL SELECT * FROM t WHERE false) SELECT * FROM t",
        "WITH RECURSIVE duckdb_tables AS (SELECT * FROM duckdb_tables UNION ALL SELECT * FROM duckdb_tables "
        "UNION ALL SELECT * FROM duckdb_tables WHERE false) SELECT count(*) FROM duckdb_tables",
        "WITH RECURSIVE a AS (SELECT * FROM (SELECT * FROM duckdb_tables) AS s UNION ALL "
        "SELECT * FROM a WHERE false), duckdb_tables AS (SELECT 1 AS x) SELECT count(*) FROM a",
        # a CTE named before it is defined
        "WITH a AS (SELECT * FROM duckdb_columns), duckdb_columns AS (SELECT 1 AS x) SELECT * FROM a",
        # table functions and paths in every spelling
        "SELECT * FROM duckdb_tables()",
        "SELECT * FROM TABLE(duckdb_tables())",
        f"SELECT * FROM '{customer_file}'",
        f'SELECT * FROM "{customer_file}"',
        "SELECT * FROM crm.main.customers PIVOT (count(*) FOR region IN ('EMEA'))",
    ]


# The closed world answers an attack with a refusal, or with "no such object": a name that is no
# CTE in scope is a table to resolve in the catalogs, where paths and engine objects do not exist.
REFUSALS = {
    "NOT_SUPPORTED",
    "FUNCTION_NOT_ALLOWED",
    "ACCESS_DENIED",
    "CATALOG_NOT_FOUND",
    "SCHEMA_NOT_FOUND",
    "TABLE_NOT_FOUND",
}


@pytest.fixture(scope="module")
def native(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def assert_refused_cleanly(status: int, text: str) -> None:
    assert 400 <= status < 500, (status, text)
    lowered = text.lower()
    for leak in ("lg_", "traceback", "scrypt", "c_custkey", "database_oid", "policyitems"):
        assert leak not in lowered, (leak, text)


@pytest.mark.parametrize("index", range(17))
@pytest.mark.parametrize("user", ["eve", "ada"])
def test_attacks_on_the_closed_world_are_refused_by_the_native_api(
    native: httpx.Client, demo_dir: Path, index: int, user: str
) -> None:
    sql = attacks(demo_dir)[index]
    for catalog, schema in ((None, None), ("tpch", "tiny")):
        body: dict[str, Any] = {"sql": sql, "catalog": catalog, "schema": schema}
        response = native.post("/v1/query", json=body, headers={"X-Lakegate-User": user})
        assert response.headers["content-type"] == "application/problem+json", response.text[:300]
        assert_refused_cleanly(response.status_code, response.text)
        assert response.json()["code"] in REFUSALS


@pytest.mark.parametrize("index", range(17))
def test_attacks_on_the_closed_world_are_refused_by_the_trino_door(
    server: LiveServer, demo_dir: Path, index: int
) -> None:
    sql = attacks(demo_dir)[index]
    connection = real_trino_client(server.url, "eve")
    try:
        with pytest.raises(trino.exceptions.TrinoUserError) as raised:
            connection.cursor().execute(sql).fetchall()
    finally:
        connection.close()
    assert raised.value.error_name in {"NOT_SUPPORTED", "PERMISSION_DENIED", *REFUSALS}, raised.value
    assert "lg_" not in raised.value.message


def test_the_attack_list_is_what_the_tests_count(demo_dir: Path) -> None:
    assert len(attacks(demo_dir)) == 17


def test_a_recursive_cte_still_recurses(native: httpx.Client) -> None:
    sql = "WITH RECURSIVE t(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM t WHERE x < 5) SELECT sum(x) AS s FROM t"
    response = native.post(
        "/v1/query", json={"sql": sql}, headers={"X-Lakegate-User": "eve", "Accept": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == [["15"]] or response.json()["data"] == [[15]]


def test_a_plain_cte_may_read_the_table_it_shadows_through_its_policies(native: httpx.Client) -> None:
    sql = "WITH customers AS (SELECT region FROM customers) SELECT DISTINCT region FROM customers"
    body = {"sql": sql, "catalog": "crm", "schema": "main"}
    response = native.post(
        "/v1/query", json=body, headers={"X-Lakegate-User": "sam", "Accept": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == [["EMEA"]]


def test_ctes_see_earlier_ctes_and_outer_ones(native: httpx.Client) -> None:
    sql = (
        "WITH a AS (SELECT n_nationkey FROM tpch.tiny.nation), b AS (SELECT * FROM a) "
        "SELECT (SELECT count(*) FROM b) AS n, (WITH c AS (SELECT * FROM b) SELECT count(*) FROM c) AS m"
    )
    response = native.post(
        "/v1/query", json={"sql": sql}, headers={"X-Lakegate-User": "ada", "Accept": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == [[25, 25]]


def test_the_final_check_refuses_a_relation_no_pass_mapped(planner: Planner) -> None:
    from gateway.errors import ErrorCode, LakegateError
    from gateway.planner.passes.map_catalogs import map_catalogs

    def smuggle(ctx: Any) -> Any:
        ctx = map_catalogs(ctx)
        assert ctx.tree is not None
        from sqlglot import exp

        ctx.tree.find(exp.From).set("this", exp.to_table("duckdb_tables"))
        return ctx

    passes = tuple(smuggle if p is map_catalogs else p for p in planner.passes)
    smuggling = Planner(planner.connectors, planner.snapshot, max_sql_bytes=10_000, passes=passes)
    with pytest.raises(LakegateError) as raised:
        smuggling.plan(QueryRequest("SELECT n_name FROM nation", "tpch", "tiny"))
    assert raised.value.code is ErrorCode.NOT_SUPPORTED


@pytest.fixture(scope="module")
def planner(demo_dir: Path) -> Iterator[Planner]:
    from catalog.metadata import MetadataSnapshot
    from connectors.registry import ConnectorRegistry
    from gateway.connector_factory import build_connectors
    from tests.conftest import demo_config

    registry = ConnectorRegistry(build_connectors(demo_config(demo_dir)))
    yield Planner(registry, MetadataSnapshot(registry.catalogs()), max_sql_bytes=10_000)
    registry.close()


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("WITH a AS (SELECT 1) SELECT * FROM a", [("a", True, False)]),
        ("WITH a AS (SELECT * FROM a) SELECT * FROM a", [("a", False, True), ("a", True, False)]),
        (
            "WITH RECURSIVE r AS (SELECT * FROM r UNION ALL SELECT * FROM r) SELECT * FROM r",
            [("r", False, True), ("r", True, False), ("r", True, False)],
        ),
        (
            "WITH RECURSIVE r AS (SELECT 1 UNION ALL SELECT * FROM r UNION ALL SELECT * FROM r) SELECT 1",
            [("r", False, True), ("r", True, False)],
        ),
        (
            "WITH a AS (SELECT * FROM b), b AS (SELECT * FROM a) SELECT 1",
            [("b", False, True), ("a", True, False)],
        ),
        ('WITH "A" AS (SELECT 1) SELECT * FROM a', [("a", True, False)]),
        (
            "SELECT * FROM (WITH a AS (SELECT 1) SELECT * FROM a) AS s, a",
            [("a", True, False), ("a", False, True)],
        ),
        ("SELECT * FROM x.y.z", [("z", False, False)]),
    ],
)
def test_relations_tell_ctes_in_scope_from_stored_tables(
    sql: str, expected: list[tuple[str, bool, bool]]
) -> None:
    import sqlglot

    from gateway.planner.relations import relations

    found = relations(sqlglot.parse_one(sql, read="trino"))
    got = sorted((r.table.name.lower(), r.is_cte, r.shadows_cte) for r in found)
    assert got == sorted(expected)
