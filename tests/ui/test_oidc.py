"""Sign-in with an OpenID Connect provider (authorization code + PKCE) against a local provider."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml

from gateway.app import create_app
from gateway.config import parse_config
from tests.server import LiveServer
from tests.ui.oidc_provider import Provider


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    state = Provider()
    with LiveServer(state.app()) as live:
        state.issuer = live.url
        yield state


@pytest.fixture(scope="module")
def oidc_server(demo_dir: Path, provider: Provider) -> Iterator[LiveServer]:
    path = demo_dir / "lakegate.yaml"
    raw = yaml.safe_load(path.read_text())
    raw["auth"]["jwt"] = {
        "issuer": provider.issuer,
        "audience": "lakegate",
        "discovery_url": f"{provider.issuer}/.well-known/openid-configuration",
    }
    raw.setdefault("server", {})["ui"] = {"oidc": {"client_id": provider.client_id}}
    with LiveServer(create_app(parse_config(raw, path))) as live:
        yield live


def start(client: httpx.Client, next_path: str = "/ui/sql") -> tuple[httpx.Response, dict[str, str]]:
    started = client.get("/auth/oidc/start", params={"next": next_path})
    assert started.status_code == 303
    location = started.headers["location"]
    return started, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_the_flow_signs_in_with_pkce_and_a_nonce(oidc_server: LiveServer, provider: Provider) -> None:
    provider.next_user = ("ada", ["analysts"])
    with httpx.Client(base_url=oidc_server.url) as client:
        assert client.get("/auth/session").json()["methods"] == ["password", "oidc"]
        started, query = start(client)
        assert started.headers["location"].startswith(f"{provider.issuer}/authorize?")
        assert query["code_challenge_method"] == "S256"
        assert len(query["code_challenge"]) == 43
        assert query["client_id"] == "lakegate-ui"
        assert query["redirect_uri"] == f"{oidc_server.url}/auth/oidc/callback"
        assert query["nonce"]
        assert query["state"]
        assert "lakegate_oidc_state" in started.headers["set-cookie"]
        assert "httponly" in started.headers["set-cookie"].lower()
        at_provider = httpx.get(started.headers["location"])  # the provider signs ada in
        callback = client.get(at_provider.headers["location"])
        assert callback.status_code == 303
        assert callback.headers["location"] == "/ui/sql"
        session = client.get("/auth/session").json()
        assert session["user"] == "ada"
        assert session["groups"] == ["analysts"]
        # the verifier went to the token endpoint, and matched the challenge (else no ID token)
        assert provider.token_requests[-1]["code_verifier"]
        # the session works like a password one: ada's policies apply
        token = session["csrf_token"]
        answer = client.post(
            "/v1/query",
            json={"sql": "SELECT count(*) AS n FROM crm.main.customers"},
            headers={"Accept": "application/json", "X-CSRF-Token": token},
        )
        assert answer.status_code == 200


def test_a_callback_from_another_browser_is_refused(oidc_server: LiveServer, provider: Provider) -> None:
    with httpx.Client(base_url=oidc_server.url) as victim, httpx.Client(base_url=oidc_server.url) as attacker:
        started, _ = start(attacker)
        at_provider = httpx.get(started.headers["location"])
        # the attacker's callback URL, opened in the victim's browser: no state cookie there
        refused = victim.get(at_provider.headers["location"])
        assert refused.status_code == 400
        assert "not started in this browser" in refused.text
        assert victim.get("/auth/session").json()["signed_in"] is False


def test_a_state_and_a_code_are_good_once(oidc_server: LiveServer, provider: Provider) -> None:
    with httpx.Client(base_url=oidc_server.url) as client:
        started, _ = start(client)
        callback_url = httpx.get(started.headers["location"]).headers["location"]
        assert client.get(callback_url).status_code == 303
        client.cookies.set(
            "lakegate_oidc_state", parse_qs(urlsplit(callback_url).query)["state"][0], path="/auth/oidc"
        )
        replay = client.get(callback_url)
        assert replay.status_code == 400
        assert "expired or was already used" in replay.text


def test_a_forged_state_or_an_error_signs_nobody_in(oidc_server: LiveServer) -> None:
    with httpx.Client(base_url=oidc_server.url) as client:
        start(client)
        forged = client.get("/auth/oidc/callback", params={"state": "forged", "code": "x"})
        assert forged.status_code == 400
        denied = client.get("/auth/oidc/callback", params={"error": "access_denied"})
        assert denied.status_code == 400
        assert "access_denied" in denied.text
        assert client.get("/auth/session").json()["signed_in"] is False


def test_an_offsite_next_is_not_followed(oidc_server: LiveServer, provider: Provider) -> None:
    with httpx.Client(base_url=oidc_server.url) as client:
        for evil in ("https://evil.test/", "//evil.test/x", "/\\evil.test"):
            started, _ = start(client, evil)
            callback = client.get(httpx.get(started.headers["location"]).headers["location"])
            assert callback.headers["location"] == "/"


def test_without_oidc_configured_start_is_not_supported(ui_server: LiveServer) -> None:
    answer = httpx.get(f"{ui_server.url}/auth/oidc/start", follow_redirects=False)
    assert answer.status_code == 400
    assert answer.json()["code"] == "NOT_SUPPORTED"
    assert httpx.get(f"{ui_server.url}/auth/session").json()["methods"] == ["password"]


def test_sign_in_with_single_sign_on_in_the_browser(oidc_server: LiveServer, provider: Provider) -> None:
    from tests.conftest import server_missing
    from tests.ui.browser import chromium_path, no_blocking_violations, screenshot

    executable = chromium_path()
    if executable is None:
        server_missing(
            "Debian's Chromium is not installed (apt-get install chromium); the browser tests need it"
        )
    from playwright.sync_api import sync_playwright

    provider.next_user = ("sam", ["support", "emea"])
    with sync_playwright() as playwright:
        browser: Any = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(base_url=oidc_server.url)
            page.goto("/ui/search?q=customers")
            page.locator("#sign-in-oidc").wait_for()
            no_blocking_violations(page)
            screenshot(page, "sign-in-with-sso")
            page.locator("#sign-in-oidc").click()
            page.locator("#signed-in-user").wait_for()
            assert page.locator("#signed-in-user").inner_text() == "sam"
            assert page.url.endswith("/ui/search?q=customers")  # back where the sign-in began
            page.locator("a.hit-name").first.wait_for()
            screenshot(page, "signed-in-with-sso")
        finally:
            browser.close()
