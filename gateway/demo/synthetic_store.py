"""``lakegate demo --catalog-size N``: a large synthetic catalog in the demo's catalog store, for
search benchmarks and for trying the search page at scale.

The entities go into the store as the imported unit ``import:synthetic`` (harvesting never removes
it; they are metadata only, with no data behind them), in one write. Descriptions ride on the
entities' source comments; owners, classifications and terms of the synthetic curation are not
written (one transaction per entity would take minutes at a million).
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from pathlib import Path

from catalog.harvest.harvester import IMPORTED
from catalog.store import CatalogStore
from gateway.demo.synthetic_catalog import synthetic_catalog

UNIT = IMPORTED + "synthetic"


def write_synthetic_catalog(store_path: Path, size: int) -> tuple[int, float]:
    """Write ``size`` synthetic entities; returns (entities written, seconds)."""
    started = time.perf_counter()
    entities = []
    digest = hashlib.sha256(f"synthetic:{size}".encode())
    for row in synthetic_catalog(size):
        entity = row.harvested
        if row.curation is not None and row.curation.description and not entity.comment:
            entity = dataclasses.replace(entity, comment=row.curation.description)
        entities.append(entity)
    store = CatalogStore.sqlite(store_path)
    try:
        counts = store.sync_unit(UNIT, digest.hexdigest(), entities)
    finally:
        store.close()
    return counts.added + counts.changed, time.perf_counter() - started
