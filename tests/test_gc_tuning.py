"""A serving process freezes what start-up built and collects its young generation less often
(gateway/gc_tuning.py), and ``serve`` does so once the app is built."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from gateway import lifecycle
from gateway.gc_tuning import THRESHOLDS


def test_tuning_freezes_start_up_and_raises_the_thresholds() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc; from gateway.gc_tuning import tune_for_serving; tune_for_serving(); "
            "print(gc.get_freeze_count(), *gc.get_threshold())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, *thresholds = (int(n) for n in done.stdout.split())
    assert frozen > 1_000  # the objects of the modules imported so far
    assert tuple(thresholds) == THRESHOLDS


def test_serve_tunes_before_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(lifecycle, "tune_for_serving", lambda: calls.append("tune"))
    monkeypatch.setattr(lifecycle.DrainingServer, "run", lambda self, sockets=None: calls.append("run"))
    monkeypatch.setattr(lifecycle.signal, "signal", lambda *args: None)
    config: Any = type("Config", (), {"app": None})()
    lifecycle.serve(config, gateway=None, drain_seconds=1)  # type: ignore[arg-type]
    assert calls == ["tune", "run"]
