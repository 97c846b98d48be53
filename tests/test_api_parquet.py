"""POST /v1/query with Accept: application/vnd.apache.parquet answers one streamed Parquet file."""

from __future__ import annotations

import io

import httpx
import pyarrow as pa
import pyarrow.parquet as pq

from gateway.result_parquet import parquet_refusal

PARQUET = "application/vnd.apache.parquet"


def test_a_result_downloads_as_parquet_with_its_types(http: httpx.Client) -> None:
    sql = "SELECT o_orderkey, o_totalprice, o_orderdate, o_comment FROM tpch.tiny.orders ORDER BY o_orderkey"
    response = http.post("/v1/query", json={"sql": sql}, headers={"Accept": PARQUET})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == PARQUET
    assert "result.parquet" in response.headers["content-disposition"]
    table = pq.read_table(io.BytesIO(response.content))
    assert table.num_rows == 15000
    assert table.column_names == ["o_orderkey", "o_totalprice", "o_orderdate", "o_comment"]
    # the same rows and types as the Arrow stream of the same query
    arrow = pa.ipc.open_stream(http.post("/v1/query", json={"sql": sql}).content).read_all()
    assert table.schema.types == arrow.schema.types
    assert table.equals(arrow.cast(table.schema))


def test_an_empty_result_is_still_a_parquet_file(http: httpx.Client) -> None:
    response = http.post(
        "/v1/query", json={"sql": "SELECT 1 AS one, 'x' AS s WHERE false"}, headers={"Accept": PARQUET}
    )
    assert response.status_code == 200
    table = pq.read_table(io.BytesIO(response.content))
    assert table.num_rows == 0
    assert table.column_names == ["one", "s"]


def test_a_refused_query_is_a_problem_not_a_file(http: httpx.Client) -> None:
    response = http.post(
        "/v1/query",
        json={"sql": "SELECT national_id FROM crm.main.customers"},
        headers={"Accept": PARQUET, "X-Lakegate-User": "sam"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "ACCESS_DENIED"


def test_columns_parquet_cannot_hold_are_named_before_any_byte() -> None:
    assert parquet_refusal(pa.schema([("n", pa.int64()), ("d", pa.duration("us"))])) is None
    reason = parquet_refusal(pa.schema([("i", pa.month_day_nano_interval())]))
    assert reason is not None
    assert "month_day_nano_interval" in reason
