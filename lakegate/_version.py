"""The installed client version (used in the User-Agent header)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lakegate")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
