"""Write a query's result as a new Parquet version of a materialised table, atomically.

The batches stream into ``<folder>/.v<N>.parquet.tmp``; only a complete, flushed file is renamed
to ``v<N>.parquet`` (one rename on one file system), and only then does the dataset point at it.
Readers planned before keep reading the old version (the old engine still names it; old files are
removed only ``keep_seconds`` after a newer version replaced them); a failure leaves the old
version in place and removes the partial file.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from gateway.execution import plain_batch, plain_schema

_VERSION = re.compile(r"^v(\d+)\.parquet$")


@dataclass(frozen=True, slots=True)
class Written:
    file: str  # the file's name in the dataset's folder
    rows: int
    bytes: int
    schema: pa.Schema


class TooLarge(Exception):
    """The result passed the row or byte limit; nothing was kept."""


def write_version(
    folder: Path,
    version: int,
    schema: pa.Schema,
    batches: Iterable[pa.RecordBatch],
    *,
    max_rows: int,
    max_bytes: int,
) -> Written:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"v{version}.parquet"
    final = folder / name
    partial = folder / f".{name}.tmp"
    schema = plain_schema(schema)
    rows = 0
    nbytes = 0
    try:
        with pq.ParquetWriter(partial, schema, compression="zstd") as writer:
            for batch in batches:
                if batch.num_rows == 0:
                    continue
                rows += batch.num_rows
                nbytes += batch.nbytes
                if rows > max_rows or nbytes > max_bytes:
                    raise TooLarge(f"{max_rows} rows" if rows > max_rows else f"{max_bytes} bytes")
                writer.write_batch(pa.RecordBatch.from_arrays(plain_batch(batch).columns, schema=schema))
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, final)
        _sync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return Written(name, rows, final.stat().st_size, schema)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_old_versions(folder: Path, current: str | None, keep_seconds: float) -> list[str]:
    """Remove each old version once the version that replaced it has been there for
    ``keep_seconds`` (queries planned on the old one finish first), and stale partial files."""
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    now = time.time()
    versions: list[tuple[int, Path, float]] = []
    for path in folder.iterdir():
        match = _VERSION.match(path.name)
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        if match:
            versions.append((int(match.group(1)), path, mtime))
        elif path.name.endswith(".tmp") and now - mtime > 3600:
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path.name)
    versions.sort()
    for (_, path, _), (_, _, replaced_at) in itertools.pairwise(versions):
        if path.name != current and now - replaced_at >= keep_seconds:
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path.name)
    return removed


def next_version(folder: Path, current: int) -> int:
    """A version number above the current one and above any file left in the folder."""
    highest = current
    if folder.is_dir():
        for path in folder.iterdir():
            match = _VERSION.match(path.name)
            if match:
                highest = max(highest, int(match.group(1)))
    return highest + 1
