"""Trino's URL functions on the embedded engine, through the HTTP API, to Trino's own examples.

The expected values are those of Trino's documentation (functions/url.md) and its tests of the
functions (TestUrlFunctions): NULL for a string that is not a URI, '' for an absent component.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

JSON = {"Accept": "application/json"}


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def values(http: httpx.Client, sql: str, dialect: str = "trino") -> list[Any]:
    response = http.post("/v1/query", json={"sql": sql, "dialect": dialect}, headers=JSON)
    assert response.status_code == 200, response.text
    rows: list[list[Any]] = response.json()["data"]
    assert len(rows) == 1
    return rows[0]


EXTRACTIONS = [
    # url, protocol, host, port, path, query, fragment
    (
        "http://example.com/path1/p.php?k1=v1&k2=v2#Ref1",
        "http",
        "example.com",
        None,
        "/path1/p.php",
        "k1=v1&k2=v2",
        "Ref1",
    ),
    ("http://example.com/path1/p.php?", "http", "example.com", None, "/path1/p.php", "", ""),
    ("http://example.com/path1/p.php", "http", "example.com", None, "/path1/p.php", "", ""),
    (
        "http://example.com:8080/path1/p.php?k1=v1&k2=v2#Ref1",
        "http",
        "example.com",
        8080,
        "/path1/p.php",
        "k1=v1&k2=v2",
        "Ref1",
    ),
    ("https://username@example.com", "https", "example.com", None, "", "", ""),
    ("https://username:password@example.com", "https", "example.com", None, "", "", ""),
    ("mailto:test@example.com", "mailto", "", None, "", "", ""),
    ("foo", "", "", None, "foo", "", ""),
    ("http://example.com/^", None, None, None, None, None, None),
    ("http://localhost:8080/req_path", "http", "localhost", 8080, "/req_path", "", ""),
    ("https://127.0.0.1:8080/req_path", "https", "127.0.0.1", 8080, "/req_path", "", ""),
    ("ftp://path/file", "ftp", "path", None, "/file", "", ""),
]


@pytest.mark.parametrize(("url", "protocol", "host", "port", "path", "query", "fragment"), EXTRACTIONS)
def test_extractions_match_trino(
    http: httpx.Client,
    url: str,
    protocol: str | None,
    host: str | None,
    port: int | None,
    path: str | None,
    query: str | None,
    fragment: str | None,
) -> None:
    u = literal(url)
    sql = (
        f"SELECT url_extract_protocol({u}), url_extract_host({u}), url_extract_port({u}), "
        f"url_extract_path({u}), url_extract_query({u}), url_extract_fragment({u})"
    )
    assert values(http, sql) == [protocol, host, port, path, query, fragment]


PARAMETERS = [
    ("http://example.com/path1/p.php?k1=v1&k2=v2&k3&k4#Ref1", "k1", "v1"),
    ("http://example.com/path1/p.php?k1=v1&k2=v2&k3&k4#Ref1", "k2", "v2"),
    ("http://example.com/path1/p.php?k1=v1&k2=v2&k3&k4#Ref1", "k3", ""),
    ("http://example.com/path1/p.php?k1=v1&k2=v2&k3&k4#Ref1", "k4", ""),
    ("http://example.com/path1/p.php?k1=v1&k2=v2&k3&k4#Ref1", "k5", None),
    ("http://example.com/path1/p.php?k1=v1&k1=v2&k1&k1#Ref1", "k1", "v1"),
    ("http://example.com/path1/p.php?k1&k1=v1&k1&k1#Ref1", "k1", ""),
    ("http://example.com/path1/p.php?k=a=b=c&x=y#Ref1", "k", "a=b=c"),
    ("http://example.com/path1/p.php?k1=a%26k2%3Db&k2=c#Ref1", "k2", "c"),
    ("http://example.com/?q=a+b%2Bc", "q", "a b+c"),
    ("foo", "k1", None),
]


@pytest.mark.parametrize(("url", "name", "expected"), PARAMETERS)
def test_url_extract_parameter_matches_trino(
    http: httpx.Client, url: str, name: str, expected: str | None
) -> None:
    assert values(http, f"SELECT url_extract_parameter({literal(url)}, {literal(name)})") == [expected]


ENCODED = [
    ("http%3A%2F%2Ftest", "http://test"),
    ("http%3A%2F%2Ftest%3Fa%3Db%26c%3Dd", "http://test?a=b&c=d"),
    ("http%3A%2F%2F%E3%83%86%E3%82%B9%E3%83%88", "http://\u30c6\u30b9\u30c8"),
    ("%7E%40%3A.-*_%2B+%E2%98%83", "~@:.-*_+ \u2603"),
    ("test", "test"),
]


@pytest.mark.parametrize(("encoded", "plain"), ENCODED)
@pytest.mark.parametrize("dialect", ["trino", "duckdb"])
def test_url_encode_and_decode_match_trino(
    http: httpx.Client, encoded: str, plain: str, dialect: str
) -> None:
    sql = f"SELECT url_encode({literal(plain)}), url_decode({literal(encoded)})"
    assert values(http, sql, dialect) == [encoded, plain]


def test_a_malformed_escape_is_the_users_error(http: httpx.Client) -> None:
    response = http.post("/v1/query", json={"sql": "SELECT url_decode('100%')"})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "ENGINE_DATA_ERROR"


def test_null_in_null_out(http: httpx.Client) -> None:
    sql = (
        "SELECT url_extract_host(CAST(NULL AS varchar)), url_extract_port(CAST(NULL AS varchar)), "
        "url_encode(CAST(NULL AS varchar)), url_decode(CAST(NULL AS varchar))"
    )
    assert values(http, sql) == [None, None, None, None]


def test_they_work_on_columns_for_a_user_with_policies(http: httpx.Client) -> None:
    sql = (
        "SELECT count(DISTINCT url_extract_host('https://' || replace(lower(n_name), ' ', '-') "
        "|| '.example.com:81/x?n=' || url_encode(n_name))) AS hosts, "
        "max(url_extract_port('https://h:81/')) AS port "
        "FROM tpch.tiny.nation"
    )
    response = http.post("/v1/query", json={"sql": sql}, headers={**JSON, "X-Lakegate-User": "ada"})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == [[25, 81]]


def test_the_engines_own_url_functions_are_out_of_reach(http: httpx.Client) -> None:
    for sql in ("SELECT system.main.url_encode(' ')", "SELECT memory.main.url_extract_host('http://x/')"):
        response = http.post("/v1/query", json={"sql": sql, "dialect": "duckdb"})
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "FUNCTION_NOT_ALLOWED"
    assert values(http, "SELECT url_encode(' ~*')") == ["+%7E*"]


def test_a_space_makes_a_url_invalid_as_in_trino(http: httpx.Client) -> None:
    assert values(http, "SELECT url_extract_host('https://united states.example.com/')") == [None]
