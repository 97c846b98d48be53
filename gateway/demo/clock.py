"""The fixed instants the demo data is generated against: never the wall clock."""

from __future__ import annotations

from datetime import datetime, timedelta

# All demo timestamps are naive and in UTC.
SNAPSHOT_AT = datetime(2025, 6, 30, 12, 0, 0)
"""The moment the demo data describes: voyages after it are still under way."""

HISTORY_START = datetime(2024, 12, 1, 0, 0, 0)
"""The first day of the shipping history."""

AIS_WINDOW = timedelta(days=35)
"""How far back before SNAPSHOT_AT the AIS position feed reaches."""
