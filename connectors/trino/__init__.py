"""Trino clusters as an engine: routing groups, health checks, impersonation, Arrow results."""

from connectors.trino.cluster import TrinoCluster
from connectors.trino.engine import TrinoConnector
from connectors.trino.metadata import TrinoCatalog
from connectors.trino.routing import DEFAULT_GROUP, RoutingRule

__all__ = ["DEFAULT_GROUP", "RoutingRule", "TrinoCatalog", "TrinoCluster", "TrinoConnector"]
