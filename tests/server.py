"""Run a real Lakegate (uvicorn, real sockets) on a free port: in a background thread, or as its
own process (``served_process``) where a test sends signals, measures memory or kills it, or as
``lakegate serve PATH…`` with no config (``instant_process``), reading the address it prints."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn


class LiveServer:
    def __init__(self, app: Any, **options: Any) -> None:
        self.app = app
        self.scheme = "https" if options.get("ssl_certfile") else "http"
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on", **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="lakegate-test-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    @property
    def url(self) -> str:
        sockets = self.server.servers[0].sockets
        host, port = sockets[0].getsockname()[:2]
        return f"{self.scheme}://{host}:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_ready(url: str, process: subprocess.Popen[bytes], what: str = "the server") -> None:
    """Wait for ``/readyz`` to answer 200; fail if the process exits or takes over 90 s."""
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert process.poll() is None, f"{what} exited"
        assert time.monotonic() < deadline, f"{what} did not start"
        time.sleep(0.1)


@contextmanager
def served_process(
    config: Path, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``lakegate serve --config CONFIG`` as its own process on a free port, as in production
    (signals, RSS, kills); stopped (SIGTERM, then SIGKILL) on exit."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--config", str(config), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process)
        yield url, process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


#: the sign-in address ``lakegate serve PATH…`` prints (gateway/instant.py)
SIGN_IN = re.compile(r"(http://127\.0\.0\.1:(\d+)/auth/token-sign-in\?token=(\S+))")


@dataclass(frozen=True)
class InstantServer:
    sign_in_url: str
    url: str
    token: str


@contextmanager
def instant_process(*args: str) -> Iterator[InstantServer]:
    """``lakegate serve ARGS… --no-browser`` on a free port, no config, as its own process: ready
    once uvicorn says so, with the sign-in address (and token) read from what it printed."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", *args, "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    found: list[re.Match[str]] = []
    ready = threading.Event()
    output: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if not found and (match := SIGN_IN.search(line)):
                found.append(match)
            if "Application startup complete" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(120), "".join(output)
        assert found, "".join(output)
        url, printed_port, token = found[0].groups()
        assert int(printed_port) == port
        yield InstantServer(url, f"http://127.0.0.1:{port}", token)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
