"""Apache Superset 6.1 against a live Lakegate, through Superset's own REST API.

Superset runs in its own virtual environment (``.superset-venv/``, see superset_env.py) and talks
to Lakegate the way it talks to Trino: SQLAlchemy URI ``trino://ada:...@127.0.0.1:PORT/tpch``,
the real ``trino`` client, HTTP Basic over HTTPS (the client refuses passwords over plain http),
with Lakegate's self-signed certificate passed as ``connect_args.verify``. The test adds the
database (Superset tests the connection itself), browses catalogs, schemas and tables, runs SQL
Lab queries, creates a dataset and asks for chart data, and checks the rows, including that
ada's masks still apply to what Superset shows.

Slow (the first run installs Superset, about a minute; setting it up takes another ~40 s) and
needs the PyPI registry, so it runs only with ``LAKEGATE_E2E_SUPERSET=1``::

    LAKEGATE_E2E_SUPERSET=1 .venv/bin/pytest -q tests/e2e -m superset
"""

from __future__ import annotations

import json
import os
import secrets
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from gateway.app import create_app
from gateway.cli import tls_options
from gateway.config import parse_config
from tests.e2e.superset_env import ADMIN_PASSWORD, ADMIN_USER, Superset, ensure_venv
from tests.server import LiveServer
from tests.tls import self_signed

ENABLED = os.environ.get("LAKEGATE_E2E_SUPERSET") == "1"

pytestmark = [
    pytest.mark.superset,
    pytest.mark.skipif(
        not ENABLED,
        reason="end-to-end test with Apache Superset (installs it, slow): set LAKEGATE_E2E_SUPERSET=1",
    ),
    # installing Superset, then db upgrade + init, all happen in the first test's setup
    pytest.mark.timeout(1800),
]

USER, PASSWORD = "ada", "ada-demo-pw"
ORDERS_AT_TINY_SCALE = 15000
PRIORITIES = {"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"}


# --- Lakegate ---------------------------------------------------------------------------------


