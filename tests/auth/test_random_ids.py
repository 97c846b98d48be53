"""Ids from the buffered random source: UUID4s, never repeated, fresh after a fork."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

from auth.random_ids import _RandomBytes, random_hex, random_uuid


def test_uuid_is_version_4_and_unique() -> None:
    ids = [random_uuid() for _ in range(10_000)]
    assert all(i.version == 4 and i.variant == uuid.RFC_4122 for i in ids)
    assert len(set(ids)) == len(ids)


def test_hex_tokens_are_unique_across_threads() -> None:
    seen: list[str] = []
    lock = threading.Lock()

    def draw() -> None:
        mine = [random_hex() for _ in range(2_000)]
        with lock:
            seen.extend(mine)

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8_000
    assert len(set(seen)) == 8_000
    assert all(len(token) == 32 for token in seen)


def test_a_fork_reads_fresh_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked child (another pid) must not hand out the bytes its parent's buffer holds."""
    source = _RandomBytes()
    source.take(8)
    parent_next = source._buffer[8:24]
    monkeypatch.setattr(os, "getpid", lambda: -42)
    child = source.take(16)
    assert child != parent_next
    assert source._at == 16  # a new buffer, read from its start
