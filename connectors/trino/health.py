"""Is a cluster up? ``GET {url}/v1/info`` every few seconds, as trino-gateway checks its backends.

A cluster is HEALTHY when it answers 200 with ``"starting": false``, UNHEALTHY when it does not
answer, answers otherwise, or fails a query mid-way (marked at once, without waiting for the
next check), and PENDING until its first check. Each cluster has a checker thread; a cluster
that fails is checked again on demand when a query finds no healthy cluster, at most once a
second.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import httpx

from connectors.trino.cluster import TrinoCluster

log = logging.getLogger(__name__)

#: on-demand checks of a failed cluster happen at most this often
RECHECK_SECONDS = 1.0


class State(StrEnum):
    PENDING = "PENDING"
    HEALTHY = "HEALTHY"
    UNHEALTHY = "UNHEALTHY"


@dataclass(frozen=True, slots=True)
class Status:
    state: State
    detail: str
    checked: float  # time.monotonic() of the check, 0 before the first


def _verify(cluster: TrinoCluster) -> ssl.SSLContext | bool:
    if isinstance(cluster.verify, str):
        return ssl.create_default_context(cafile=cluster.verify)
    return cluster.verify


def probe(cluster: TrinoCluster) -> Status:
    """Check a cluster once (no credential is sent: ``/v1/info`` is public on Trino)."""
    timeout = httpx.Timeout(cluster.request_timeout, connect=cluster.connect_timeout)
    now = time.monotonic()
    try:
        with httpx.Client(verify=_verify(cluster), timeout=timeout, follow_redirects=False) as client:
            response = client.get(f"{cluster.url}/v1/info")
    except httpx.TimeoutException:
        return Status(State.UNHEALTHY, "no answer in time", now)
    except httpx.ConnectError as exc:
        refused = "refused" in str(exc).lower()
        return Status(State.UNHEALTHY, "connection refused" if refused else "cannot connect", now)
    except httpx.HTTPError as exc:
        return Status(State.UNHEALTHY, f"request failed ({type(exc).__name__})", now)
    if response.status_code != 200:
        return Status(State.UNHEALTHY, f"/v1/info answered HTTP {response.status_code}", now)
    try:
        info = response.json()
    except ValueError:
        return Status(State.UNHEALTHY, "/v1/info did not answer JSON", now)
    if not isinstance(info, dict) or info.get("starting") is not False:
        return Status(State.UNHEALTHY, "the coordinator is starting", now)
    return Status(State.HEALTHY, "ok", now)


class HealthMonitor:
    """The health of every cluster, kept fresh by one checker thread per cluster."""

    def __init__(self, clusters: Iterable[TrinoCluster], interval_seconds: float) -> None:
        self._clusters = {c.name: c for c in clusters}
        self._interval = interval_seconds
        self._status = {name: Status(State.PENDING, "not checked yet", 0.0) for name in self._clusters}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Check every cluster now (in parallel), then keep checking in the background."""
        first = [
            threading.Thread(target=self.check, args=(c,), name=f"trino-health-{c.name}", daemon=True)
            for c in self._clusters.values()
        ]
        for thread in first:
            thread.start()
        for thread in first:
            thread.join()
        if self._interval > 0:
            for cluster in self._clusters.values():
                thread = threading.Thread(
                    target=self._loop, args=(cluster,), name=f"trino-health-{cluster.name}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _loop(self, cluster: TrinoCluster) -> None:
        while not self._stop.wait(self._interval):
            self.check(cluster)

    def check(self, cluster: TrinoCluster) -> Status:
        status = probe(cluster)
        self._set(cluster, status)
        return status

    def recheck(self, cluster: TrinoCluster) -> Status:
        """Check a cluster that is not healthy now, unless it was checked very recently."""
        current = self.status(cluster)
        if current.state is State.HEALTHY or time.monotonic() - current.checked < RECHECK_SECONDS:
            return current
        return self.check(cluster)

    def mark_unhealthy(self, cluster: TrinoCluster, detail: str) -> None:
        self._set(cluster, Status(State.UNHEALTHY, detail, time.monotonic()))

    def _set(self, cluster: TrinoCluster, status: Status) -> None:
        with self._lock:
            before = self._status[cluster.name]
            self._status[cluster.name] = status
        if before.state is not status.state:
            level = logging.INFO if status.state is State.HEALTHY else logging.WARNING
            log.log(level, "Trino cluster %s is %s: %s", cluster.name, status.state.value, status.detail)

    def status(self, cluster: TrinoCluster) -> Status:
        with self._lock:
            return self._status[cluster.name]

    def healthy(self, cluster: TrinoCluster) -> bool:
        return self.status(cluster).state is State.HEALTHY

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
