"""Metadata, queries, impersonation and types: a Lakegate stands in for the Trino cluster."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.base import Cancellation, ConnectorError, RoutingHints
from connectors.trino import TrinoConnector
from tests.trino_connector.conftest import Lakegate, cluster_spec, run
from tests.trino_connector.standin import StandIn, wait_for

TYPED_COLUMNS = {
    "id": "bigint",
    "dbl": "double",
    "dec": "decimal(12,2)",
    "name": "varchar",
    "d": "date",
    "ts": "timestamp(6)",
    "flag": "boolean",
    "arr": "array(bigint)",
    "tags": "array(varchar)",
}


def marker() -> str:
    return f"m-{uuid.uuid4().hex[:12]}"


def test_trino_connector_against_a_lakegate_standing_in_for_trino_lists_the_catalog_metadata(
    cluster: StandIn, make_lakegate: Callable[..., Lakegate]
) -> None:
    lakegate = make_lakegate([cluster_spec(cluster)])
    with lakegate.client() as http:
        catalogs = http.get("/v1/catalogs").json()["catalogs"]
        assert {"name": "remote", "connector": "trino", "comment": "via Trino"} in catalogs
        assert [s["name"] for s in http.get("/v1/catalogs/remote/schemas").json()["schemas"]] == ["s"]
        tables = http.get("/v1/catalogs/remote/schemas/s/tables").json()["tables"]
        assert sorted(t["name"] for t in tables) == ["big", "typed"]
        detail = http.get("/v1/catalogs/remote/schemas/s/tables/typed").json()
    assert detail["catalog"] == "remote"
    assert {c["name"]: c["type"] for c in detail["columns"]} == TYPED_COLUMNS
    # Metadata is read as Lakegate's service user, from the catalog named in the config only.
    reads = cluster.queries_with('FROM "lake".information_schema.columns')
    assert reads
    assert {q.user for q in reads} == {"lakegate_svc"}


def test_trino_connector_against_a_lakegate_standing_in_for_trino_reports_a_catalog_the_cluster_lacks(
    cluster: StandIn, make_lakegate: Callable[..., Lakegate]
) -> None:
    catalogs = {
        "remote": {"connector": "trino", "catalog": "lake"},
        "ghost": {"connector": "trino", "catalog": "nosuch"},
    }
    lakegate = make_lakegate([cluster_spec(cluster)], catalogs=catalogs)
    with lakegate.client() as http:
        names = [c["name"] for c in http.get("/v1/catalogs").json()["catalogs"]]
        assert "ghost" in names
        assert http.get("/v1/catalogs/ghost/schemas").json()["schemas"] == []
        ready = http.get("/readyz")
    assert ready.status_code == 503
    assert "unavailable catalogs: ghost" in ready.json()["engines"]["trino"]["detail"]
    assert lakegate.query("SELECT count(*) AS n FROM remote.s.typed").column("n").to_pylist() == [6]


def test_trino_connector_against_a_lakegate_standing_in_for_trino_runs_native_api_queries_there(
    cluster: StandIn, make_lakegate: Callable[..., Lakegate]
) -> None:
    lakegate = make_lakegate([cluster_spec(cluster)])
    mark = marker()
    table = lakegate.query(f"SELECT id, name, '{mark}' AS m FROM remote.s.typed WHERE id < 3 ORDER BY id")
    assert table.to_pylist() == [{"id": i, "name": f"name {i}", "m": mark} for i in range(3)]
    ran = cluster.queries_with(mark)
    assert len(ran) == 1
    assert '"lake".s.typed' in ran[0].sql  # the cluster's own catalog name
    assert ran[0].state.value == "FINISHED"
    assert ran[0].source == "trino"  # it came in through the stand-in's Trino front door


def test_trino_connector_against_a_lakegate_standing_in_for_trino_impersonates_native_api_users(
    cluster: StandIn, make_lakegate: Callable[..., Lakegate]
) -> None:
    lakegate = make_lakegate([cluster_spec(cluster)])
    mark = marker()
    lakegate.query(f"SELECT '{mark}' AS m, id FROM remote.s.typed", user="alice")
    assert [q.user for q in cluster.queries_with(mark)] == ["alice"]
    assert wait_for(lambda: cluster.audited_users(mark), what="the audit record") == ["alice"]


def test_trino_connector_against_a_lakegate_standing_in_for_trino_impersonates_the_end_user(
    cluster: StandIn, make_connector: Callable[..., TrinoConnector]
) -> None:
    connector = make_connector([cluster_spec(cluster)])
    mark = marker()
    table = run(
        connector,
        f"SELECT '{mark}' AS m, count(*) AS n FROM lake.s.typed",
        user="alice",
        groups=("analysts",),
        source="superset",
        client_tags=("nightly", "finance"),
    )
    assert table.to_pylist() == [{"m": mark, "n": 6}]
    # The cluster's query registry and audit log name the end user, not Lakegate's service user.
    assert [q.user for q in cluster.queries_with(mark)] == ["alice"]
    assert wait_for(lambda: cluster.audited_users(mark), what="the audit record") == ["alice"]
    headers = [h for h in cluster.submissions() if h.get("x-trino-user") == "alice"][-1]
    assert headers["x-trino-source"] == "superset"
    assert headers["x-trino-client-tags"] == "nightly,finance"
    assert "authorization" not in headers  # no credential configured for this cluster
    # Results come inline: the spooling protocol is never requested.
    assert all("x-trino-query-data-encoding" not in h for h in cluster.submissions())


def test_trino_connector_against_a_lakegate_standing_in_for_trino_returns_arrow_types(
    cluster: StandIn, make_lakegate: Callable[..., Lakegate]
) -> None:
    lakegate = make_lakegate([cluster_spec(cluster)])
    table = lakegate.query("SELECT * FROM remote.s.typed ORDER BY id")
    assert dict(zip(table.schema.names, table.schema.types, strict=True)) == {
        "id": pa.int64(),
        "dbl": pa.float64(),
        "dec": pa.decimal128(12, 2),
        "name": pa.string(),
        "d": pa.date32(),
        "ts": pa.timestamp("us"),
        "flag": pa.bool_(),
        "arr": pa.list_(pa.int64()),
        "tags": pa.list_(pa.string()),
    }
    rows = table.to_pylist()
    assert rows[3] == {
        "id": 3,
        "dbl": 4.5,
        "dec": Decimal("0.75"),
        "name": "name 3",
        "d": dt.date(2024, 1, 4),
        "ts": dt.datetime(2024, 1, 1, 10, 0, 3, 3),
        "flag": False,
        "arr": [3, 4],
        "tags": ["a3", None],
    }
    assert rows[-1] == {"id": 99} | {name: None for name in TYPED_COLUMNS if name != "id"}


def test_trino_connector_against_a_lakegate_standing_in_for_trino_reads_many_pages_in_batches(
    cluster: StandIn, make_connector: Callable[..., TrinoConnector]
) -> None:
    connector = make_connector([cluster_spec(cluster)])
    result = connector.execute("SELECT x FROM lake.s.big", Cancellation(), 50_000, RoutingHints(user="alice"))
    batches = list(result.batches)
    assert sum(b.num_rows for b in batches) == 200_000
    assert max(b.num_rows for b in batches) == 50_000
    assert pa.Table.from_batches(batches).column("x").to_pylist() == list(range(200_000))


def test_trino_connector_against_a_lakegate_standing_in_for_trino_maps_engine_errors(
    cluster: StandIn, make_lakegate: Callable[..., Lakegate], make_connector: Callable[..., TrinoConnector]
) -> None:
    lakegate = make_lakegate([cluster_spec(cluster)])
    status, problem = lakegate.problem("SELECT CAST(name AS integer) FROM remote.s.typed")
    assert (status, problem["code"]) == (422, "ENGINE_DATA_ERROR")
    connector = make_connector([cluster_spec(cluster)])
    with pytest.raises(ConnectorError) as caught:
        run(connector, "SELECT nosuch FROM lake.s.typed", user="alice")
    assert caught.value.kind == "user"
    assert "nosuch" in caught.value.message
