"""The web UI's tests: a real gateway serving the demo with its real users (no development mode)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gateway.app import create_app
from gateway.config import LakegateConfig, parse_config
from tests.server import LiveServer


def ui_config(demo_dir: Path, **ui: float) -> LakegateConfig:
    path = demo_dir / "lakegate.yaml"
    raw = yaml.safe_load(path.read_text())
    if ui:
        raw.setdefault("server", {})["ui"] = ui
    return parse_config(raw, path)


@pytest.fixture(scope="session")
def ui_server(demo_dir: Path) -> Iterator[LiveServer]:
    with LiveServer(create_app(ui_config(demo_dir))) as live:
        yield live
