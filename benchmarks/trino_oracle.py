"""The `trino` client reading 1M rows: Lakegate's Trino door against a real Trino, in one run.

    make trino-server && .venv/bin/python -m benchmarks.trino_oracle

Both answer the same statement, 1,000,000 rows of (bigint, varchar, double) computed from two
cross-joined sequences (no table scan, so the figure is the protocol and encoding path of each
server); the real Trino is Trino 476 from .cache/trino (tests/trino_server.py, 1 GB heap), and
Lakegate is the demo served in-process by uvicorn. One warm-up read each, then the best of three.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import trino

from gateway.app import create_app
from gateway.demo import generate_demo
from tests.conftest import demo_config
from tests.server import LiveServer
from tests.trino_server import start_trino, stop_trino

SQL = (
    "SELECT a * 1000 + b AS id, CAST(a * 1000 + b AS varchar) AS label, (a * 1000 + b) * 0.5E0 AS half "
    "FROM UNNEST(sequence(0, 999)) AS x(a) CROSS JOIN UNNEST(sequence(0, 999)) AS y(b)"
)
ROWS = 1_000_000


def read_all(host: str, port: int) -> float:
    connection = trino.dbapi.connect(host=host, port=port, user="ada", catalog="tpch", schema="tiny")  # type: ignore[no-untyped-call]
    started = time.perf_counter()
    cursor = connection.cursor()
    cursor.execute(SQL)
    count = sum(1 for _ in iter(cursor.fetchone, None))
    elapsed = time.perf_counter() - started
    connection.close()
    if count != ROWS:
        raise RuntimeError(f"read {count} rows, expected {ROWS}")
    return elapsed


def best(host: str, port: int) -> float:
    read_all(host, port)
    return min(read_all(host, port) for _ in range(3))


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        demo = Path(work) / "demo"
        generate_demo(demo)
        process, server = start_trino(Path(work) / "trino")
        try:
            with LiveServer(create_app(demo_config(demo))) as live:
                host, port = live.url.removeprefix("http://").split(":")
                lakegate_s = best(host, int(port))
            trino_s = best(server.host, server.port)
        finally:
            stop_trino(process)
    print(f"1M rows through the trino client: Lakegate {lakegate_s:.2f} s ({ROWS / lakegate_s:,.0f} rows/s)")
    print(f"                                  Trino 476 {trino_s:.2f} s ({ROWS / trino_s:,.0f} rows/s)")
    print(f"ratio Lakegate/Trino: {lakegate_s / trino_s:.2f}")


if __name__ == "__main__":
    main()
