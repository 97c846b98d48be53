"""The Trino front door, measured against the native Arrow API in the same run.

(e) rows/s of a 1-million-row result (``SELECT * FROM tpch.sf1.lineitem LIMIT 1000000``; with
    only the tiny data set, lineitem x nation gives the rows) through the real ``trino`` Python
    client, against the Lakegate client's ``fetch_arrow_table``; the ratio is the figure. The
    client's own per-value conversion to Python objects dominates its time, so the same result
    is also read with ``legacy_primitive_types=True`` (no conversion) and as raw protocol pages
    (HTTP and JSON parsing only), which shows what the server side sustains.
(f) ``SELECT 1`` through the front door with the trino client (HTTP keep-alive), p50 and p99.

``run(url)`` expects a live server in development mode (users named by header) with the demo's
policies, whose user ``root`` may read everything.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import orjson
import requests
import trino

USER = "root"
SF1 = "SELECT * FROM tpch.sf1.lineitem LIMIT 1000000"
TINY = "SELECT a.*, b.n_name FROM tpch.tiny.lineitem a, tpch.tiny.nation b LIMIT 1000000"


def _connect(url: str, **kwargs: object) -> Any:
    """A trino DB-API connection (the client's functions are untyped)."""
    parts = urlsplit(url)
    connect: Any = trino.dbapi.connect
    return connect(
        host=parts.hostname, port=parts.port, user=USER, http_scheme=parts.scheme, catalog="tpch", **kwargs
    )


def _timed(func: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    rows = func()
    return time.perf_counter() - started, rows


def _pick_query(url: str) -> str:
    connection = _connect(url)
    try:
        cursor = connection.cursor()
        cursor.execute("SHOW SCHEMAS FROM tpch")
        schemas = {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()
    return SF1 if "sf1" in schemas else TINY


def _native(url: str, sql: str) -> int:
    import lakegate

    with lakegate.connect(url, user=USER, progress=False) as connection:
        cursor = connection.cursor()
        cursor.execute(sql)
        rows: int = cursor.fetch_arrow_table().num_rows
    return rows


def _trino_client(url: str, sql: str, **kwargs: object) -> int:
    connection = _connect(url, **kwargs)
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        return len(cursor.fetchall())
    finally:
        connection.close()


def _raw_protocol(url: str, sql: str) -> int:
    with requests.Session() as session:
        session.headers["X-Trino-User"] = USER
        document = orjson.loads(session.post(f"{url}/v1/statement", data=sql.encode()).content)
        rows = len(document.get("data") or [])
        while "nextUri" in document:
            document = orjson.loads(session.get(document["nextUri"]).content)
            if "error" in document:
                raise RuntimeError(document["error"]["message"])
            rows += len(document.get("data") or [])
    return rows


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds / 1e6:.3f} M rows/s ({seconds:.2f} s)"


def throughput(url: str) -> list[tuple[str, str]]:
    sql = _pick_query(url)
    label = "sf1 lineitem" if sql == SF1 else "tiny lineitem x nation"
    _native(url, sql)  # warm the engine's file cache
    native_s, rows = min(_timed(lambda: _native(url, sql)) for _ in range(3))
    client_s, client_rows = _timed(lambda: _trino_client(url, sql))
    legacy_s, legacy_rows = _timed(lambda: _trino_client(url, sql, legacy_primitive_types=True))
    raw_s, raw_rows = min(_timed(lambda: _raw_protocol(url, sql)) for _ in range(2))
    assert rows == client_rows == legacy_rows == raw_rows, (rows, client_rows, legacy_rows, raw_rows)
    return [
        (f"(e) native Arrow API, 1 M rows of {label}", _rate(rows, native_s)),
        ("(e) trino client (fetchall, Python values)", _rate(rows, client_s)),
        ("(e) trino client, legacy_primitive_types", _rate(rows, legacy_s)),
        ("(e) raw Trino protocol (HTTP + JSON parse)", _rate(rows, raw_s)),
        ("(e) ratio trino client / native", f"{native_s / client_s:.3f} (target >= 0.15)"),
        ("(e) ratio legacy_primitive_types / native", f"{native_s / legacy_s:.3f}"),
        ("(e) ratio raw protocol / native", f"{native_s / raw_s:.3f}"),
    ]


def select_one(url: str, count: int = 1000) -> list[tuple[str, str]]:
    connection = _connect(url)
    try:
        cursor = connection.cursor()
        for _ in range(50):
            cursor.execute("SELECT 1")
            cursor.fetchall()
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            samples.append(time.perf_counter() - started)
    finally:
        connection.close()
    samples.sort()
    p50 = samples[len(samples) // 2] * 1000
    p99 = samples[int(len(samples) * 0.99)] * 1000
    return [
        (
            f"(f) SELECT 1 via the trino client ({count} queries)",
            f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p50 < 5 ms)",
        )
    ]


def run(url: str) -> list[tuple[str, str]]:
    """Every Trino front door measurement, as (name, result) rows for the benchmark table."""
    return throughput(url) + select_one(url)
