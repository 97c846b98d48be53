"""SIGHUP reloads users, tokens and policies without a restart, and a running query carries on;
a users file that no longer parses keeps the last good one."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from auth.authn.hashing import hash_password
from tests.test_query_lifecycle import ENDLESS
from tests.test_shutdown import _free_port

ROOT = ("root", "root-demo-pw")
NEWBIE = ("newbie", "newbie-pw-2f9c")


@pytest.fixture
def served(demo_dir: Path, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    users = tmp_path / "users.yaml"
    shutil.copy(demo_dir / "users.yaml", users)
    raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
    raw["auth"]["basic"]["users_file"] = str(users)
    raw["audit"] = {"store": "sqlite", "path": str(tmp_path / "audit.sqlite")}
    raw["catalog"] = {**raw.get("catalog", {}), "path": str(tmp_path / "catalog.sqlite")}
    config = demo_dir / f"lakegate-reload-{tmp_path.name}.yaml"  # beside the demo: relative paths
    config.write_text(yaml.safe_dump(raw))
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--config", str(config), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield url, process, users
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        config.unlink(missing_ok=True)


def _signs_in(url: str, who: tuple[str, str]) -> bool:
    return httpx.get(f"{url}/v1/catalogs", auth=who, timeout=10).status_code == 200


def _until(condition: object, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_sighup_reloads_users_while_a_query_runs(served: tuple[str, subprocess.Popen[bytes], Path]) -> None:
    url, process, users = served
    assert not _signs_in(url, NEWBIE)
    with (
        httpx.Client(base_url=url, timeout=30, auth=ROOT) as root,
        root.stream("POST", "/v1/query", json={"sql": ENDLESS}) as running,
    ):
        query_id = running.headers["x-lakegate-query-id"]
        raw = yaml.safe_load(users.read_text())
        raw["users"]["newbie"] = {"password_hash": hash_password(NEWBIE[1]), "groups": ["analysts"]}
        users.write_text(yaml.safe_dump(raw))
        process.send_signal(signal.SIGHUP)
        assert _until(lambda: _signs_in(url, NEWBIE)), "the new user cannot sign in after SIGHUP"
        assert root.get(f"/v1/queries/{query_id}").json()["state"] == "RUNNING"

        # a broken users file keeps the last good one: nobody is locked out
        users.write_text("users: [this is not a mapping\n")
        process.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        assert process.poll() is None
        assert _signs_in(url, NEWBIE)
        assert _signs_in(url, ROOT)
        reloaded = root.post("/v1/admin/reload").json()
        assert reloaded["authentication"] == "kept"
        assert any("users_file" in e for e in reloaded["errors"])
        assert root.get(f"/v1/queries/{query_id}").json()["state"] == "RUNNING"
        root.delete(f"/v1/queries/{query_id}")
        with pytest.raises(httpx.RemoteProtocolError):
            running.read()


def test_only_admins_may_reload(served: tuple[str, subprocess.Popen[bytes], Path]) -> None:
    url, _, _ = served
    refused = httpx.post(f"{url}/v1/admin/reload", auth=("ada", "ada-demo-pw"), timeout=10)
    assert refused.status_code == 403