class Lakegate:
    def __init__(self, live: LiveServer, cert: Path) -> None:
        self.live = live
        self.cert = cert
        self.port = int(live.url.rsplit(":", 1)[1])

    def query(self, sql: str, user: str, password: str) -> list[dict[str, Any]]:
        """Rows from Lakegate's own API (not through Superset), as dicts."""
        response = httpx.post(
            f"{self.live.url}/v1/query",
            json={"sql": sql},
            auth=(user, password),
            headers={"Accept": "application/json"},
            verify=ssl.create_default_context(cafile=str(self.cert)),
            timeout=60,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        names = [column["name"] for column in body["columns"]]
        return [dict(zip(names, row, strict=True)) for row in body["data"]]


@pytest.fixture(scope="module")
def lakegate(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lakegate]:
    """The demo over HTTPS with its real users (no development mode)."""
    cert, key = self_signed(tmp_path_factory.mktemp("tls"))
    raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
    raw["server"]["tls"] = {"certfile": str(cert), "keyfile": str(key)}
    config = parse_config(raw, demo_dir / "lakegate.yaml")
    with LiveServer(create_app(config), **tls_options(config)) as live:
        assert live.url.startswith("https://127.0.0.1:")
        yield Lakegate(live, cert)


# --- Superset ---------------------------------------------------------------------------------


def rison(value: Any) -> str:
    """Rison for the small dicts Superset's list endpoints take in ``?q=``."""
    if isinstance(value, bool):
        return "!t" if value else "!f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("!", "!!").replace("'", "!'") + "'"
    if isinstance(value, dict):
        return "(" + ",".join(f"{key}:{rison(item)}" for key, item in value.items()) + ")"
    if isinstance(value, list | tuple):
        return "!(" + ",".join(rison(item) for item in value) + ")"
    raise TypeError(f"no rison for {value!r}")


class SupersetAPI:
    """Superset's REST API as a browser-less client: bearer token, CSRF token and session cookie."""

    def __init__(self, server: Superset) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.url, timeout=180)
        login = self.http.post(
            "/api/v1/security/login",
            json={"username": ADMIN_USER, "password": ADMIN_PASSWORD, "provider": "db", "refresh": True},
        )
        assert login.status_code == 200, login.text
        self.http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        # Bearer alone is refused on POST ("The CSRF token is missing"): the token goes with the
        # session cookie that comes with it, which the client keeps.
        csrf = self.http.get("/api/v1/security/csrf_token/")
        assert csrf.status_code == 200, csrf.text
        self.http.headers["X-CSRFToken"] = csrf.json()["result"]
        self.http.headers["Referer"] = server.url

    def close(self) -> None:
        self.http.close()

    def call(self, method: str, path: str, *, expect: int = 200, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        if response.status_code != expect:
            pytest.fail(
                f"{method} {path} answered {response.status_code}, not {expect}:\n{response.text[:4000]}\n"
                f"--- superset run's log ---\n{self.server.log_tail()}"
            )
        return response.json()

    def get(self, path: str, q: dict[str, Any] | None = None, **params: Any) -> Any:
        if q is not None:
            params["q"] = rison(q)
        return self.call("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any], expect: int = 200) -> Any:
        return self.call("POST", path, json=body, expect=expect)

    def sql_lab(
        self, database_id: int, sql: str, catalog: str = "tpch", schema: str = "tiny", limit: int = 1000
    ) -> Any:
        """Run SQL synchronously in SQL Lab, as the SQL Lab page does with async off.

        ``limit`` is the page's row-limit dropdown. Superset replaces the statement's own LIMIT with
        dropdown + 1 (to tell whether there were more rows); Superset 6.1 under ``superset run``
        does so even when the statement's LIMIT is smaller (the smaller limit it computes is not
        committed before the query row is loaded again), so a test that wants n rows sets both.
        """
        result = self.post(
            "/api/v1/sqllab/execute/",
            {
                "database_id": database_id,
                "sql": sql,
                "catalog": catalog,
                "schema": schema,
                "runAsync": False,
                "select_as_cta": False,
                "ctas_method": "TABLE",
                "queryLimit": limit,
                "tab": "lakegate e2e",
                "client_id": secrets.token_hex(5),
                "expand_data": True,
            },
        )
        assert result["status"] == "success", result
        return result


@pytest.fixture(scope="module")
def superset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Superset]:
    started = time.monotonic()
    cli, install_seconds = ensure_venv()
    with Superset(tmp_path_factory.mktemp("superset"), cli) as server:
        server.timings["install"] = install_seconds
        server.timings["ready (install + setup + start)"] = time.monotonic() - started
        yield server


@pytest.fixture(scope="module")
def api(superset: Superset) -> Iterator[SupersetAPI]:
    client = SupersetAPI(superset)
    yield client
    client.close()


@pytest.fixture(scope="module")
def database_id(api: SupersetAPI, lakegate: Lakegate) -> int:
    """Lakegate added to Superset as a trino:// database; Superset tests the connection first."""
    uri = f"trino://{USER}:{PASSWORD}@127.0.0.1:{lakegate.port}/tpch"
    extra = {
        "engine_params": {"connect_args": {"verify": str(lakegate.cert), "http_scheme": "https"}},
        "allow_multi_catalog": True,
    }
    api.post(
        "/api/v1/database/test_connection/",
        {"database_name": "Lakegate", "sqlalchemy_uri": uri, "extra": json.dumps(extra)},
    )
    created = api.post(
        "/api/v1/database/",
        {
            "database_name": "Lakegate",
            "sqlalchemy_uri": uri,
            "extra": json.dumps(extra),
            "expose_in_sqllab": True,
        },
        expect=201,
    )
    return int(created["id"])


# --- the tests --------------------------------------------------------------------------------


def test_database_is_a_trino_connection(api: SupersetAPI, database_id: int) -> None:
    database = api.get(f"/api/v1/database/{database_id}")["result"]
    assert database["backend"] == "trino"
    assert database["database_name"] == "Lakegate"


def test_catalogs_schemas_and_tables(api: SupersetAPI, database_id: int) -> None:
    base = f"/api/v1/database/{database_id}"
    catalogs = api.get(f"{base}/catalogs/", q={"force": True})["result"]
    assert {"tpch", "lake", "crm"} <= set(catalogs), catalogs

    schemas = api.get(f"{base}/schemas/", q={"catalog": "tpch", "force": True})["result"]
    assert "tiny" in schemas, schemas
    lake_schemas = api.get(f"{base}/schemas/", q={"catalog": "lake", "force": True})["result"]
    assert "shipping" in lake_schemas, lake_schemas

    tpch_tables = api.get(f"{base}/tables/", q={"catalog_name": "tpch", "schema_name": "tiny", "force": True})
    names = {table["value"] for table in tpch_tables["result"]}
    assert {"nation", "region", "orders", "lineitem", "customer"} <= names, tpch_tables
    lake_tables = api.get(
        f"{base}/tables/", q={"catalog_name": "lake", "schema_name": "shipping", "force": True}
    )
    assert "vessels" in {table["value"] for table in lake_tables["result"]}, lake_tables

    metadata = api.get(f"{base}/table_metadata/", name="nation", schema="tiny", catalog="tpch")
    columns = {column["name"]: column["type"].upper() for column in metadata["columns"]}
    assert {"n_nationkey", "n_name", "n_regionkey", "n_comment"} <= set(columns), metadata


def test_sql_lab_query(api: SupersetAPI, database_id: int) -> None:
    result = api.sql_lab(database_id, "SELECT n_name FROM tpch.tiny.nation ORDER BY n_name LIMIT 5", limit=5)
    assert result["query"]["executedSql"].split()[-2:] == ["LIMIT", "6"]  # what Lakegate was sent
    assert [row["n_name"] for row in result["data"]] == ["ALGERIA", "ARGENTINA", "BRAZIL", "CANADA", "CHINA"]
    assert [column["column_name"] for column in result["columns"]] == ["n_name"]


def test_sql_lab_on_the_lake(api: SupersetAPI, database_id: int) -> None:
    result = api.sql_lab(
        database_id, "SELECT count(*) AS vessels FROM vessels", catalog="lake", schema="shipping"
    )
    assert len(result["data"]) == 1
    assert result["data"][0]["vessels"] > 0


def test_masks_hold_through_superset(api: SupersetAPI, database_id: int, lakegate: Lakegate) -> None:
    """Superset connects as ada, so it gets ada's masked e-mails: the policies hold through it."""
    sql = "SELECT customer_id, email FROM crm.main.customers ORDER BY customer_id LIMIT 20"
    through_superset = api.sql_lab(database_id, sql, limit=20)["data"]
    assert len(through_superset) == 20
    emails = [row["email"] for row in through_superset]
    assert not any("@" in email for email in emails), emails
    # the same rows Lakegate gives ada directly, and the unmasked originals do have an '@'
    assert through_superset == lakegate.query(sql, USER, PASSWORD)
    originals = lakegate.query(sql, "root", "root-demo-pw")
    assert all("@" in row["email"] for row in originals)
    for masked, original in zip(through_superset, originals, strict=True):
        assert masked["email"] != original["email"]
        assert masked["email"][-4:] == original["email"][-4:]  # MASK_SHOW_LAST_4


@pytest.fixture(scope="module")
def orders_dataset(api: SupersetAPI, database_id: int) -> int:
    created = api.post(
        "/api/v1/dataset/",
        {"database": database_id, "catalog": "tpch", "schema": "tiny", "table_name": "orders"},
        expect=201,
    )
    return int(created["id"])


def chart_data(api: SupersetAPI, dataset: int, query: dict[str, Any]) -> list[dict[str, Any]]:
    body = {
        "datasource": {"id": dataset, "type": "table"},
        "force": True,
        "queries": [{"row_limit": 1000, "filters": [], "extras": {"having": "", "where": ""}, **query}],
        "result_format": "json",
        "result_type": "full",
    }
    result = api.post("/api/v1/chart/data", body)["result"]
    assert len(result) == 1
    assert result[0]["status"] == "success", result[0]
    rows: list[dict[str, Any]] = result[0]["data"]
    return rows


COUNT = {"expressionType": "SQL", "sqlExpression": "COUNT(*)", "label": "orders"}


def test_dataset_columns(api: SupersetAPI, orders_dataset: int) -> None:
    dataset = api.get(f"/api/v1/dataset/{orders_dataset}")["result"]
    columns = {column["column_name"]: column for column in dataset["columns"]}
    assert {"o_orderkey", "o_orderpriority", "o_orderdate", "o_totalprice"} <= set(columns)
    assert columns["o_orderdate"]["is_dttm"]


def test_chart_count_by_priority(api: SupersetAPI, orders_dataset: int) -> None:
    rows = chart_data(
        api,
        orders_dataset,
        {"columns": ["o_orderpriority"], "metrics": [COUNT], "orderby": [[COUNT, False]]},
    )
    assert {row["o_orderpriority"] for row in rows} == PRIORITIES
    counts = [row["orders"] for row in rows]
    assert sum(counts) == ORDERS_AT_TINY_SCALE
    assert counts == sorted(counts, reverse=True)


def test_chart_time_series_by_year(api: SupersetAPI, orders_dataset: int) -> None:
    """A time-series chart: the date column as the x axis with a year grain and a time range."""
    axis = {
        "columnType": "BASE_AXIS",
        "expressionType": "SQL",
        "sqlExpression": "o_orderdate",
        "label": "o_orderdate",
        "timeGrain": "P1Y",
    }
    rows = chart_data(
        api,
        orders_dataset,
        {
            "columns": [axis],
            "metrics": [COUNT],
            "orderby": [[COUNT, False]],
            "filters": [{"col": "o_orderdate", "op": "TEMPORAL_RANGE", "val": "1990-01-01 : 2000-01-01"}],
        },
    )
    assert len(rows) == 7  # TPC-H order dates span 1992 to 1998
    assert sum(row["orders"] for row in rows) == ORDERS_AT_TINY_SCALE


# --- a dataset ada defined in Lakegate, charted in Superset ------------------------------------

URGENT = "1-URGENT"


@pytest.fixture(scope="module")
def ada_datasets(lakegate: Lakegate) -> dict[str, int]:
    """ada defines a view and materialises a table in her workspace schema, through Lakegate's
    own API (as from a notebook); Superset then sees them as any Trino view and table."""
    for statement in (
        "CREATE OR REPLACE VIEW workspace.ada.urgent_orders COMMENT 'Urgent orders' AS "
        f"SELECT o_orderkey, o_orderdate, o_totalprice FROM tpch.tiny.orders WHERE o_orderpriority = '{URGENT}'",
        "CREATE OR REPLACE TABLE workspace.ada.orders_by_priority AS "
        "SELECT o_orderpriority, count(*) AS orders FROM tpch.tiny.orders GROUP BY o_orderpriority",
    ):
        lakegate.query(statement, USER, PASSWORD)
    (urgent,) = lakegate.query(
        f"SELECT count(*) AS n FROM tpch.tiny.orders WHERE o_orderpriority = '{URGENT}'", USER, PASSWORD
    )
    return {"urgent": int(urgent["n"])}


def test_ada_s_datasets_are_a_view_and_a_table_to_superset(
    api: SupersetAPI, database_id: int, ada_datasets: dict[str, int]
) -> None:
    base = f"/api/v1/database/{database_id}"
    assert "workspace" in api.get(f"{base}/catalogs/", q={"force": True})["result"]
    assert "ada" in api.get(f"{base}/schemas/", q={"catalog": "workspace", "force": True})["result"]
    listed = api.get(f"{base}/tables/", q={"catalog_name": "workspace", "schema_name": "ada", "force": True})
    kinds = {table["value"]: table["type"] for table in listed["result"]}
    assert kinds.get("urgent_orders") == "view", listed  # the dialect's get_view_names
    assert kinds.get("orders_by_priority") == "table", listed


def test_chart_on_a_view_ada_defined(
    api: SupersetAPI, database_id: int, ada_datasets: dict[str, int]
) -> None:
    created = api.post(
        "/api/v1/dataset/",
        {"database": database_id, "catalog": "workspace", "schema": "ada", "table_name": "urgent_orders"},
        expect=201,
    )
    dataset = int(created["id"])
    columns = {c["column_name"] for c in api.get(f"/api/v1/dataset/{dataset}")["result"]["columns"]}
    assert columns == {"o_orderkey", "o_orderdate", "o_totalprice"}
    axis = {
        "columnType": "BASE_AXIS",
        "expressionType": "SQL",
        "sqlExpression": "o_orderdate",
        "label": "o_orderdate",
        "timeGrain": "P1Y",
    }
    rows = chart_data(api, dataset, {"columns": [axis], "metrics": [COUNT], "orderby": [[COUNT, False]]})
    assert len(rows) == 7
    assert sum(row["orders"] for row in rows) == ada_datasets["urgent"]
    chart = api.post(
        "/api/v1/chart/",
        {
            "slice_name": "Urgent orders per year",
            "viz_type": "echarts_timeseries_bar",
            "datasource_id": dataset,
            "datasource_type": "table",
            "params": json.dumps({"x_axis": "o_orderdate", "time_grain_sqla": "P1Y", "metrics": [COUNT]}),
        },
        expect=201,
    )
    assert api.get(f"/api/v1/chart/{chart['id']}")["result"]["slice_name"] == "Urgent orders per year"


def test_chart_on_a_table_ada_materialised(
    api: SupersetAPI, database_id: int, ada_datasets: dict[str, int]
) -> None:
    created = api.post(
        "/api/v1/dataset/",
        {
            "database": database_id,
            "catalog": "workspace",
            "schema": "ada",
            "table_name": "orders_by_priority",
        },
        expect=201,
    )
    total = {"expressionType": "SQL", "sqlExpression": "SUM(orders)", "label": "orders"}
    rows = chart_data(
        api,
        int(created["id"]),
        {"columns": ["o_orderpriority"], "metrics": [total], "orderby": [[total, False]]},
    )
    assert {row["o_orderpriority"] for row in rows} == PRIORITIES
    assert sum(row["orders"] for row in rows) == ORDERS_AT_TINY_SCALE
    assert next(row["orders"] for row in rows if row["o_orderpriority"] == URGENT) == ada_datasets["urgent"]
