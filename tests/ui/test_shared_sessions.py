"""Web UI sessions in the state store: they outlive a restart, are shared by instances, keep
nothing usable in the store, and a forged cookie changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest
import yaml

from auth.identity import Identity
from catalog.store.backends import StoreError
from gateway.ui.sessions import TABLE, SessionStore, csrf_token_of
from tests.server import served_process
from tests.ui.conftest import state_store


def _rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT * FROM {TABLE}").fetchall()


def test_the_store_holds_a_hash_of_the_id_and_no_csrf_token(tmp_path: Path) -> None:
    store = SessionStore(state_store(tmp_path), idle_seconds=60, absolute_seconds=300)
    session_id, session = store.create(Identity("ada", ("analysts",), "basic"))
    assert session.csrf_token == csrf_token_of(session_id) != session_id
    dump = repr(_rows(tmp_path / "state.sqlite"))
    assert "ada" in dump
    assert "analysts" in dump
    assert session_id not in dump
    assert session.csrf_token not in dump
    again = store.get(session_id)
    assert again is not None
    assert again.identity == Identity("ada", ("analysts",), "basic")


def test_sign_out_on_one_instance_ends_the_session_on_another_within_the_cache_bound(tmp_path: Path) -> None:
    now = [1000.0]
    backend = state_store(tmp_path)
    a = SessionStore(backend, idle_seconds=600, absolute_seconds=3600, cache_seconds=5, clock=lambda: now[0])
    b = SessionStore(
        state_store(tmp_path), idle_seconds=600, absolute_seconds=3600, cache_seconds=5, clock=lambda: now[0]
    )
    uncached = SessionStore(
        state_store(tmp_path), idle_seconds=600, absolute_seconds=3600, cache_seconds=0, clock=lambda: now[0]
    )
    session_id, _ = a.create(Identity("ada"))
    assert b.get(session_id) is not None  # made on A, known to B
    assert uncached.get(session_id) is not None
    for _ in range(10):  # used on B all along: its cache still lasts only cache_seconds from its read
        now[0] += 0.4
        assert b.get(session_id) is not None
    assert a.end(session_id)
    assert a.get(session_id) is None  # at once where it was ended
    assert uncached.get(session_id) is None  # at once without a cache
    now[0] += 1.01
    assert b.get(session_id) is None  # within cache_seconds elsewhere
    assert len(a) == 0


def test_timeouts_hold_across_instances(tmp_path: Path) -> None:
    now = [1000.0]
    a = SessionStore(state_store(tmp_path), idle_seconds=60, absolute_seconds=300, clock=lambda: now[0])
    b = SessionStore(state_store(tmp_path), idle_seconds=60, absolute_seconds=300, clock=lambda: now[0])
    session_id, _ = a.create(Identity("ada"))
    for _ in range(4):  # used on A only: B sees the uses A recorded, and keeps it alive
        now[0] += 50
        assert a.get(session_id) is not None
        assert b.get(session_id) is not None
    now[0] += 61
    assert b.get(session_id) is None  # idle on both
    assert a.get(session_id) is None
    session_id, _ = a.create(Identity("ada"))
    for _ in range(7):
        now[0] += 50
        alive = [a.get(session_id), b.get(session_id)]
    assert alive == [None, None]  # past the absolute timeout, used or not
    assert _rows(tmp_path / "state.sqlite") == []  # expired rows are gone


def test_a_session_survives_a_server_restart_and_a_forged_cookie_changes_nothing(
    demo_dir: Path, tmp_path: Path
) -> None:
    raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
    raw["audit"] = {"store": "sqlite", "path": str(tmp_path / "audit.sqlite")}
    raw["catalog"] = {
        **raw.get("catalog", {}),
        "path": str(tmp_path / "catalog.sqlite"),
        "refresh_seconds": 0,
    }
    config = demo_dir / "lakegate-restart-test.yaml"  # beside the demo: its paths are relative
    config.write_text(yaml.safe_dump(raw))
    try:
        with served_process(config) as (url, _):
            signed_in = httpx.post(f"{url}/auth/sign-in", json={"user": "ada", "password": "ada-demo-pw"})
            assert signed_in.status_code == 200
            cookie = {"lakegate_session": str(signed_in.cookies["lakegate_session"])}
            token = signed_in.json()["csrf_token"]
        before = _rows(tmp_path / "catalog.sqlite")
        with served_process(config) as (url, _):
            session = httpx.get(f"{url}/auth/session", cookies=cookie).json()
            assert session["signed_in"] is True
            assert session["user"] == "ada"
            assert session["csrf_token"] == token
            query = httpx.post(
                f"{url}/v1/query",
                json={"sql": "SELECT 1 AS one"},
                headers={"Accept": "application/json", "X-CSRF-Token": token},
                cookies=cookie,
            )
            assert query.status_code == 200, query.text

            real = cookie["lakegate_session"]
            altered = ("B" if real[0] == "A" else "A") + real[1:]
            for forged in ("x" * 43, altered, "", "z" * 200):
                jar = {"lakegate_session": forged}
                page = httpx.get(f"{url}/auth/session", cookies=jar)
                assert page.status_code == 200
                assert page.json()["signed_in"] is False, forged
                assert "set-cookie" not in page.headers
                assert httpx.get(f"{url}/v1/search", params={"q": "x"}, cookies=jar).status_code == 401
                out = httpx.post(f"{url}/auth/sign-out", cookies=jar, headers={"X-CSRF-Token": token})
                assert out.status_code == 204  # nothing to end
            after = _rows(tmp_path / "catalog.sqlite")
            assert [r[0] for r in after] == [r[0] for r in before]  # the same one session
            assert httpx.get(f"{url}/auth/session", cookies=cookie).json()["signed_in"] is True
    finally:
        config.unlink()


def test_without_the_state_store_nobody_is_signed_in(tmp_path: Path) -> None:
    backend = state_store(tmp_path)
    store = SessionStore(backend, idle_seconds=60, absolute_seconds=300, cache_seconds=0)
    session_id, _ = store.create(Identity("ada"))
    backend.close()
    assert store.get(session_id) is None  # fails closed: a session is never assumed
    with pytest.raises(StoreError):
        store.create(Identity("ada"))
