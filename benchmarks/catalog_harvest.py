"""Harvest rate of the catalog store: entities/s written on a first harvest, the cost of an
unchanged one, and of one where a tenth of the tables changed; plus the demo's real harvest.

    python -m benchmarks.catalog_harvest [--tables 2000 --columns 50] [--store postgres --dsn ...]

The synthetic connector reports ``tables`` tables of ``columns`` columns each (no engine is
read: this measures flattening, fingerprints and the store); the demo figure reads the embedded
engine's metadata too.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def synthetic(tables: int, columns: int, generation: int = 0, changed_every: int = 10) -> list[object]:
    from connectors.base import CatalogInfo, ColumnInfo, TableInfo

    info = CatalogInfo("bench", "synthetic", "A synthetic catalog")
    for t in range(tables):
        schema = f"s{t % 20}"
        rows = t * 10 + (generation if t % changed_every == 0 else 0)
        cols = tuple(ColumnInfo(f"col_{c}", "bigint", True, f"column {c}") for c in range(columns))
        info.schemas.setdefault(schema, {})[f"t{t}"] = TableInfo(
            "bench", schema, f"t{t}", cols, comment=f"table {t}", row_count=rows, storage_format="parquet"
        )
    return [info]


class Synthetic:
    name = "synthetic"
    dialect = "trino"

    def __init__(self, tables: int, columns: int) -> None:
        self.tables, self.columns, self.generation = tables, columns, 0
        self._made: tuple[int, list[object]] = (-1, [])

    def catalogs(self) -> list[object]:
        if self._made[0] != self.generation:
            self._made = (self.generation, synthetic(self.tables, self.columns, self.generation))
        return self._made[1]


def run(store_kind: str, dsn: str | None, tables: int, columns: int) -> None:
    from catalog.service import CatalogService
    from catalog.store import CatalogStore

    with tempfile.TemporaryDirectory() as scratch:
        if store_kind == "postgres":
            assert dsn is not None, "--dsn is needed with --store postgres"
            store = CatalogStore.postgres(dsn, schema=f"bench_{int(time.time())}")
        else:
            store = CatalogStore.sqlite(Path(scratch) / "catalog.sqlite")
        service = CatalogService(store, instance="bench")
        connector = Synthetic(tables, columns)
        for label in ("first (all new)", "unchanged", "a tenth changed"):
            if label == "a tenth changed":
                connector.generation = 1
            started = time.perf_counter()
            result = service.refresh([connector])  # type: ignore[list-item]
            seconds = time.perf_counter() - started
            (source,) = [s for s in result.sources if s.name == "bench"]
            written = source.added + source.changed + source.removed
            print(
                f"{store_kind:8} {label:16} {source.entities:>9,} entities  {seconds * 1000:8.1f} ms  "
                f"{source.entities / seconds:>10,.0f} entities/s  ({written:,} written)"
            )
        started = time.perf_counter()
        merged = len(list(service.entities()))
        print(
            f"{store_kind:8} merged view      {merged:>9,} entities  {(time.perf_counter() - started) * 1000:8.1f} ms"
        )
        service.close()


def demo() -> None:
    import yaml

    from gateway.config import parse_config
    from gateway.connector_factory import build_connectors
    from gateway.demo import generate_demo
    from gateway.service import Gateway

    with tempfile.TemporaryDirectory() as scratch:
        path = generate_demo(Path(scratch))
        raw = yaml.safe_load(path.read_text())
        config = parse_config(raw, path)
        gateway = Gateway(config, build_connectors(config), rebuild_engines=True)
        first = gateway.last_refresh
        again = gateway.refresh_catalog()
        gateway.close()
    print(
        f"demo     first harvest    {first.entities:>9,} entities  {first.duration_ms:8.1f} ms "
        f"(engine metadata read included); unchanged: {again.duration_ms:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--columns", type=int, default=50)
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--dsn", default=None, help="libpq connection string (postgres)")
    args = parser.parse_args()
    run(args.store, args.dsn, args.tables, args.columns)
    demo()


if __name__ == "__main__":
    main()
