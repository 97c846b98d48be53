"""Random ids (UUID4, hex tokens) without a system call per id.

``uuid.uuid4()`` reads the kernel's random source once per call; under load every query made
two of those calls on the event loop (its audit record and its request id), each a release and
re-take of the GIL. Here random bytes are read from the same source (``os.urandom``) a few KiB
at a time and handed out in slices: the ids are as unpredictable as before, never reused (each
byte is handed out once), and a fork does not share a buffer with its parent (the pid is checked).
"""

from __future__ import annotations

import os
import threading
import uuid

_CHUNK = 4096


class _RandomBytes:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buffer = b""
        self._at = 0
        self._pid = -1

    def take(self, size: int) -> bytes:
        with self._lock:
            if self._pid != os.getpid() or self._at + size > len(self._buffer):
                self._buffer = os.urandom(max(_CHUNK, size))
                self._at = 0
                self._pid = os.getpid()
            start = self._at
            self._at = start + size
            return self._buffer[start : start + size]


_RANDOM = _RandomBytes()


def random_uuid() -> uuid.UUID:
    """A version-4 UUID, as ``uuid.uuid4()``."""
    return uuid.UUID(bytes=_RANDOM.take(16), version=4)


def random_hex(size: int = 16) -> str:
    """``size`` random bytes as hex (``uuid.uuid4().hex`` is 16 bytes with 6 bits fixed)."""
    return _RANDOM.take(size).hex()
