"""A live demo server of its own, for tests that define datasets (they change its state).

Each module that uses it gets a fresh demo (data, catalog store, workspace folder), so datasets
one module defines never reach the session's shared server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import yaml

from gateway.app import create_app
from gateway.config import parse_config
from gateway.demo import generate_demo
from tests.server import LiveServer


def workspace_config_raw(
    demo: Path, workspace: dict[str, Any] | None = None, **server: Any
) -> dict[str, Any]:
    raw = yaml.safe_load((demo / "lakegate.yaml").read_text())
    raw.setdefault("server", {}).update({"dev_mode": True, **server})
    raw["workspaces"][0].update(workspace or {})
    return raw


@contextmanager
def workspace_server(
    demo: Path, workspace: dict[str, Any] | None = None, **server: Any
) -> Iterator[LiveServer]:
    """A fresh demo in ``demo`` (an empty folder), served live in development mode;
    ``workspace`` overrides settings of its workspace catalog."""
    generate_demo(demo)
    path = demo / "lakegate.yaml"
    raw = workspace_config_raw(demo, workspace, **server)
    with LiveServer(create_app(parse_config(raw, path))) as live:
        yield live


class Sql:
    """Statements as any demo user, through the native API (JSON answers)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def run(self, user: str, sql: str, **body: Any) -> httpx.Response:
        return self.client.post(
            "/v1/query",
            json={"sql": sql, **body},
            headers={"X-Lakegate-User": user, "Accept": "application/json"},
        )

    def ok(self, user: str, sql: str, **body: Any) -> list[list[Any]]:
        response = self.run(user, sql, **body)
        assert response.status_code == 200, response.text
        return list(response.json()["data"])

    def refused(self, user: str, sql: str, code: str, status: int | None = None) -> dict[str, Any]:
        response = self.run(user, sql)
        assert response.headers["content-type"].startswith("application/problem+json"), response.text
        problem = dict(response.json())
        assert problem["code"] == code, problem
        if status is not None:
            assert response.status_code == status
        return problem
