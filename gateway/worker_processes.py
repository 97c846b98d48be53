"""Several worker processes on one port: ``lakegate serve --workers N`` (``server.workers``).

One Python process runs its event loop and the planner on one core at a time; a machine with
more cores serves more queries with more processes. The supervisor (this module, the process the
operator started) binds the port once and starts N workers, each a ``lakegate serve`` of its own
that accepts connections from that one shared socket (the kernel hands each new connection to a
worker waiting for one), so the workers share the load without a balancer in front.

The workers are the instances of a cluster that share a machine (gateway/worker_share.py): each
has its own node id (at the end of its query ids) and a private socket on the cluster's internal
host, registered in the shared state store, so a Trino ``nextUri`` page, a status or a cancel
that reaches another worker is forwarded to the query's owner (gateway/owner_forwarding.py).
Every limit is split among them, so their shares add up to the configured ones.

Signals go to the supervisor, which passes them on: SIGTERM (or Ctrl-C) drains every worker
(gateway/lifecycle.py) and the supervisor exits when they have; a second one stops them at once;
SIGHUP makes each reload. A worker that dies is started again (a new node id: the queries it ran
are gone, and their clients are told so) after a backoff; a worker that fails before it ever
became ready stops the whole server with its exit code (a configuration error is exit code 2).
Each worker also stops if the supervisor dies.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from types import FrameType

from gateway.metrics import MULTIPROCESS_DIR

log = logging.getLogger("lakegate.workers")

#: the supervisor's word to a worker: its index, node id and inherited sockets (JSON)
WORKER_ENV = "LAKEGATE_WORKER"
#: a worker that dies is started again after this long, doubling up to RESTART_MAX_SECONDS
RESTART_SECONDS = 1.0
RESTART_MAX_SECONDS = 30.0
#: how long a worker may take to become ready (harvesting its catalogs) before start-up fails
READY_TIMEOUT_SECONDS = 300.0
#: the shared socket's backlog
BACKLOG = 2048


@dataclass(frozen=True)
class WorkerSpec:
    """What the supervisor tells one worker (in ``LAKEGATE_WORKER``)."""

    index: int
    workers: int
    node_id: str
    #: the inherited listening sockets: the shared port, and this worker's private one
    shared_fd: int
    private_fd: int

    def to_env(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_env(cls, text: str) -> WorkerSpec:
        return cls(**json.loads(text))


def worker_spec() -> WorkerSpec | None:
    """This process's worker spec when a supervisor started it, else None."""
    text = os.environ.get(WORKER_ENV)
    return WorkerSpec.from_env(text) if text else None


