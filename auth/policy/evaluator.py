"""One compiled policy: its resource matchers, its items, and Ranger's per-policy evaluation
(``RangerDefaultPolicyEvaluator.evaluate`` / ``evaluatePolicyItems``).

Inside a policy: a matching deny item (not cancelled by a deny exception) denies; otherwise a matching allow
item (not cancelled by an allow exception) allows; otherwise ``isDenyAllElse`` denies. Mask and row-filter
items are tried in the order written and the first match wins.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from auth.policy.conditions import ConditionContext, ConditionSet
from auth.policy.model import (
    POLICY_TYPE_ACCESS,
    DataMaskInfo,
    Policy,
    PolicyItem,
    ResourceDef,
    RowFilterInfo,
    ServiceDef,
)
from auth.policy.request import AccessRequest, MatchingScope, MatchType, ResourceValue, Tag
from auth.policy.resource_matcher import PolicyResourceMatcher, Tokens, best_match_type

GROUP_PUBLIC = "public"
USER_CURRENT = "{USER}"
RESOURCE_OWNER = "{OWNER}"

ALLOW, DENY, ALLOW_EXCEPTION, DENY_EXCEPTION, MASK, ROW_FILTER = range(6)


@dataclass(slots=True)
class EvalContext:
    """Per-request facts computed once: principals, tokens, time."""

    request: AccessRequest
    user: str | None
    groups: frozenset[str]
    roles: frozenset[str]
    tokens: Tokens
    tags: tuple[Tag, ...]
    access_time: dt.datetime
    conditions: ConditionContext


@dataclass(slots=True)
class Outcome:
    """The mutable result that policies are folded into (Ranger's ``RangerAccessResult``)."""

    allowed: bool = False
    determined: bool = False
    audited: bool = False
    audit_determined: bool = False
    policy_id: int = -1
    priority: int = 0
    reason: str | None = None
    mask: DataMaskInfo | None = None
    row_filter: RowFilterInfo | None = None
    matched: bool = False

    def set_audit(self, audited: bool) -> None:
        self.audited = audited
        self.audit_determined = True

    def copy_access_from(self, other: Outcome) -> None:
        self.allowed = other.allowed
        self.determined = other.determined
        self.policy_id = other.policy_id
        self.priority = other.priority
        self.reason = other.reason
        self.mask = other.mask
        self.row_filter = other.row_filter
        self.matched = other.matched


class ItemEvaluator:
    __slots__ = (
        "_any_user",
        "_conditions",
        "_fail_value",
        "_groups",
        "_has_owner",
        "_has_public",
        "_roles",
        "_users",
        "accesses",
        "info_filter",
        "info_mask",
    )

    def __init__(
        self,
        item: PolicyItem,
        kind: int,
        implied: Mapping[str, frozenset[str]],
        component: str | None,
        sdef: ServiceDef,
    ):
        accesses: set[str] = set()
        for access in item.accesses:
            name = access.type.lower()
            if component is not None:
                prefix, sep, rest = name.partition(":")
                if sep:
                    if prefix != component:
                        continue
                    name = rest
            if access.is_allowed:
                accesses.add(name)
                accesses.update(implied.get(name, ()))
        self.accesses = frozenset(accesses)
        self._users = frozenset(item.users)
        self._any_user = USER_CURRENT in self._users
        self._has_owner = RESOURCE_OWNER in self._users
        self._groups = frozenset(item.groups)
        self._has_public = GROUP_PUBLIC in self._groups
        self._roles = frozenset(item.roles)
        self._conditions = ConditionSet(item.conditions, sdef) if item.conditions else None
        self.info_mask = item.data_mask_info
        self.info_filter = item.row_filter_info
        # When a condition cannot be evaluated, fail closed: allows and deny-exceptions do not apply,
        # denies, allow-exceptions, masks and row filters do (a MASK_NONE item does not).
        mask_type = (item.data_mask_info.data_mask_type or "") if item.data_mask_info else ""
        self._fail_value = kind in (DENY, ALLOW_EXCEPTION, ROW_FILTER) or (
            kind == MASK and mask_type.upper() not in ("", "MASK_NONE")
        )

    @property
    def is_empty(self) -> bool:
        return not self.accesses

    def _principal_match(self, ctx: EvalContext) -> bool:
        if ctx.user is not None and (self._any_user or ctx.user in self._users):
            return True
        if self._has_public or not self._groups.isdisjoint(ctx.groups):
            return True
        if self._roles and not self._roles.isdisjoint(ctx.roles):
            return True
        return self._has_owner and ctx.user is not None and ctx.user == ctx.request.owner

    def is_match(self, ctx: EvalContext, access_type: str) -> bool:
        if access_type not in self.accesses or not self._principal_match(ctx):
            return False
        if self._conditions is None:
            return True
        result = self._conditions.evaluate(ctx.conditions)
        return self._fail_value if result is None else result


def _first(items: Sequence[ItemEvaluator], ctx: EvalContext, access_type: str) -> ItemEvaluator | None:
    for item in items:
        if item.is_match(ctx, access_type):
            return item
    return None


_SCORE_DEFAULT = 10000


def _eval_order(policy: Policy, sdef: ServiceDef, allows: Sequence[ItemEvaluator], conditions: int) -> int:
    """Ranger's ``RangerOptimizedPolicyEvaluator.computeEvalOrder``: lower runs first."""
    levels = {r.name: r.level for r in sdef.resources}
    discount = 0
    for _, res in sorted(
        ((levels.get(name, 0), res) for name, res in policy.resources.items() if res.values),
        key=lambda p: p[0],
    ):
        if any(v == "" or v == "*" for v in res.values):
            discount += 25
            continue
        if any("*" in v for v in res.values):
            discount += 10
        elif any("?" in v for v in res.values):
            discount += 5
        discount += 5 if res.is_excludes else 0
        discount += 5 if res.is_recursive else 0
    order = _SCORE_DEFAULT - min(100, discount)
    users = {u for i in policy.policy_items for u in i.users}
    groups = {g for i in policy.policy_items for g in i.groups}
    order -= 25 if GROUP_PUBLIC in {g.lower() for g in groups} else min(len(users) + len(groups), 25)
    perms = {a for item in allows for a in item.accesses}
    if sdef.access_types:
        order -= math.floor(25 * len(perms) / len(sdef.access_types) + 0.5)
    custom = 25 - 5 * conditions
    return order - custom if custom > 0 else order


def _parse_schedule_time(text: str | None, zone: str | None) -> dt.datetime | None:
    if not text:
        return None
    parsed = dt.datetime.strptime(text.strip(), "%Y/%m/%d %H:%M:%S")
    try:
        tz: dt.tzinfo = ZoneInfo(zone) if zone else dt.UTC
    except (KeyError, ValueError):
        tz = dt.UTC
    return parsed.replace(tzinfo=tz)


class PolicyEvaluator:
    """A policy compiled for evaluation against one service definition."""

    def __init__(
        self,
        policy: Policy,
        sdef: ServiceDef,
        resource_defs: Sequence[ResourceDef],
        hierarchies: Sequence[tuple[str, ...]],
        implied: Mapping[str, frozenset[str]],
        component: str | None = None,
    ):
        self.policy = policy
        self.id = policy.id
        self.name = policy.name
        self.priority = policy.policy_priority
        self.policy_type = policy.policy_type
        self.is_audit_enabled = policy.is_audit_enabled
        self.is_deny_all_else = policy.is_deny_all_else and policy.policy_type == POLICY_TYPE_ACCESS

        def build(items: Sequence[PolicyItem], kind: int) -> tuple[ItemEvaluator, ...]:
            built = (ItemEvaluator(i, kind, implied, component, sdef) for i in items)
            if component is None:
                return tuple(built)
            return tuple(i for i in built if not i.is_empty)  # items left without accesses are pruned

        self.allows = build(policy.policy_items, ALLOW)
        self.denies = build(policy.deny_policy_items, DENY)
        self.allow_exceptions = build(policy.allow_exceptions, ALLOW_EXCEPTION)
        self.deny_exceptions = build(policy.deny_exceptions, DENY_EXCEPTION)
        self.masks = build(policy.data_mask_policy_items, MASK)
        self.filters = build(policy.row_filter_policy_items, ROW_FILTER)
        self.has_deny = bool(self.denies) or self.is_deny_all_else
        self.conditions = ConditionSet(policy.conditions, sdef)
        self.matchers = tuple(
            PolicyResourceMatcher(res, resource_defs, hierarchies)
            for res in (policy.resources, *policy.additional_resources)
        )
        item_conditions = sum(
            len(i.conditions)
            for items in (
                policy.policy_items,
                policy.deny_policy_items,
                policy.allow_exceptions,
                policy.deny_exceptions,
            )
            for i in items
        )
        self.eval_order = _eval_order(policy, sdef, self.allows, item_conditions + self.conditions.count)
        self.sort_key = (-self.priority, 0 if self.has_deny else 1, self.eval_order, self.name)
        self._schedules = tuple(
            (_parse_schedule_time(s.start_time, s.time_zone), _parse_schedule_time(s.end_time, s.time_zone))
            for s in policy.validity_schedules
        )

    def is_applicable(self, when: dt.datetime) -> bool:
        if not self._schedules:
            return True
        for start, end in self._schedules:
            if (start is None or when >= start) and (end is None or when <= end):
                return True
        return False

    def match_type(self, resource: Mapping[str, ResourceValue], tokens: Tokens) -> MatchType:
        return best_match_type(self.matchers, resource, tokens)

    def evaluate(
        self,
        ctx: EvalContext,
        access_type: str,
        any_access: bool,
        out: Outcome,
        match_type: MatchType,
        is_tag: bool,
    ) -> None:
        """Fold this policy into ``out`` (audit first, then access if still undetermined).

        ``match_type`` is the policy's resource match, or for a tag policy the tag's match type.
        """
        if out.determined and out.audit_determined:
            return
        # RANGER-4990: a policy on the resource or on everything below it applies; one on a descendant only to
        # ``_any`` access and descendant scopes; one on an ancestor never (a tag on an ancestor always does).
        wide = any_access or ctx.request.matching_scope is not MatchingScope.SELF
        matched = (
            match_type in (MatchType.SELF, MatchType.SELF_AND_ALL_DESCENDANTS)
            or (wide and match_type is MatchType.DESCENDANT)
            or (is_tag and match_type is MatchType.ANCESTOR)
        )
        if not matched or not self._policy_conditions_hold(ctx):
            return
        if not out.audit_determined and self.is_audit_enabled:
            out.set_audit(True)
        if not out.determined:
            self._evaluate_items(
                ctx, access_type, match_type, out, empty=not is_tag and not ctx.request.resource
            )

    def _policy_conditions_hold(self, ctx: EvalContext) -> bool:
        if self.conditions.empty:
            return True
        result = self.conditions.evaluate(ctx.conditions)
        # Unsupported policy-level condition: a policy that can deny still applies,
        # an allow-only one does not.
        return self.has_deny if result is None else result

    def _evaluate_items(
        self, ctx: EvalContext, access_type: str, match_type: MatchType, out: Outcome, empty: bool
    ) -> None:
        if self.policy_type == POLICY_TYPE_ACCESS:
            deny = _first(self.denies, ctx, access_type)
            if deny is not None and _first(self.deny_exceptions, ctx, access_type) is not None:
                deny = None
            if deny is not None:
                # A matching deny item decides this policy, even when the deny itself is ignored
                # (descendant match with ignore_descendant_deny, or an empty resource).
                self._update(out, match_type, False, None, empty, ctx.request.ignore_descendant_deny)
                return
            if out.determined:
                return
            allow = _first(self.allows, ctx, access_type)
            if allow is not None and _first(self.allow_exceptions, ctx, access_type) is not None:
                allow = None
            if allow is not None:
                self._update(out, match_type, True, None, empty, False)
            elif self.is_deny_all_else:
                reason = "matched deny-all-else policy"
                self._update(out, match_type, False, reason, empty, ctx.request.ignore_descendant_deny)
            return
        items = self.masks if self.policy_type == 1 else self.filters
        item = _first(items, ctx, access_type)
        if item is None:
            return
        out.mask = item.info_mask
        out.row_filter = item.info_filter
        out.matched = True
        out.allowed = True
        out.policy_id = self.id
        out.priority = self.priority

    def _update(
        self,
        out: Outcome,
        match_type: MatchType,
        allowed: bool,
        reason: str | None,
        empty: bool,
        ignore_descendant_deny: bool,
    ) -> None:
        if not allowed:
            if empty or (ignore_descendant_deny and match_type is MatchType.DESCENDANT):
                return
            out.allowed = False
            out.determined = True
        elif out.allowed:
            return
        else:
            out.allowed = True
        out.policy_id = self.id
        out.priority = self.priority
        out.reason = reason or f"policy {self.id} ({self.name})"
