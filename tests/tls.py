"""A self-signed certificate for 127.0.0.1 and localhost, for HTTPS tests."""

from __future__ import annotations

from pathlib import Path

from gateway.demo.certificate import write_self_signed


def self_signed(folder: Path) -> tuple[Path, Path]:
    return write_self_signed(folder, days=1)
