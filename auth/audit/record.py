"""One audit log entry: who asked what, from where, what was decided, and how it ended.

A record never holds row data, passwords, tokens or headers. The SQL text is kept only when the
server is configured with ``audit.record_sql: text``; its SHA-256 is always kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from auth.random_ids import random_uuid

Action = Literal["query", "browse", "admin", "auth", "metadata"]
Verdict = Literal["allowed", "denied", "error"]
ACTIONS: tuple[str, ...] = get_args(Action)
VERDICTS: tuple[str, ...] = get_args(Verdict)
UNKNOWN_USER = "unknown"
#: longest user, group, address, front door, id or code kept; longer values are cut
MAX_NAME = 256


def utc_now() -> str:
    return iso_utc(datetime.now(UTC))


def iso_utc(moment: datetime) -> str:
    """A fixed-width UTC ISO time, so that text order is time order (naive = UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def clean_text(text: str, limit: int | None = None) -> str:
    """Text every store accepts: no NUL characters, no lone surrogates, at most ``limit`` chars."""
    if limit is not None and len(text) > limit:
        text = text[:limit]
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _name(value: str) -> str:
    return clean_text(value, MAX_NAME)


def _unique(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True, slots=True)
class AuditRecord:
    event_id: str
    time: str
    query_id: str | None
    user: str
    groups: tuple[str, ...]
    client_address: str | None
    front_door: str
    action: Action
    sql: str | None
    sql_sha256: str | None
    resources: tuple[str, ...]
    decision: Verdict
    policy_ids: tuple[int, ...]
    rows: int
    bytes: int
    duration_ms: float
    error_code: str | None
    status: int

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"audit action must be one of {', '.join(ACTIONS)}")
        if self.decision not in VERDICTS:
            raise ValueError(f"audit decision must be one of {', '.join(VERDICTS)}")
        if self.rows < 0 or self.bytes < 0 or self.duration_ms < 0:
            raise ValueError("audit rows, bytes and duration cannot be negative")

    @classmethod
    def new(
        cls,
        *,
        user: str,
        front_door: str,
        action: Action,
        decision: Verdict,
        status: int,
        groups: Iterable[str] = (),
        client_address: str | None = None,
        query_id: str | None = None,
        sql: str | None = None,
        sql_sha256: str | None = None,
        resources: Iterable[str] = (),
        policy_ids: Iterable[int] = (),
        rows: int = 0,
        bytes: int = 0,
        duration_ms: float = 0.0,
        error_code: str | None = None,
    ) -> AuditRecord:
        """A new record with a fresh id and the current time; text is made safe to store."""
        if sql is not None and sql_sha256 is None:
            sql_sha256 = sha256_text(sql)
        return cls(
            event_id=str(random_uuid()),
            time=utc_now(),
            query_id=_name(query_id) if query_id is not None else None,
            user=_name(user) or UNKNOWN_USER,
            groups=_unique(_name(g) for g in groups),
            client_address=_name(client_address) if client_address is not None else None,
            front_door=_name(front_door),
            action=action,
            sql=clean_text(sql) if sql is not None else None,
            sql_sha256=sql_sha256,
            resources=_unique(clean_text(r, 4 * MAX_NAME) for r in resources),
            decision=decision,
            policy_ids=_unique(int(p) for p in policy_ids),
            rows=max(int(rows), 0),
            bytes=max(int(bytes), 0),
            duration_ms=round(max(float(duration_ms), 0.0), 3),
            error_code=_name(error_code) if error_code is not None else None,
            status=int(status),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        data = asdict(self)
        for key in ("groups", "resources", "policy_ids"):
            data[key] = list(data[key])
        return data
