"""Lakegate speaks Trino's client protocol: ``trino`` (Python), JDBC, SQLAlchemy, BI tools.

``trino_router`` serves ``/v1/statement`` and ``/v1/info``; queries go through the same
planner, limits, metrics and query registry as the native API.
"""

from gateway.frontdoors.trino.routes import router as trino_router
from gateway.frontdoors.trino.settings import TrinoSettings, configure

__all__ = ["TrinoSettings", "configure", "trino_router"]
