"""(l) Load: many concurrent clients sending small queries through the native API, measured
side by side with the same clients asking ``/healthz`` (the HTTP floor of this server on this
machine), with wrk (Debian's package) as the load generator: ``python -m benchmarks.load``.

- small queries: point lookups as ``ada`` (her policies apply: masks, the planner's checks, the
  audit record), JSON answers;
- mixed (``--mixed``): point lookups, aggregations and a few large Arrow streams;
- soak (``--seconds 600 --mixed``): the server's RSS sampled every second, first vs. last minute;
- side by side (``--against DIR``): the same load on a server running another checkout's code
  (e.g. ``git archive main | tar -x -C DIR``), the two in alternating rounds (``--rounds``) so
  both see the same machine; ``--no-plan-cache`` adds this checkout with its plan cache off.

Targets (issue 11): >= 1,000 small queries/s with 64 clients on 2 cores, p99 <= 100 ms, 0 errors.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import yaml

from benchmarks.__main__ import ROOT, lakegate_server

_POINT = "SELECT n_name, n_regionkey FROM tpch.tiny.nation WHERE n_nationkey = %d"
_AGGREGATE = "SELECT o_orderpriority, count(*) FROM tpch.tiny.orders GROUP BY 1"
_LARGE = "SELECT * FROM tpch.tiny.lineitem"

_SMALL_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["X-Lakegate-User"] = "ada"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/v1/query", nil, '{{"sql": "{}"}}')
end
""".format(_POINT.replace("%d", "' .. (n % 25) .. '"))

_MIXED_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Lakegate-User"] = "ada"
local n = 0
request = function()
  n = n + 1
  if n % 200 == 0 then
    wrk.headers["Accept"] = "application/vnd.apache.arrow.stream"
    return wrk.format(nil, "/v1/query", nil, '{{"sql": "{}"}}')
  end
  wrk.headers["Accept"] = "application/json"
  if n % 10 == 0 then
    return wrk.format(nil, "/v1/query", nil, '{{"sql": "{}"}}')
  end
  return wrk.format(nil, "/v1/query", nil, '{{"sql": "{}"}}')
