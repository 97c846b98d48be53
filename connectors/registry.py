"""The connectors a server runs, and which one serves each logical catalog."""

from __future__ import annotations

from collections.abc import Iterable

from connectors.base import CatalogInfo, Connector


class ConnectorRegistry:
    def __init__(self, connectors: Iterable[Connector]) -> None:
        self._connectors = list(connectors)
        self._by_catalog: dict[str, Connector] = {}
        for connector in self._connectors:
            for catalog in connector.catalogs():
                self._by_catalog[catalog.name] = connector

    def connectors(self) -> list[Connector]:
        return list(self._connectors)

    def for_catalog(self, catalog: str) -> Connector | None:
        return self._by_catalog.get(catalog)

    def catalogs(self) -> list[CatalogInfo]:
        return [c for connector in self._connectors for c in connector.catalogs()]

    def close(self) -> None:
        for connector in self._connectors:
            connector.close()
