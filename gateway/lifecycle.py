"""Stopping cleanly: SIGTERM drains, a second SIGTERM (or SIGINT) stops at once; SIGHUP reloads.

On the first signal the gateway starts draining: ``/readyz`` answers 503 so the balancer sends
new work elsewhere, new queries are refused with ``SERVER_SHUTTING_DOWN`` (retryable), and running
queries get ``server.drain_seconds`` to finish. Then whatever still runs is canceled, the
listeners close, and open connections get a few seconds before uvicorn drops them, so the
process exits within the drain period plus a few seconds even with a client stuck mid-stream.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from types import FrameType
from typing import TYPE_CHECKING, Any

import uvicorn

from gateway.gc_tuning import tune_for_serving

if TYPE_CHECKING:
    from gateway.service import Gateway

log = logging.getLogger(__name__)

#: how long open connections may take to close once the drain is over
CONNECTION_GRACE_SECONDS = 3.0


class Drain:
    """The gateway's draining state: set once, read by admission and readiness."""

    def __init__(self) -> None:
        self._started: float | None = None
        self._lock = threading.Lock()

    @property
    def draining(self) -> bool:
        return self._started is not None

    def begin(self) -> bool:
        """Start draining; False when it had already started."""
        with self._lock:
            if self._started is not None:
                return False
            self._started = time.monotonic()
            return True


class DrainingServer(uvicorn.Server):
    """uvicorn's server, with a drain before the stop (uvicorn's own waits for every connection,
    so a long-running streamed query kept it alive until the query's timeout)."""

    def __init__(self, config: uvicorn.Config, gateway: Gateway, drain_seconds: float) -> None:
        super().__init__(config)
        self.gateway = gateway
        self.drain_seconds = drain_seconds

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.gateway.drain.begin():
            log.warning("second stop signal: canceling every query and stopping now")
            self._cancel_running("the server was stopped")
            self.force_exit = True
            self.should_exit = True
            return
        log.info("stop signal: draining for up to %.0f s", self.drain_seconds)
        threading.Thread(target=self._drain_then_stop, name="lakegate-drain", daemon=True).start()

    def _drain_then_stop(self) -> None:
        deadline = time.monotonic() + self.drain_seconds
        while self.gateway.queries.running() and time.monotonic() < deadline:
            time.sleep(0.05)
        left = self._cancel_running("the server is shutting down")
        if left:
            log.warning("drain period over: canceled %d running queries", left)
        self.should_exit = True

    def _cancel_running(self, reason: str) -> int:
        running = self.gateway.queries.running()
        for record in running:
            self.gateway.cancel(record, reason)
        return len(running)


def serve(
    config: uvicorn.Config,
    gateway: Gateway,
    drain_seconds: float,
    sockets: list[socket.socket] | None = None,
) -> None:
    """Serve until stopped; ``sockets``: listen on these (a worker's, gateway/worker_processes.py)
    instead of binding the configured host and port."""
    config.timeout_graceful_shutdown = int(CONNECTION_GRACE_SECONDS)
    signal.signal(signal.SIGHUP, lambda sig, frame: _reload_in_background(config.app))
    tune_for_serving()  # after start-up built the app: gateway/gc_tuning.py
    DrainingServer(config, gateway, drain_seconds).run(sockets=sockets)


def _reload_in_background(app: Any) -> None:
    """SIGHUP: reload users, tokens, policies and the catalog (gateway/reload.py) on a thread of
    its own; running queries carry on."""
    from gateway.reload import reload

    def run() -> None:
        try:
            reload(app)
        except Exception:
            log.exception("reload failed; the server keeps what it had")

    log.info("SIGHUP: reloading users, tokens, policies and the catalog")
    threading.Thread(target=run, name="lakegate-reload", daemon=True).start()
