"""What the engine answers: immutable results that carry the deciding policy and a reason."""

from __future__ import annotations

from dataclasses import dataclass

NO_POLICY = -1


@dataclass(frozen=True, slots=True)
class AccessResult:
    allowed: bool
    audited: bool
    policy_id: int = NO_POLICY
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DataMaskResult:
    """The one mask for a column: the first matching item in evaluation order, or none (``policy_id`` -1)."""

    mask_type: str | None
    condition_expr: str | None
    value_expr: str | None
    policy_id: int
    audited: bool

    @property
    def is_masked(self) -> bool:
        return bool(self.mask_type) and (self.mask_type or "").upper() != "MASK_NONE"


@dataclass(frozen=True, slots=True)
class RowFilterResult:
    """The one row filter for a table: the first matching item in evaluation order, or none."""

    filter_expr: str | None
    policy_id: int
    audited: bool

    @property
    def has_filter(self) -> bool:
        return bool(self.filter_expr and self.filter_expr.strip())
