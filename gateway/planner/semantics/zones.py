"""Time zone names as Trino accepts them: IANA zones (from the system's tz database) and offsets."""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache

_OFFSET = re.compile(r"^[+-](0\d|1[0-4]):[0-5]\d$")


@lru_cache(maxsize=1024)
def valid_zone(name: str) -> bool:
    if name.upper() in ("UTC", "Z", "GMT", "UT"):
        return True
    if _OFFSET.match(name):
        return True
    if not name or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True