def worker_node_id(base: str, index: int) -> str:
    """A fresh node id for worker ``index`` of the server named ``base`` (``server.node_id``)."""
    return f"{base[:10]}{index:02d}{secrets.token_hex(2)}"


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def stop_with_parent() -> None:
    """In a worker: be sent SIGTERM (and so drain) when the supervisor dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() == 1:  # the supervisor died before prctl: stop now
        os.kill(os.getpid(), signal.SIGTERM)


@dataclass
class _Worker:
    index: int
    private: socket.socket
    process: subprocess.Popen[bytes] | None = None
    node_id: str = ""
    ready: bool = False
    failures: int = 0
    restart_at: float | None = None
    pids: list[int] = field(default_factory=list)

    @property
    def private_port(self) -> int:
        return int(self.private.getsockname()[1])


class Supervisor:
    def __init__(
        self,
        command: list[str],
        *,
        workers: int,
        host: str,
        port: int,
        private_host: str,
        node_base: str,
        scheme: str = "http",
    ) -> None:
        self.command = command
        self.scheme = scheme
        self.node_base = node_base
        self.shared = listening_socket(host, port)
        self.workers = [_Worker(i, listening_socket(private_host, 0)) for i in range(workers)]
        self.private_host = private_host
        self.metrics_dir = tempfile.mkdtemp(prefix="lakegate-metrics-")
        self._stopping = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()

    # -- signals ------------------------------------------------------------------------------
    def install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_reload)

    def _on_stop(self, sig: int, frame: FrameType | None) -> None:
        self._stopping += 1
        log.info("stop signal: %s the workers", "draining" if self._stopping == 1 else "stopping")
        self._signal_all(signal.SIGTERM)
        self._wake.set()

    def _on_reload(self, sig: int, frame: FrameType | None) -> None:
        log.info("SIGHUP: every worker reloads")
        self._signal_all(signal.SIGHUP)

    def _signal_all(self, sig: int) -> None:
        for worker in self.workers:
            process = worker.process
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(sig)

    # -- workers ------------------------------------------------------------------------------
    def _start(self, worker: _Worker) -> None:
        worker.node_id = worker_node_id(self.node_base, worker.index)
        spec = WorkerSpec(
            worker.index, len(self.workers), worker.node_id, self.shared.fileno(), worker.private.fileno()
        )
        env = {**os.environ, WORKER_ENV: spec.to_env(), MULTIPROCESS_DIR: self.metrics_dir}
        worker.process = subprocess.Popen(
            self.command,
            env=env,
            pass_fds=(self.shared.fileno(), worker.private.fileno()),
            start_new_session=True,  # a Ctrl-C reaches the supervisor, which drains the workers
        )
        worker.pids.append(worker.process.pid)
        worker.ready = False
        log.info(
            "worker %d (node %s) started as process %d", worker.index, worker.node_id, worker.process.pid
        )

    def _ready(self, worker: _Worker) -> bool:
        url = f"http://{self.private_host}:{worker.private_port}/readyz"
        if self.scheme == "https":
            return self._ready_https(worker)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def _ready_https(self, worker: _Worker) -> bool:
        """Over TLS the private address names a host the certificate holds: a connection that
        is accepted is enough (the worker then answers as its readiness says)."""
        try:
            with socket.create_connection((self.private_host, worker.private_port), timeout=2):
                return True
        except OSError:
            return False

    def _wait_ready(self, worker: _Worker) -> int | None:
        """Wait until the worker answers ready; its exit code if it stopped first."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        assert worker.process is not None
        while time.monotonic() < deadline and not self._stopping:
            code = worker.process.poll()
            if code is not None:
                return code
            if self._ready(worker):
                worker.ready = True
                return None
            time.sleep(0.1)
        if self._stopping:
            return None
        log.error("worker %d did not become ready within %.0f s", worker.index, READY_TIMEOUT_SECONDS)
        return 1

    def run(self) -> int:
        """Start the workers one at a time (the first creates the shared stores' tables), then
        keep them running until a stop signal; the exit code."""
        try:
            for worker in self.workers:
                if self._stopping:
                    break
                self._start(worker)
                code = self._wait_ready(worker)
                if code is not None:
                    log.error("worker %d stopped while starting (exit code %d): stopping", worker.index, code)
                    self._stopping = max(self._stopping, 1)
                    self._signal_all(signal.SIGTERM)
                    self._wait_all()
                    return code or 1
            if not self._stopping:
                host, port = self.shared.getsockname()[:2]
                log.info("%d workers serve %s://%s:%d", len(self.workers), self.scheme, host, port)
            self._supervise()
            return 0
        finally:
            self._wait_all()
            self.shared.close()
            for worker in self.workers:
                worker.private.close()
            shutil.rmtree(self.metrics_dir, ignore_errors=True)

    def _supervise(self) -> None:
        while True:
            if self._stopping:
                return
            now = time.monotonic()
            for worker in self.workers:
                process = worker.process
                if worker.restart_at is not None and now >= worker.restart_at and not self._stopping:
                    worker.restart_at = None
                    self._start(worker)
                    continue
                if process is None or worker.restart_at is not None:
                    continue
                code = process.poll()
                if code is None:
                    if not worker.ready and self._ready(worker):
                        worker.ready = True
                        worker.failures = 0
                    continue
                self._forget(process.pid)
                worker.failures += 1
                delay = min(RESTART_SECONDS * 2 ** (worker.failures - 1), RESTART_MAX_SECONDS)
                log.error(
                    "worker %d (node %s) died (exit code %d): its running queries are lost; "
                    "starting it again in %.0f s",
                    worker.index,
                    worker.node_id,
                    code,
                    delay,
                )
                worker.process = None
                worker.restart_at = now + delay
            self._wake.wait(0.2)
            self._wake.clear()

    def _forget(self, pid: int) -> None:
        """A worker is gone: its live gauges (running, queued) no longer count."""
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, self.metrics_dir)  # type: ignore[no-untyped-call]

    def _wait_all(self) -> None:
        """Wait for every worker to exit; a worker's private socket closes as it exits, so
        what reaches it afterwards is refused at once instead of waiting in its backlog."""
        waiting = [w for w in self.workers if w.process is not None]
        while waiting:
            for worker in list(waiting):
                assert worker.process is not None
                if worker.process.poll() is not None:
                    worker.private.close()
                    self._forget(worker.process.pid)
                    waiting.remove(worker)
            if waiting:
                time.sleep(0.05)
