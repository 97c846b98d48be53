"""Sign-in sessions for the web UI: cookie flags, CSRF, timeouts, sign-out; scripts unaffected."""

from __future__ import annotations

import ssl
import time
from pathlib import Path

import httpx
import pytest

from auth.identity import Identity
from gateway.app import create_app
from gateway.ui.sessions import SessionStore
from tests.server import LiveServer
from tests.tls import self_signed
from tests.ui.conftest import state_store, ui_config


def sign_in(client: httpx.Client, user: str = "ada", password: str = "ada-demo-pw") -> dict[str, str]:
    answer = client.post("/auth/sign-in", json={"user": user, "password": password})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_sign_in_sets_an_httponly_samesite_cookie_and_no_password(ui_server: LiveServer) -> None:
    with httpx.Client(base_url=ui_server.url) as client:
        answer = client.post("/auth/sign-in", json={"user": "ada", "password": "ada-demo-pw"})
        assert answer.status_code == 200
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith("lakegate_session=")
        lowered = cookie.lower()
        assert "httponly" in lowered
        assert "samesite=lax" in lowered
        assert "path=/" in lowered
        assert "secure" not in lowered  # plain HTTP: a Secure cookie would never come back
        body = answer.json()
        assert body["user"] == "ada"
        assert body["groups"] == ["analysts"]
        assert len(body["csrf_token"]) >= 40
        assert "ada-demo-pw" not in answer.text
        session = client.get("/auth/session").json()
        assert session["user"] == "ada"
        assert session["csrf_token"] == body["csrf_token"]


def test_wrong_password_is_refused_and_audited(ui_server: LiveServer) -> None:
    with httpx.Client(base_url=ui_server.url) as client:
        answer = client.post("/auth/sign-in", json={"user": "ada", "password": "wrong"})
        assert answer.status_code == 401
        assert answer.json()["code"] == "UNAUTHENTICATED"
        assert "set-cookie" not in answer.headers
        assert client.get("/auth/session").json()["signed_in"] is False
    audit = httpx.get(
        f"{ui_server.url}/v1/audit", params={"decision": "denied"}, auth=("root", "root-demo-pw")
    ).json()
    records = audit["records"] if isinstance(audit, dict) else audit
    assert any(r["front_door"] == "ui" and r["action"] == "auth" for r in records)


def test_the_session_reads_and_state_changes_need_the_csrf_token(ui_server: LiveServer) -> None:
    with httpx.Client(base_url=ui_server.url) as client:
        token = sign_in(client)["csrf_token"]
        # reads with the cookie alone
        assert client.get("/v1/search", params={"q": "vessels"}).status_code == 200
        sql = {"sql": "SELECT 1 AS one"}
        missing = client.post("/v1/query", json=sql, headers={"Accept": "application/json"})
        assert missing.status_code == 403
        assert missing.json()["code"] == "CSRF_CHECK_FAILED"
        wrong = client.post(
            "/v1/query", json=sql, headers={"Accept": "application/json", "X-CSRF-Token": "x" * 43}
        )
        assert wrong.status_code == 403
        cross_site = client.post(
            "/v1/query",
            json=sql,
            headers={"Accept": "application/json", "X-CSRF-Token": token, "Origin": "http://evil.test"},
        )
        assert cross_site.status_code == 403
        ok = client.post("/v1/query", json=sql, headers={"Accept": "application/json", "X-CSRF-Token": token})
        assert ok.status_code == 200
        assert ok.json()["data"] == [[1]]


def test_queries_run_as_the_signed_in_user(ui_server: LiveServer) -> None:
    sql = {"sql": "SELECT region, count(*) AS n FROM crm.main.customers GROUP BY region ORDER BY region"}
    with httpx.Client(base_url=ui_server.url) as client:
        token = sign_in(client, "sam", "sam-demo-pw")["csrf_token"]
        answer = client.post(
            "/v1/query", json=sql, headers={"Accept": "application/json", "X-CSRF-Token": token}
        )
        assert [row[0] for row in answer.json()["data"]] == ["EMEA"]  # sam's row filter


def test_sign_out_ends_the_session(ui_server: LiveServer) -> None:
    with httpx.Client(base_url=ui_server.url) as client:
        token = sign_in(client)["csrf_token"]
        cookie = client.cookies.get("lakegate_session")
        assert client.post("/auth/sign-out").status_code == 403  # CSRF: a link cannot sign you out
        out = client.post("/auth/sign-out", headers={"X-CSRF-Token": token})
        assert out.status_code == 204
        assert client.get("/auth/session").json()["signed_in"] is False
    # the old cookie is dead on the server, not only deleted in the browser
    replay = httpx.get(f"{ui_server.url}/v1/search", cookies={"lakegate_session": str(cookie)})
    assert replay.status_code == 401


