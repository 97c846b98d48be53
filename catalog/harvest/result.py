"""What a refresh reports: per source (a logical catalog), whether it was harvested and what changed."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

OK = "ok"
PARTIAL = "partial"  # harvested, but something configured in it is missing or unreadable
FAILED = "failed"  # not harvested: what the store had is kept
REMOVED = "removed"  # no longer configured: its entities are deleted


@dataclass(frozen=True, slots=True)
class SourceResult:
    name: str
    connector: str
    status: str
    #: safe to show: no path, secret or engine-internal name
    message: str | None = None
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: bool = False  # its fingerprint matched: nothing was written
    entities: int = 0
    duration_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class RefreshResult:
    started_at: float
    duration_ms: float
    sources: tuple[SourceResult, ...]
    version: str

    @property
    def failed(self) -> list[SourceResult]:
        return [s for s in self.sources if s.status == FAILED]

    @property
    def problems(self) -> list[SourceResult]:
        return [s for s in self.sources if s.status in (FAILED, PARTIAL)]

    @property
    def entities(self) -> int:
        return sum(s.entities for s in self.sources)

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at,
            "duration_ms": round(self.duration_ms, 3),
            "version": self.version,
            "ok": not self.failed,
            "sources": [asdict(s) for s in self.sources],
        }