end
""".format(_LARGE, _AGGREGATE, _POINT.replace("%d", "' .. (n % 25) .. '"))

_HEALTH_SCRIPT = 'wrk.method = "GET"\n'


#: how long wrk waits for an answer before it counts a timeout (``--timeout``; wrk's default 2 s)
WRK_TIMEOUT = "2s"


def _wrk(
    url: str, path: str, script: str, clients: int, seconds: int, timeout: str = WRK_TIMEOUT
) -> dict[str, float]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    out = subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            WRK_TIMEOUT,
            "--latency",
            "-s",
            lua.name,
            url + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return _parse(out)


def _seconds(value: str, unit: str) -> float:
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def _parse(out: str) -> dict[str, float]:
    result: dict[str, float] = {}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    result["rps"] = float(rate.group(1)) if rate else 0.0
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
        result[f"p{pct}"] = _seconds(match.group(1), match.group(2)) if match else float("nan")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    result["errors"] = float(non_2xx.group(1)) if non_2xx else 0.0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["timeouts"] = 0.0
    if socket_errors:
        result["errors"] += sum(float(g) for g in socket_errors.groups())
        result["timeouts"] = float(socket_errors.group(4))  # no answer within wrk's --timeout
    total = re.search(r"(\d+) requests in", out)
    result["requests"] = float(total.group(1)) if total else 0.0
    return result


def _config(folder: Path, name: str = "load.yaml", plan_cache_size: int | None = None) -> Path:
    from gateway.demo import generate_demo

    if not (folder / "lakegate.yaml").exists():
        generate_demo(folder)
    raw = yaml.safe_load((folder / "lakegate.yaml").read_text())
    raw["server"]["dev_mode"] = True
    raw["server"]["engine"] = {"max_concurrent_queries": 16}
    if plan_cache_size is not None:
        raw["server"]["plan_cache_size"] = plan_cache_size
    config = folder / name
    config.write_text(yaml.safe_dump(raw, sort_keys=False))
    return config


def _rss_sampler(pid: int, samples: list[tuple[float, int]], stop: threading.Event) -> None:
    process = psutil.Process(pid)
    started = time.monotonic()
    while not stop.wait(1.0):
        samples.append((time.monotonic() - started, process.memory_info().rss))


def _cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


@dataclass
class _Variant:
    """One server under load: whose code runs, with which configuration."""

    label: str
    root: Path
    config: Path
    health: list[dict[str, float]] = field(default_factory=list)
    queries: list[dict[str, float]] = field(default_factory=list)
    samples: list[tuple[float, int]] = field(default_factory=list)
    #: the server's CPU seconds (user + system) per query, each round
    cpu: list[float] = field(default_factory=list)


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _rows(variant: _Variant, clients: int, seconds: int, kind: str) -> list[tuple[str, str]]:
    health, queries = variant.health, variant.queries
    errors = sum(run["errors"] for run in queries)
    timeouts = sum(run["timeouts"] for run in queries)
    requests = sum(run["requests"] for run in queries)
    rps, health_rps = _median(queries, "rps"), _median(health, "rps")
    rounds = f", median of {len(queries)} rounds" if len(queries) > 1 else ""
    rows = [
        (
            f"(l) {variant.label}: GET /healthz, {clients} clients",
            f"{health_rps:,.0f}/s, p50 {_median(health, 'p50') * 1e3:.1f} ms, "
            f"p99 {_median(health, 'p99') * 1e3:.1f} ms",
        ),
        (
            f"(l) {variant.label}: {kind}, {clients} clients, {seconds} s{rounds}",
            f"{rps:,.0f} queries/s, p50 {_median(queries, 'p50') * 1e3:.1f} ms, "
            f"p99 {_median(queries, 'p99') * 1e3:.1f} ms, {errors:.0f} errors ({timeouts:.0f} timeouts) "
            f"of {requests:.0f} (target >= 1,000/s, p99 <= 100 ms, 0 errors)",
        ),
        (
            f"(l) {variant.label}: server CPU per query (all its threads)",
            f"{statistics.median(variant.cpu) * 1e3:.2f} ms (a busy machine slows the rate, less this)",
        ),
        (f"(l) {variant.label}: ratio queries / healthz", f"{rps / health_rps:.2f}" if health_rps else "n/a"),
    ]
    samples = variant.samples
    if len(samples) >= 4:
        quarter = max(len(samples) // 4, 1)
        first = max(r for _, r in samples[:quarter]) / 2**20
        last = max(r for _, r in samples[-quarter:]) / 2**20
        rows.append(
            (
                f"(l) {variant.label}: server RSS, first vs last quarter (max)",
                f"{first:,.0f} MiB -> {last:,.0f} MiB",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--mixed", action="store_true", help="point lookups, aggregations, large Arrow streams"
    )
    parser.add_argument(
        "--against", type=Path, help="another checkout (e.g. of main) to load side by side with this one"
    )
    parser.add_argument(
        "--no-plan-cache", action="store_true", help="also this checkout with its plan cache off"
    )
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds per server")
    parser.add_argument(
        "--timeout",
        default=WRK_TIMEOUT,
        help="wrk's wait for an answer before a timeout (e.g. 30s for a soak)",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lakegate-load-"))
    print("writing the demo ...", flush=True)
    variants = [_Variant("this", ROOT, _config(folder))]
    if args.against is not None:
        variants.append(_Variant(f"{args.against.name}", args.against.resolve(), _config(folder)))
    if args.no_plan_cache:
        variants.append(_Variant("plan cache off", ROOT, _config(folder, "load-uncached.yaml", 0)))
    script = _MIXED_SCRIPT if args.mixed else _SMALL_SCRIPT
    with ExitStack() as servers:
        running = [(v, *servers.enter_context(lakegate_server(v.config, v.root))) for v in variants]
        for _variant, url, _ in running:
            _wrk(url, "/v1/query", _SMALL_SCRIPT, 8, 2)  # warm the plan cache and the engine
        for _ in range(max(args.rounds, 1)):
            for variant, url, pid in running:
                variant.health.append(
                    _wrk(url, "/healthz", _HEALTH_SCRIPT, args.clients, min(args.seconds, 20), args.timeout)
                )
                stop = threading.Event()
                sampler = threading.Thread(
                    target=_rss_sampler, args=(pid, variant.samples, stop), daemon=True
                )
                sampler.start()
                cpu_before = _cpu_seconds(pid)
                variant.queries.append(
                    _wrk(url, "/v1/query", script, args.clients, args.seconds, args.timeout)
                )
                variant.cpu.append((_cpu_seconds(pid) - cpu_before) / max(variant.queries[-1]["requests"], 1))
                stop.set()
                sampler.join()
    kind = "mixed workload" if args.mixed else "small queries (ada, point lookups, JSON)"
    rows = [row for variant in variants for row in _rows(variant, args.clients, args.seconds, kind)]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
