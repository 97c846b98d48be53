"""Progress display for long result downloads (bytes and rows received).

``progress=True`` always shows it, ``False`` never does, and ``None`` (the default) shows it
only in an interactive session: stderr is a terminal or the code runs in a Jupyter kernel, and
not under pytest. It uses ``tqdm.auto`` when tqdm is installed and a one-line stderr meter
otherwise. In automatic mode nothing appears for downloads shorter than :data:`AUTO_DELAY`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import IO, Any, Protocol

__all__ = [
    "AUTO_DELAY",
    "NullProgress",
    "Progress",
    "StderrProgress",
    "TqdmProgress",
    "create_progress",
    "is_interactive",
]

#: Seconds a download must last before the automatic progress display appears.
AUTO_DELAY = 1.0


class Progress(Protocol):
    def add_bytes(self, count: int) -> None: ...

    def add_rows(self, count: int) -> None: ...

    def close(self) -> None: ...


class NullProgress:
    """Shows nothing."""

    def add_bytes(self, count: int) -> None:
        pass

    def add_rows(self, count: int) -> None:
        pass

    def close(self) -> None:
        pass


def format_bytes(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(count) < 1024 or unit == "TiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


class StderrProgress:
    """A minimal one-line meter, redrawn in place with a carriage return."""

    def __init__(
        self,
        *,
        description: str = "lakegate",
        stream: IO[str] | None = None,
        delay: float = 0.0,
        interval: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._description = description
        self._stream = stream if stream is not None else sys.stderr
        self._clock = clock
        self._start = clock()
        self._delay = delay
        self._interval = interval
        self._last_draw: float | None = None
        self._width = 0
        self.bytes = 0
        self.rows = 0
        self.closed = False

    def add_bytes(self, count: int) -> None:
        self.bytes += count
        self._maybe_draw()

    def add_rows(self, count: int) -> None:
        self.rows += count
        self._maybe_draw()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._last_draw is not None:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()

    def _maybe_draw(self) -> None:
        now = self._clock()
        if now - self._start < self._delay:
            return
        if self._last_draw is not None and now - self._last_draw < self._interval:
            return
        self._last_draw = now
        self._draw()

    def _draw(self) -> None:
        elapsed = max(self._clock() - self._start, 1e-9)
        text = (
            f"{self._description}: {format_bytes(self.bytes)}, {self.rows:,} rows, "
            f"{format_bytes(self.bytes / elapsed)}/s"
        )
        padding = " " * max(self._width - len(text), 0)
        self._width = len(text)
        self._stream.write(f"\r{text}{padding}")
        self._stream.flush()


class TqdmProgress:
    """A tqdm bar counting bytes, with the row count as postfix."""

    def __init__(self, bar: Any) -> None:
        self._bar = bar
        self.rows = 0

    def add_bytes(self, count: int) -> None:
        self._bar.update(count)

    def add_rows(self, count: int) -> None:
        self.rows += count
        self._bar.set_postfix_str(f"{self.rows:,} rows", refresh=False)

    def close(self) -> None:
        self._bar.close()


def _in_jupyter() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    return shell is not None and hasattr(shell, "kernel")


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def is_interactive() -> bool:
    """Whether the automatic mode shows progress in this process."""
    if "PYTEST_CURRENT_TEST" in os.environ:
        return False
    return _in_jupyter() or _stderr_is_tty()


def _tqdm_progress(total: int | None, description: str, delay: float) -> Progress | None:
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    try:
        bar = tqdm(
            total=total,
            desc=description,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            delay=delay,
            file=sys.stderr,
        )
    except ImportError:  # tqdm.notebook without ipywidgets
        return None
    return TqdmProgress(bar)


def create_progress(
    enabled: bool | None, *, total_bytes: int | None = None, description: str = "lakegate"
) -> Progress:
    """The progress display for one download, according to the ``progress=`` setting."""
    if enabled is None:
        if not is_interactive():
            return NullProgress()
        delay = AUTO_DELAY
    elif enabled:
        delay = 0.0
    else:
        return NullProgress()
    bar = _tqdm_progress(total_bytes, description, delay)
    if bar is not None:
        return bar
    return StderrProgress(description=description, delay=delay)
