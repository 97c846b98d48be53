"""Lakegate benchmarks, measured side by side in one run: ``make bench`` (python -m benchmarks).

(a) rows/s and MB/s of ``SELECT * FROM tpch.sf1.lineitem`` through Lakegate into a client Arrow
    table, against DuckDB running the same scan in-process into Arrow; the ratio is the figure.
(b) ``SELECT 1`` round trip through Lakegate (HTTP keep-alive), p50 and p99 over 1,000 queries.
(c) planner time (parse to generated SQL) for the 22 TPC-H queries, uncached and cached, p50,
    without and with the demo's policies (benchmarks/planning.py).
(g) the engine's check of DuckDB's bound plan, on a query's first run and once it is cached.

(s) metadata search on the embedded index at 100k and 1M synthetic entities: index rate,
    permission grant, search and suggest p50/p95 in-process (benchmarks/search.py).

``python -m benchmarks --only planning`` runs (c) and (g) alone on the tiny demo (seconds);
``python -m benchmarks --only search`` runs (s) alone (a few minutes at 1M entities).

The server runs as its own process (``lakegate serve``) as in production; the demo data with
TPC-H sf1 is generated once into ``benchmarks/data`` (about 220 MB).
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import httpx
import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
TPCH_QUERIES = sorted((ROOT / "tests" / "tpch").glob("q*.sql"))


def ensure_data(scale: int) -> Path:
    """The demo with TPC-H at ``scale``, served in development mode (users named by header)."""
    import yaml

    marker = DATA / "tpch" / f"sf{scale}" / "lineitem.parquet"
    if not marker.exists() or not (DATA / "policies.json").exists():
        from gateway.demo import generate_demo

        print(f"generating demo data with TPC-H sf{scale} into {DATA} (once) ...", flush=True)
        generate_demo(DATA, tpch_scale=scale)
    raw = yaml.safe_load((DATA / "lakegate.yaml").read_text())
    raw["server"]["dev_mode"] = True
    config = DATA / "bench.yaml"
    config.write_text(yaml.safe_dump(raw, sort_keys=False))
    return config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_ready(url: str, process: subprocess.Popen[bytes], failure: str, seconds: float) -> None:
    """Wait for ``url``'s ``/readyz`` to answer 200; ``failure`` when ``process`` exits or time
    runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(failure)
        time.sleep(0.1)


@contextmanager
def lakegate_server(
    config: Path, root: Path = ROOT, extra: tuple[str, ...] = ()
) -> Iterator[tuple[str, int]]:
    """``lakegate serve`` on a free port; ``root``: the checkout whose code runs (another one
    than this, e.g. ``main``, to compare two versions side by side); ``extra``: more options
    (``--workers 2``)."""
    port = free_port()
    command = [sys.executable, "-m", "gateway.cli", "serve", "--config", str(config), "--port", str(port)]
    command += ["--log-level", "warning", *extra]
    # ``-m`` puts the working directory first on the path: the code of ``root`` runs
    process = subprocess.Popen(command, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process, "lakegate serve did not become ready", 60)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def best_of(runs: int, func: Callable[[], int]) -> tuple[float, int]:
    """The fastest of ``runs`` timings (seconds) and what the function returned."""
    times, result = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return min(times), result


def throughput(url: str, config: Path, scale: int, runs: int) -> list[tuple[str, str]]:
    lineitem = DATA / "tpch" / f"sf{scale}" / "lineitem.parquet"
    con = duckdb.connect()

    def in_process() -> int:
        table = con.sql(f"SELECT * FROM read_parquet('{lineitem}')").to_arrow_table()
        return int(table.nbytes)

    def through_lakegate() -> int:
        import lakegate

        with lakegate.connect(url, user="root", progress=False) as connection:
            cursor = connection.cursor()
            cursor.execute(f"SELECT * FROM tpch.sf{scale}.lineitem")
            table = cursor.fetch_arrow_table()
        return int(table.nbytes)

    rows = con.sql(f"SELECT count(*) FROM read_parquet('{lineitem}')").fetchone()[0]  # type: ignore[index]
    # Interleaved (A, B, A, B, ...), best of each: both see the same machine conditions.
    base_times, gate_times = [], []
    nbytes = gate_bytes = 0
    for _ in range(runs):
        seconds, nbytes = best_of(1, in_process)
        base_times.append(seconds)
        seconds, gate_bytes = best_of(1, through_lakegate)
        gate_times.append(seconds)
    base_s, gate_s = min(base_times), min(gate_times)
    assert gate_bytes > 0
    mb = nbytes / 1e6
    return [
        (
            "(a) in-process DuckDB -> Arrow",
            f"{rows / base_s / 1e6:.2f} M rows/s, {mb / base_s:.0f} MB/s ({base_s:.2f} s)",
        ),
        (
            "(a) Lakegate HTTP -> client Arrow",
            f"{rows / gate_s / 1e6:.2f} M rows/s, {mb / gate_s:.0f} MB/s ({gate_s:.2f} s)",
        ),
        ("(a) ratio Lakegate / in-process", f"{base_s / gate_s:.2f} (target >= 0.80)"),
    ]


