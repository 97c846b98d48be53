"""The download progress display (lakegate.progress)."""

from __future__ import annotations

import io
import sys
import types

import pyarrow as pa
import pytest
from client_fakes import FakeGateway

from lakegate import progress
from lakegate.progress import NullProgress, StderrProgress, TqdmProgress, create_progress


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_never_shown_under_pytest() -> None:
    assert not progress.is_interactive()
    assert isinstance(create_progress(None), NullProgress)
    assert isinstance(create_progress(False), NullProgress)


def test_auto_mode_in_a_jupyter_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    shell = types.SimpleNamespace(kernel=object())
    fake_ipython = types.ModuleType("IPython")
    fake_ipython.get_ipython = lambda: shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython)
    assert progress.is_interactive()
    shell_without_kernel = types.SimpleNamespace()
    fake_ipython.get_ipython = lambda: shell_without_kernel  # type: ignore[attr-defined]
    monkeypatch.setattr(progress, "_stderr_is_tty", lambda: False)
    assert not progress.is_interactive()


def test_auto_mode_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    monkeypatch.setattr(progress, "_stderr_is_tty", lambda: True)
    shown = create_progress(None)
    assert not isinstance(shown, NullProgress)
    shown.close()


def test_stderr_meter() -> None:
    clock = FakeClock()
    out = io.StringIO()
    meter = StderrProgress(stream=out, delay=1.0, interval=0.5, clock=clock)
    meter.add_bytes(1000)
    assert out.getvalue() == ""  # within the initial delay
    clock.now += 2
    meter.add_bytes(2 * 1024 * 1024)
    meter.add_rows(1234)  # within the redraw interval
    assert out.getvalue().startswith("\rlakegate: 2.0 MiB, 0 rows")
    clock.now += 1
    meter.add_rows(1)
    assert "1,235 rows" in out.getvalue()
    meter.close()
    meter.close()
    assert out.getvalue().endswith("\n")
    assert out.getvalue().count("\n") == 1


def test_stderr_meter_silent_for_short_downloads() -> None:
    out = io.StringIO()
    meter = StderrProgress(stream=out, delay=1.0, clock=FakeClock())
    meter.add_bytes(10)
    meter.add_rows(10)
    meter.close()
    assert out.getvalue() == ""


def test_format_bytes() -> None:
    assert progress.format_bytes(12) == "12 B"
    assert progress.format_bytes(1536) == "1.5 KiB"
    assert progress.format_bytes(3 * 1024**4) == "3.0 TiB"


def test_tqdm_is_used_when_installed(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    shown = create_progress(True)
    assert isinstance(shown, TqdmProgress)
    shown.add_bytes(2048)
    shown.add_rows(7)
    shown.close()
    err = capsys.readouterr().err
    assert "lakegate" in err
    assert "7 rows" in err


def test_stderr_meter_without_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    shown = create_progress(True)
    assert isinstance(shown, StderrProgress)
    shown.close()


def test_query_with_progress(gateway: FakeGateway, capsys: pytest.CaptureFixture[str]) -> None:
    tbl = pa.table({"n": list(range(50))})
    gateway.serve_table(tbl, max_chunksize=10)
    cur = gateway.connect(progress=True).cursor()
    assert cur.execute("SELECT 1").fetch_arrow_table().num_rows == 50
    err = capsys.readouterr().err
    assert "50 rows" in err


def test_query_without_progress_prints_nothing(
    gateway: FakeGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    gateway.serve_table(pa.table({"n": list(range(50))}), max_chunksize=10)
    gateway.connect(progress=None).cursor().execute("SELECT 1").fetchall()
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == ""
