"""The demo as a user meets it: real users with passwords (HTTP Basic), no development mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import lakegate
from gateway.app import create_app
from gateway.config import load_config
from tests.server import LiveServer


@pytest.fixture(scope="module")
def demo_server(demo_dir: Path) -> Iterator[LiveServer]:
    with LiveServer(create_app(load_config(demo_dir / "lakegate.yaml"))) as live:
        yield live


def test_the_demo_needs_credentials(demo_server: LiveServer) -> None:
    anonymous = httpx.post(f"{demo_server.url}/v1/query", json={"sql": "SELECT 1"})
    assert anonymous.status_code == 401
    # the development header means nothing outside development mode
    spoofed = httpx.post(
        f"{demo_server.url}/v1/query", json={"sql": "SELECT 1"}, headers={"X-Lakegate-User": "root"}
    )
    assert spoofed.status_code == 401
    wrong = httpx.post(f"{demo_server.url}/v1/query", json={"sql": "SELECT 1"}, auth=("ada", "nope"))
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "UNAUTHENTICATED"


def test_demo_users_see_what_their_groups_allow(demo_server: LiveServer) -> None:
    sql = "SELECT region, count(*) AS n FROM crm.main.customers GROUP BY region ORDER BY region"
    with lakegate.connect(demo_server.url, user="sam", password="sam-demo-pw", progress=False) as sam:
        assert [r[0] for r in sam.cursor().execute(sql).fetchall()] == ["EMEA"]
    with lakegate.connect(demo_server.url, user="root", password="root-demo-pw", progress=False) as root:
        assert [r[0] for r in root.cursor().execute(sql).fetchall()] == ["AMER", "APAC", "EMEA"]
    with (
        lakegate.connect(demo_server.url, user="eve", password="eve-demo-pw", progress=False) as eve,
        pytest.raises(lakegate.PermissionDeniedError),
    ):
        eve.cursor().execute(sql)