def server_memory(url: str, pid: int, scale: int) -> list[tuple[str, str]]:
    """The server's resident memory while it streams all of lineitem to a slow-ish reader."""
    import threading

    import psutil

    process = psutil.Process(pid)
    before = process.memory_info().rss
    peak = before
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    rows = 0
    import lakegate

    with lakegate.connect(url, user="root", progress=False) as connection:
        cursor = connection.cursor()
        cursor.execute(f"SELECT * FROM tpch.sf{scale}.lineitem")
        for batch in cursor.iter_batches():
            rows += batch.num_rows
    done.set()
    sampler.join()
    return [
        (
            f"(d) server memory streaming {rows / 1e6:.1f} M rows",
            f"RSS {before / 2**20:.0f} MiB before, {peak / 2**20:.0f} MiB peak (+{(peak - before) / 2**20:.0f} MiB)",
        )
    ]


def round_trip(url: str, count: int) -> list[tuple[str, str]]:
    with httpx.Client(base_url=url, headers={"X-Lakegate-User": "root"}) as client:
        for _ in range(50):
            client.post("/v1/query", json={"sql": "SELECT 1"}).raise_for_status()
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            response = client.post("/v1/query", json={"sql": "SELECT 1"})
            pa.ipc.open_stream(response.content).read_all()
            samples.append(time.perf_counter() - started)
    samples.sort()
    p50 = samples[len(samples) // 2] * 1000
    p99 = samples[int(len(samples) * 0.99)] * 1000
    return [
        (
            f"(b) SELECT 1 round trip ({count} queries)",
            f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p50 < 3 ms)",
        )
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=1, help="TPC-H scale for (a)")
    parser.add_argument("--runs", type=int, default=3, help="runs of (a); the best counts")
    parser.add_argument("--round-trips", type=int, default=1000)
    parser.add_argument("--skip-trino", action="store_true", help="leave out the Trino front door")
    parser.add_argument(
        "--only",
        choices=["all", "planning", "search"],
        default="all",
        help="planning: (c) and (g) alone; search: (s) alone",
    )
    parser.add_argument(
        "--search-sizes",
        default="100000,1000000",
        help="catalog sizes (entities) for (s), comma-separated",
    )
    args = parser.parse_args()
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    from benchmarks.planning import bound_plan_check, planner_time, tiny_demo

    rows: list[tuple[str, str]] = []
    if args.only == "search":
        from benchmarks.search import run as search_benchmark

        rows += search_benchmark(tuple(int(n) for n in args.search_sizes.split(",")))
        return _print(rows)
    if args.only == "planning":
        config = tiny_demo()
    else:
        config = ensure_data(args.scale)
        with lakegate_server(config) as (url, pid):
            rows += throughput(url, config, args.scale, args.runs)
            rows += round_trip(url, args.round_trips)
            rows += server_memory(url, pid, args.scale)
            if not args.skip_trino:
                from benchmarks.trino_frontdoor import run as trino_frontdoor

                rows += trino_frontdoor(url)
    rows += planner_time(config, TPCH_QUERIES)
    rows += bound_plan_check(config, TPCH_QUERIES)
    if args.only == "all":
        from benchmarks.search import run as search_benchmark

        rows += search_benchmark(tuple(int(n) for n in args.search_sizes.split(",")))
    return _print(rows)


def _print(rows: list[tuple[str, str]]) -> int:
    width = max(len(name) for name, _ in rows)
    print(f"\nLakegate benchmarks ({os.cpu_count()} CPUs, python -m benchmarks)\n")
    print(f"| {'measure'.ljust(width)} | result |")
    print(f"|{'-' * (width + 2)}|--------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
