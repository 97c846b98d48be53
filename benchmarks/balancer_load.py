"""(b) Scaling out: the same small-query load (64 clients, point lookups as ``ada``, JSON answers)
on one instance and on three instances behind Debian's nginx, measured side by side in
alternating rounds of one run: ``python -m benchmarks.balancer_load``.

All variants share one PostgreSQL database for the audit log and the metadata catalog (what
several instances must share, see README "Several instances behind a balancer"), so the only
difference is how many instances serve and whether nginx sits in front:

- ``one instance``: one ``lakegate serve``, clients connect directly;
- ``one behind nginx``: the same instance through nginx (the balancer's own cost);
- ``three behind nginx``: three instances (node ids n1-n3) behind nginx, least connections;
- ``N workers, one port``: one ``lakegate serve --workers N`` (``--workers``, default 2): N
  processes accepting from one socket, no balancer (gateway/worker_processes.py).

Needs PostgreSQL on 127.0.0.1:5432 with trust auth, nginx (``nginx-light``) and wrk. Targets of
issue 11: three instances behind the balancer serve more than one; >= 1,000 small queries/s with
64 clients, p99 <= 100 ms, 0 errors (``--only-workers`` measures one instance and the workers
alone, with less besides them on the machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import yaml

from benchmarks.__main__ import free_port, lakegate_server, wait_until_ready
from benchmarks.load import _SMALL_SCRIPT, _wrk
from gateway.balancer import Instance, nginx_conf
from tests.postgres_databases import scratch_database


@dataclass
class _Variant:
    label: str
    url: str
    pids: list[int]
    runs: list[dict[str, float]] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def _instance_config(demo: Path, node: str | None) -> Path:
    raw = yaml.safe_load((demo / "lakegate.yaml").read_text())
    server = {**raw.get("server", {}), "dev_mode": True, "engine": {"max_concurrent_queries": 16}}
    if node is not None:
        server["node_id"] = node
    raw["server"] = server
    # a secret is a reference in the configuration: the servers read the DSN from the environment
    raw["audit"] = {"store": "postgres", "dsn": "${LAKEGATE_BENCH_DSN}"}
    raw["catalog"] = {
        **raw.get("catalog", {}),
        "store": "postgres",
        "dsn": "${LAKEGATE_BENCH_DSN}",
        "refresh_seconds": 0,
    }
    raw["catalog"].pop("path", None)
    config = demo / f"balancer-{node or 'single'}.yaml"  # beside the demo: its paths are relative
    config.write_text(yaml.safe_dump(raw, sort_keys=False))
    return config


@contextmanager
def _nginx(folder: Path, instances: list[Instance]) -> Iterator[str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is needed: apt-get install nginx-light")
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / "temp"
    temp.mkdir(exist_ok=True)
    temp.chmod(0o777)
    port = free_port()
    conf = folder / "nginx.conf"
    paths = {"pid": str(folder / "nginx.pid"), "error_log": str(folder / "error.log"), "temp": str(temp)}
    conf.write_text(nginx_conf(instances, f"127.0.0.1:{port}", paths))
    process = subprocess.Popen([nginx, "-c", str(conf), "-p", str(folder)])
    try:
        url = f"http://127.0.0.1:{port}"
        # up and proxying: an instance's readiness answers through it
        wait_until_ready(url, process, f"nginx did not start: see {folder / 'error.log'}", 30)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _cpu(pids: list[int]) -> float:
    """CPU seconds of these processes and their children (a supervisor's workers)."""
    total = 0.0
    for pid in pids:
        process = psutil.Process(pid)
        for member in (process, *process.children(recursive=True)):
            times = member.cpu_times()
            total += times.user + times.system
    return total


def _address(url: str) -> str:
    return url.removeprefix("http://")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per variant")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the one-port variant")
    parser.add_argument(
        "--only-workers", action="store_true", help="one instance and the workers only (no nginx)"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lakegate-balancer-load-"))
    demo = folder / "demo"
    from gateway.demo import generate_demo

    print("writing the demo ...", flush=True)
    generate_demo(demo)
    with scratch_database("lakegate_balancer_bench") as dsn, ExitStack() as stack:
        os.environ["LAKEGATE_BENCH_DSN"] = dsn  # the servers inherit it
        # one at a time: the first instance creates the shared stores' tables
        single_url, single_pid = stack.enter_context(lakegate_server(_instance_config(demo, None)))
        variants = [_Variant("one instance", single_url, [single_pid])]
        if not args.only_workers:
            nodes: list[tuple[str, str, int]] = []
            for node in ("n1", "n2", "n3"):
                url, pid = stack.enter_context(lakegate_server(_instance_config(demo, node)))
                nodes.append((node, url, pid))
            front_single = stack.enter_context(
                _nginx(folder / "nginx-1", [Instance("single", _address(single_url))])
            )
            front_three = stack.enter_context(
                _nginx(folder / "nginx-3", [Instance(node, _address(url)) for node, url, _ in nodes])
            )
            variants += [
                _Variant("one behind nginx", front_single, [single_pid]),
                _Variant("three behind nginx", front_three, [pid for _, _, pid in nodes]),
            ]
        workers_url, workers_pid = stack.enter_context(
            lakegate_server(_instance_config(demo, "w"), extra=("--workers", str(args.workers)))
        )
        variants.append(_Variant(f"{args.workers} workers, one port", workers_url, [workers_pid]))
        for variant in variants:
            _wrk(variant.url, "/v1/query", _SMALL_SCRIPT, 8, 3)  # warm plan caches and engines
        for _ in range(max(args.rounds, 1)):
            for variant in variants:
                before = _cpu(variant.pids)
                run = _wrk(variant.url, "/v1/query", _SMALL_SCRIPT, args.clients, args.seconds, "5s")
                variant.runs.append(run)
                variant.cpu.append((_cpu(variant.pids) - before) / max(run["requests"], 1))
    shutil.rmtree(folder, ignore_errors=True)
    base = statistics.median(r["rps"] for r in variants[0].runs)
    print(
        f"(b) small queries, {args.clients} clients, {args.seconds} s, median of {args.rounds} rounds, "
        f"load average {psutil.getloadavg()[0]:.1f}"
    )
    for variant in variants:
        rps = statistics.median(r["rps"] for r in variant.runs)
        p50 = statistics.median(r["p50"] for r in variant.runs) * 1e3
        p99 = statistics.median(r["p99"] for r in variant.runs) * 1e3
        errors = sum(r["errors"] for r in variant.runs)
        requests = sum(r["requests"] for r in variant.runs)
        cpu = statistics.median(variant.cpu) * 1e3
        print(
            f"(b) {variant.label:<20} {rps:7,.0f} queries/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
            f"{errors:.0f} errors of {requests:.0f}  server CPU/query {cpu:.2f} ms  "
            f"ratio to one instance {rps / base:.2f}"
        )


if __name__ == "__main__":
    main()
