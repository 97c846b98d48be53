"""The web UI's tests: a real gateway serving the demo with its real users (no development mode)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog.store.backends import Backend
from catalog.store.store import CatalogStore
from gateway.app import create_app
from gateway.config import LakegateConfig, parse_config
from tests.conftest import server_missing
from tests.server import LiveServer
from tests.ui.browser import AXE, chromium_path


def ui_config(demo_dir: Path, state_dir: Path | None = None, **ui: float) -> LakegateConfig:
    """The demo's config; with ``state_dir``, an audit log and catalog store of its own (what other
    test modules did as ada — her query history — must not show on her pages here)."""
    path = demo_dir / "lakegate.yaml"
    raw = yaml.safe_load(path.read_text())
    if ui:
        raw.setdefault("server", {})["ui"] = ui
    if state_dir is not None:
        raw["audit"] = {"store": "sqlite", "path": str(state_dir / "audit.sqlite")}
        raw["catalog"] = {**raw.get("catalog", {}), "path": str(state_dir / "catalog.sqlite")}
    return parse_config(raw, path)


def state_store(folder: Path) -> Backend:
    """A state store of its own (SQLite), its schema migrated as a server's is."""
    return CatalogStore.sqlite(folder / "state.sqlite").backend


@pytest.fixture(scope="session")
def ui_server(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    state = tmp_path_factory.mktemp("ui-state")
    with LiveServer(create_app(ui_config(demo_dir, state))) as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        server_missing(
            "Debian's Chromium is not installed (apt-get install chromium); the browser tests need it"
        )
    if not AXE.is_file():
        server_missing("axe-core is missing from web/node_modules: run make install")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # root in a container: Chromium's sandbox needs user namespaces it may not have
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()
