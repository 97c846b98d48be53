"""Per-column checks see the stored column behind every alias (finding 3 of the bypass report).

sam may read every column of crm.main.customers but ``national_id`` (the fifth). Before, the
check looked at alias names: ``SELECT e FROM customers AS x(a, b, c, d, e)`` passed it (only the
secure view's NULLs held the values back), and ``count(a)`` was refused for a column sam may read.
Native API and Trino door (real `trino` client) alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import trino

from tests.server import LiveServer
from tests.trino.conftest import real_trino_client

ALIASES = "crm.main.customers AS x(a, b, c, d, e)"

DENIED = [
    f"SELECT e FROM {ALIASES}",
    f"SELECT a FROM {ALIASES} WHERE e IS NOT NULL",
    f"SELECT count(e) FROM {ALIASES}",
    f"SELECT a FROM {ALIASES} ORDER BY e",
    "SELECT national_id FROM crm.main.customers AS x(a, b)",  # past a partial list: the stored name
    "SELECT x.* FROM crm.main.customers AS x(a, b)",
    f"SELECT * FROM (SELECT e AS renamed FROM {ALIASES}) AS s",
    f"WITH c AS (SELECT * FROM {ALIASES}) SELECT a FROM c",
]

ALLOWED = [
    (f"SELECT count(a) FROM {ALIASES}", None),
    (f"SELECT count(DISTINCT d) FROM {ALIASES}", None),
    ("SELECT count(national_id) FROM crm.main.customers AS x(a, b, c, d, national_id, f)", "other"),
]


@pytest.fixture(scope="module")
def native(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60, headers={"X-Lakegate-User": "sam"}) as client:
        yield client


def native_query(client: httpx.Client, sql: str, dialect: str = "trino") -> httpx.Response:
    body: dict[str, Any] = {"sql": sql, "dialect": dialect}
    return client.post("/v1/query", json=body, headers={"Accept": "application/json"})


@pytest.mark.parametrize("sql", DENIED)
def test_an_aliased_denied_column_is_denied_by_the_native_api(native: httpx.Client, sql: str) -> None:
    response = native_query(native, sql)
    assert response.status_code == 403, response.text
    assert response.json()["resource"] == "crm.main.customers.national_id"


@pytest.mark.parametrize("sql", DENIED)
def test_an_aliased_denied_column_is_denied_by_the_trino_door(server: LiveServer, sql: str) -> None:
    connection = real_trino_client(server.url, "sam")
    try:
        with pytest.raises(trino.exceptions.TrinoUserError) as raised:
            connection.cursor().execute(sql).fetchall()
    finally:
        connection.close()
    assert raised.value.error_name == "PERMISSION_DENIED"
    assert "crm.main.customers.national_id" in raised.value.message


def test_a_readable_column_read_through_an_alias_is_allowed(native: httpx.Client, server: LiveServer) -> None:
    emea = native_query(native, "SELECT count(*) FROM crm.main.customers").json()["data"][0][0]
    assert emea > 0
    for sql, _ in ALLOWED[:2]:
        response = native_query(native, sql)
        assert response.status_code == 200, response.text
        assert response.json()["data"][0][0] > 0
    connection = real_trino_client(server.url, "sam")
    try:
        rows = connection.cursor().execute(ALLOWED[0][0]).fetchall()
    finally:
        connection.close()
    assert rows == [[emea]]


def test_an_alias_that_reuses_a_denied_name_reads_the_column_at_its_position(native: httpx.Client) -> None:
    # x(a, b, c, d, national_id, f): "national_id" is the fifth stored column (the real one) -> denied
    response = native_query(native, ALLOWED[2][0])
    assert response.status_code == 403, response.text
    # x(national_id, ...): "national_id" is now customer_id, which sam may read
    response = native_query(
        native, "SELECT max(national_id) FROM crm.main.customers AS x(national_id, b, c, d, e)"
    )
    assert response.status_code == 200, response.text
    ids = native_query(native, "SELECT max(customer_id) FROM crm.main.customers").json()["data"]
    assert response.json()["data"] == ids


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SELECT * LIKE 'nat%' FROM crm.main.customers", "duckdb"),
        ("SELECT * SIMILAR TO 'nat.*' FROM crm.main.customers", "duckdb"),
        ("SELECT * LIKE 'cust%' FROM crm.main.customers", "duckdb"),
        ("SELECT #5 FROM crm.main.customers", "duckdb"),
        ("SELECT #1 FROM crm.main.customers", "duckdb"),
        ("SELECT customer_id FROM crm.main.customers ORDER BY #5", "duckdb"),
        ("SELECT * FROM crm.main.customers AS x(national_id)", "trino"),
    ],
)
def test_what_names_no_column_is_refused_even_when_harmless(
    native: httpx.Client, sql: str, dialect: str
) -> None:
    response = native_query(native, sql, dialect)
    assert response.status_code in (400, 403), response.text
    assert response.json()["code"] in {"NOT_SUPPORTED", "ACCESS_DENIED"}
    assert "national_id" not in response.text or response.json()["code"] == "ACCESS_DENIED"