def test_a_new_sign_in_gets_a_new_session_id(ui_server: LiveServer) -> None:
    with httpx.Client(base_url=ui_server.url) as client:
        sign_in(client)
        first = client.cookies.get("lakegate_session")
        sign_in(client, "sam", "sam-demo-pw")
        second = client.cookies.get("lakegate_session")
        assert first != second
    old = httpx.get(f"{ui_server.url}/auth/session", cookies={"lakegate_session": str(first)})
    assert old.json()["signed_in"] is False  # the first session ended at the second sign-in


def test_authorization_header_wins_over_the_cookie(ui_server: LiveServer) -> None:
    with httpx.Client(base_url=ui_server.url) as client:
        sign_in(client)
        # a script's credentials are used as given (no CSRF token needed: no cookie is used)
        answer = client.post(
            "/v1/query",
            json={"sql": "SELECT 1 AS one"},
            headers={"Accept": "application/json"},
            auth=("sam", "sam-demo-pw"),
        )
        assert answer.status_code == 200
        bad = client.get("/v1/search", auth=("ada", "wrong"))
        assert bad.status_code == 401


def test_cross_site_sign_in_and_form_posts_are_refused(ui_server: LiveServer) -> None:
    url = f"{ui_server.url}/auth/sign-in"
    cross = httpx.post(
        url, json={"user": "ada", "password": "ada-demo-pw"}, headers={"Origin": "http://evil.test"}
    )
    assert cross.status_code == 403
    form = httpx.post(url, data={"user": "ada", "password": "ada-demo-pw"})
    assert form.status_code in (400, 422)
    assert "set-cookie" not in form.headers


def test_idle_and_absolute_timeouts(tmp_path: Path) -> None:
    now = [1000.0]
    store = SessionStore(state_store(tmp_path), idle_seconds=60, absolute_seconds=300, clock=lambda: now[0])
    ada = Identity("ada", ("analysts",), "basic")
    sid, _ = store.create(ada)
    now[0] += 59
    assert store.get(sid) is not None  # used: the idle timer restarts
    now[0] += 59
    assert store.get(sid) is not None
    now[0] += 61
    assert store.get(sid) is None  # idle too long
    sid, _ = store.create(ada)
    for _ in range(7):  # kept busy, it still ends at the absolute timeout
        now[0] += 50
        alive = store.get(sid)
    assert alive is None
    assert store.get("not-a-session") is None


def test_idle_timeout_on_a_live_server(demo_dir: Path) -> None:
    config = ui_config(demo_dir, session_idle_minutes=0.02)  # 1.2 s
    with LiveServer(create_app(config)) as live, httpx.Client(base_url=live.url) as client:
        sign_in(client)
        assert client.get("/auth/session").status_code == 200
        time.sleep(1.5)
        assert client.get("/auth/session").json()["signed_in"] is False


def test_over_tls_the_cookie_is_secure_and_host_only(demo_dir: Path, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    config = ui_config(demo_dir)
    options = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    context = ssl.create_default_context(cafile=str(cert))
    with (
        LiveServer(create_app(config), **options) as live,
        httpx.Client(base_url=live.url, verify=context) as client,
    ):
        answer = client.post("/auth/sign-in", json={"user": "ada", "password": "ada-demo-pw"})
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith("__Host-lakegate_session=")
        assert "secure" in cookie.lower()
        assert client.get("/auth/session").json()["user"] == "ada"


def test_the_oldest_sessions_go_past_the_limit(tmp_path: Path) -> None:
    store = SessionStore(state_store(tmp_path), idle_seconds=60, absolute_seconds=300, max_sessions=2)
    ids = [store.create(Identity(f"u{i}"))[0] for i in range(3)]
    assert store.get(ids[0]) is None
    assert store.get(ids[2]) is not None
    assert len(store) == 2


@pytest.mark.parametrize("path", ["/", "/ui/search?q=x", "/ui/entity/abc", "/ui/sql", "/docs"])
def test_pages_are_served_with_a_strict_policy(ui_server: LiveServer, path: str) -> None:
    answer = httpx.get(f"{ui_server.url}{path}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "<script" in answer.text
    assert "://" not in answer.text  # nothing from another host


def test_assets_and_docs_are_local(ui_server: LiveServer) -> None:
    page = httpx.get(f"{ui_server.url}/").text
    assert '<script type="module" src="/ui/assets/app.js">' in page
    app = httpx.get(f"{ui_server.url}/ui/assets/app.js")
    assert app.status_code == 200
    assert "javascript" in app.headers["content-type"]
    docs = httpx.get(f"{ui_server.url}/docs").text
    assert "//" not in docs.replace("<!doctype", "")  # no other host: every asset is under /ui/assets
    for asset in (
        "/ui/assets/docs/swagger-ui-bundle.js",
        "/ui/assets/docs/swagger-ui.css",
        "/ui/assets/docs/docs.js",
    ):
        assert httpx.get(f"{ui_server.url}{asset}").status_code == 200
    assert httpx.get(f"{ui_server.url}/ui/assets/nope.js").status_code == 404
    assert httpx.get(f"{ui_server.url}/redoc").status_code == 404
