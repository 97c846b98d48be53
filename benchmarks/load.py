"""(l) Load: many concurrent clients sending small queries through the native API, measured
side by side with the same clients asking ``/healthz`` (the HTTP floor of this server on this
machine), with wrk (Debian's package) as the load generator: ``python -m benchmarks.load``.

- small queries: point lookups as ``ada`` (her policies apply: masks, the planner's checks, the
  audit record), JSON answers;
- mixed (``--mixed``): point lookups, aggregations and a few large Arrow streams;
- soak (``--seconds 600 --mixed``): the server's RSS sampled every second, first vs. last minute.

Targets (issue 11): >= 1,000 small queries/s with 64 clients on 2 cores, p99 <= 100 ms, 0 errors.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

from benchmarks.__main__ import lakegate_server

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


def _wrk(url: str, path: str, script: str, clients: int, seconds: int) -> dict[str, float]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    out = subprocess.run(
        [wrk, "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", lua.name, url + path],
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
    if socket_errors:
        result["errors"] += sum(float(g) for g in socket_errors.groups())
    total = re.search(r"(\d+) requests in", out)
    result["requests"] = float(total.group(1)) if total else 0.0
    return result


def _config(folder: Path) -> Path:
    from gateway.demo import generate_demo

    generate_demo(folder)
    raw = yaml.safe_load((folder / "lakegate.yaml").read_text())
    raw["server"]["dev_mode"] = True
    raw["server"]["engine"] = {"max_concurrent_queries": 16}
    config = folder / "load.yaml"
    config.write_text(yaml.safe_dump(raw, sort_keys=False))
    return config


def _rss_sampler(pid: int, samples: list[tuple[float, int]], stop: threading.Event) -> None:
    process = psutil.Process(pid)
    started = time.monotonic()
    while not stop.wait(1.0):
        samples.append((time.monotonic() - started, process.memory_info().rss))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--mixed", action="store_true", help="point lookups, aggregations, large Arrow streams"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lakegate-load-"))
    print("writing the demo ...", flush=True)
    config = _config(folder)
    with lakegate_server(config) as (url, pid):
        _wrk(url, "/v1/query", _SMALL_SCRIPT, 8, 2)  # warm the plan cache and the engine
        health = _wrk(url, "/healthz", _HEALTH_SCRIPT, args.clients, min(args.seconds, 20))
        samples: list[tuple[float, int]] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_rss_sampler, args=(pid, samples, stop), daemon=True)
        sampler.start()
        script = _MIXED_SCRIPT if args.mixed else _SMALL_SCRIPT
        queries = _wrk(url, "/v1/query", script, args.clients, args.seconds)
        stop.set()
        sampler.join()
    kind = "mixed workload" if args.mixed else "small queries (ada, point lookups, JSON)"
    rows = [
        (
            f"(l) GET /healthz, {args.clients} clients",
            f"{health['rps']:,.0f}/s, p50 {health['p50'] * 1e3:.1f} ms, p99 {health['p99'] * 1e3:.1f} ms",
        ),
        (
            f"(l) {kind}, {args.clients} clients, {args.seconds} s",
            f"{queries['rps']:,.0f} queries/s, p50 {queries['p50'] * 1e3:.1f} ms, p99 {queries['p99'] * 1e3:.1f} ms, "
            f"{queries['errors']:.0f} errors of {queries['requests']:.0f} (target >= 1,000/s, p99 <= 100 ms, 0 errors)",
        ),
        ("(l) ratio queries / healthz", f"{queries['rps'] / health['rps']:.2f}" if health["rps"] else "n/a"),
    ]
    if len(samples) >= 4:
        quarter = max(len(samples) // 4, 1)
        first = max(r for _, r in samples[:quarter]) / 2**20
        last = max(r for _, r in samples[-quarter:]) / 2**20
        rows.append(("(l) server RSS, first vs last quarter (max)", f"{first:,.0f} MiB -> {last:,.0f} MiB"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
