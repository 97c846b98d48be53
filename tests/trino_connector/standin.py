"""A second Lakegate, serving its Trino front door, stands in for a Trino cluster.

No Trino can run here; Lakegate's own Trino front door speaks the same client protocol
(``POST /v1/statement``, ``nextUri`` pages, ``DELETE`` to cancel, ``GET /v1/info``), so the
connector is exercised over real HTTP with the real ``trino`` client. A small ASGI wrapper
records the statement requests (to check headers) and can freeze them (a hung coordinator).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import httpx
import yaml
from fastapi import FastAPI

from auth.audit.store import AuditFilter
from auth.authn.hashing import hash_password
from gateway.app import create_app
from gateway.config import LakegateConfig, parse_config
from gateway.queries import QueryRecord
from tests.server import LiveServer

SERVICE_USER = "lakegate_svc"
SERVICE_PASSWORD = "s3rvice-Pa55word-never-shown"


def write_lake(root: Path) -> Path:
    """``lake.s.typed`` (one column per type, a row of NULLs) and ``lake.s.big`` (200k rows)."""
    schema = root / "s"
    schema.mkdir(parents=True, exist_ok=True)
    typed = (schema / "typed.parquet").as_posix()
    big = (schema / "big.parquet").as_posix()
    duckdb.sql(
        f"""COPY (
            SELECT i::BIGINT AS id, (i * 1.5)::DOUBLE AS dbl, (i / 4)::DECIMAL(12, 2) AS dec,
                   'name ' || i AS name, DATE '2024-01-01' + i::INTEGER AS d,
                   TIMESTAMP '2024-01-01 10:00:00' + to_microseconds(i * 1000001) AS ts,
                   i % 2 = 0 AS flag, [i, i + 1]::BIGINT[] AS arr, ['a' || i, NULL] AS tags
            FROM range(5) t(i)
            UNION ALL
            SELECT 99, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
        ) TO '{typed}' (FORMAT parquet)"""
    )
    duckdb.sql(f"COPY (SELECT i::BIGINT AS x FROM range(200000) t(i)) TO '{big}' (FORMAT parquet)")
    return root


def users_file(path: Path) -> Path:
    """Basic users of a stand-in that requires credentials: only Lakegate's service user."""
    users = {SERVICE_USER: {"password_hash": hash_password(SERVICE_PASSWORD)}}
    path.write_text(yaml.safe_dump({"users": users}))
    return path


class Recorder:
    """ASGI wrapper: records ``/v1/statement`` requests; ``freeze`` makes them hang."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._thawed = threading.Event()
        self._thawed.set()

    def freeze(self) -> None:
        """From now on, statement requests get no answer (until :meth:`thaw`)."""
        self._thawed.clear()

    def thaw(self) -> None:
        self._thawed.set()

    async def __call__(
        self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/statement"):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            self.requests.append((scope["method"], scope["path"], headers))
            if not self._thawed.is_set():  # a coordinator that stopped answering
                await asyncio.to_thread(self._thawed.wait)
        await self.app(scope, receive, send)


class StandIn:
    """A Lakegate standing in for a Trino cluster (catalogs ``lake`` and ``mart``: the test data)."""

    def __init__(self, name: str, lake: Path, work: Path, *, basic_auth: bool = False) -> None:
        self.name = name
        raw: dict[str, Any] = {
            "server": {"dev_mode": not basic_auth},
            "catalogs": {
                "lake": {"connector": "files", "root": str(lake)},
                "mart": {"connector": "files", "root": str(lake)},
            },
            "audit": {"path": str(work / f"{name}-audit.sqlite")},
        }
        if basic_auth:
            raw["auth"] = {"basic": {"users_file": str(users_file(work / f"{name}-users.yaml"))}}
        self.config: LakegateConfig = parse_config(raw, work / f"{name}.yaml")
        self.app = create_app(self.config)
        self.recorder = Recorder(self.app)
        self.server = LiveServer(self.recorder)
        self.running = False

    def start(self) -> StandIn:
        self.server.__enter__()
        self.running = True
        warm_up(self.url)
        return self

    def stop(self) -> None:
        if self.running:
            self.running = False
            self.recorder.thaw()
            self.server.__exit__(None, None, None)

    @property
    def url(self) -> str:
        return self.server.url

    def queries(self) -> list[QueryRecord]:
        """Every query the stand-in ran (its query registry)."""
        return list(self.app.state.gateway.queries.recent())

    def queries_with(self, text: str) -> list[QueryRecord]:
        return [q for q in self.queries() if text in q.sql]

    def audited_users(self, text: str) -> list[str]:
        """Users of the audit records whose SQL contains ``text``."""
        records = self.app.state.gateway.audit.query(AuditFilter(action="query", limit=1000))
        return [r.user for r in records if r.sql and text in r.sql]

    def submissions(self) -> list[dict[str, str]]:
        """The headers of every query submitted to the stand-in (``POST /v1/statement``)."""
        return [headers for method, _, headers in self.recorder.requests if method == "POST"]


def warm_up(url: str) -> None:
    """Make the app build its routes now, alone: FastAPI builds them on the first request, and
    apps of one process building at the same time (a stand-in answering a health check while
    another app starts) can trip over shared parameter objects."""
    assert httpx.get(f"{url}/no-such-path").status_code == 404


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, what: str = "the condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")
