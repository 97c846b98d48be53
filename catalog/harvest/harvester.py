"""Harvest every connector: re-read its metadata, turn each logical catalog into entities, and
sync each into the store when its fingerprint changed.

A connector or catalog that fails is reported and skipped (its entities stay as they were);
the others are harvested all the same.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from catalog.harvest.entities import catalog_entities, source_entity, unit_fingerprint
from catalog.harvest.result import FAILED, OK, PARTIAL, REMOVED, SourceResult
from catalog.model import HarvestedEntity
from catalog.store import CatalogStore
from connectors.base import CatalogInfo, Connector, ConnectorError

log = logging.getLogger(__name__)


@runtime_checkable
class RefreshableConnector(Protocol):
    """A connector that can re-read its metadata and say what it could not read."""

    def refresh_metadata(self) -> list[CatalogInfo]: ...

    def unavailable(self) -> dict[str, str]:
        """Catalogs (``name``) or parts of them (``name.schema[.table]``) that failed, with why."""
        ...

    def problems(self) -> dict[str, str]:
        """Configured schemas or tables that do not exist (``name.schema[.table]``), with why."""
        ...


@dataclass
class Harvest:
    """One refresh's outcome: per-source results and the metadata each connector reported."""

    results: list[SourceResult] = field(default_factory=list)
    catalogs: dict[str, CatalogInfo] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)


def harvest(store: CatalogStore, connectors: Sequence[Connector], instance: str) -> Harvest:
    out = Harvest()
    try:
        _sync(store, "@" + instance, [source_entity(instance)])
    except Exception:
        log.exception("the catalog store could not be written")
    for connector in connectors:
        _harvest_connector(store, connector, instance, out)
    configured = {"@" + instance, *out.catalogs, *out.failed}
    try:
        gone = [unit for unit in store.units() if unit not in configured]
        for unit in gone:
            started = time.perf_counter()
            counts = store.remove_unit(unit)
            out.results.append(
                SourceResult(
                    unit, "", REMOVED, "no longer configured", removed=counts.removed,
                    duration_ms=(time.perf_counter() - started) * 1000,
                )
            )  # fmt: skip
    except Exception:
        log.exception("sources no longer configured could not be removed from the catalog store")
    return out


def _harvest_connector(store: CatalogStore, connector: Connector, instance: str, out: Harvest) -> None:
    started = time.perf_counter()
    try:
        if isinstance(connector, RefreshableConnector):
            catalogs = connector.refresh_metadata()
            unavailable, problems = connector.unavailable(), connector.problems()
        else:
            catalogs, unavailable, problems = connector.catalogs(), {}, {}
    except ConnectorError as exc:
        _all_failed(connector, exc.message, started, out)
        return
    except Exception:
        log.exception("harvesting connector %s failed", connector.name)
        _all_failed(connector, "the connector's metadata could not be read", started, out)
        return
    for info in catalogs:
        _harvest_catalog(store, connector, info, instance, unavailable, problems, out)


def _all_failed(connector: Connector, message: str, started: float, out: Harvest) -> None:
    for info in connector.catalogs():
        out.failed.add(info.name)
        out.results.append(
            SourceResult(
                info.name, connector.name, FAILED, message, duration_ms=(time.perf_counter() - started) * 1000
            )
        )


def _harvest_catalog(
    store: CatalogStore,
    connector: Connector,
    info: CatalogInfo,
    instance: str,
    unavailable: dict[str, str],
    problems: dict[str, str],
    out: Harvest,
) -> None:
    started = time.perf_counter()
    name = info.name
    if name in unavailable:
        out.failed.add(name)
        out.results.append(
            SourceResult(
                name,
                connector.name,
                FAILED,
                unavailable[name],
                duration_ms=(time.perf_counter() - started) * 1000,
            )
        )
        return
    notes = [
        f"{key}: {why}"
        for key, why in sorted({**unavailable, **problems}.items())
        if key.startswith(name + ".")
    ]
    try:
        entities = catalog_entities(info, instance)
        counts, unchanged = _sync(store, name, entities)
    except Exception as exc:
        # the store failing is not the source's fault, but this source was not harvested
        log.exception("syncing catalog %s into the catalog store failed", name)
        out.failed.add(name)
        out.results.append(
            SourceResult(
                name, connector.name, FAILED, f"the catalog store failed ({type(exc).__name__})",
                duration_ms=(time.perf_counter() - started) * 1000,
            )
        )  # fmt: skip
        return
    out.catalogs[name] = info
    out.results.append(
        SourceResult(
            name,
            connector.name,
            PARTIAL if notes else OK,
            "; ".join(notes) if notes else None,
            added=counts.added,
            changed=counts.changed,
            removed=counts.removed,
            unchanged=unchanged,
            entities=len(entities),
            duration_ms=(time.perf_counter() - started) * 1000,
        )
    )


@dataclass(frozen=True, slots=True)
class _Counts:
    added: int = 0
    changed: int = 0
    removed: int = 0


def _sync(store: CatalogStore, unit: str, entities: list[HarvestedEntity]) -> tuple[_Counts, bool]:
    """Write the unit unless its fingerprint is the one the store has (then: one read)."""
    digest = unit_fingerprint(entities)
    if store.unit_fingerprint(unit) == digest:
        return _Counts(), True
    counts = store.sync_unit(unit, digest, entities)
    return _Counts(counts.added, counts.changed, counts.removed), False
