"""Debian's Chromium driven by Playwright (never a downloaded browser), with the checks every
browser test shares: sign-in through the form, no console errors, axe-core, screenshots."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
#: screenshots and measurements; CI keeps the folder as the run's artefacts
ARTIFACTS = Path(os.environ.get("LAKEGATE_UI_ARTIFACTS", ROOT / "tests" / "ui" / "artifacts"))
BLOCKING_IMPACTS = ("serious", "critical")


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def record_figure(name: str, value: Any) -> None:
    """Keep a measured figure (the README quotes them) in artifacts/figures.json."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "figures.json"
    figures = json.loads(path.read_text()) if path.exists() else {}
    figures[name] = value
    path.write_text(json.dumps(figures, indent=2, sort_keys=True))


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays on
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    return [v for v in found if v["impact"] in BLOCKING_IMPACTS]


def api(
    server: LiveServer, path: str, user: str = "root", password: str = "root-demo-pw", **params: Any
) -> Any:
    answer = httpx.get(f"{server.url}{path}", params=params, auth=(user, password), timeout=60)
    answer.raise_for_status()
    return answer.json()


def guid_of(server: LiveServer, name: str) -> str:
    return str(api(server, "/v1/entities", name=name)["guid"])


def no_blocking_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], violations


class ConsoleErrors:
    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)


@contextmanager
def signed_in(browser: Any, base_url: str, user: str, password: str, **context: Any) -> Iterator[Any]:
    """A fresh browser context signed in through the sign-in form."""
    ctx = browser.new_context(
        base_url=base_url, viewport=context.pop("viewport", {"width": 1280, "height": 800}), **context
    )
    try:
        page = ctx.new_page()
        page.console_errors = ConsoleErrors(page)
        page.goto("/")
        page.get_by_label("User").fill(user)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.locator("#signed-in-user").wait_for()
        yield page
    finally:
        ctx.close()
