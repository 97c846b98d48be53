"""Policy and policy-item conditions.

Supported natively: ``ip-range`` style conditions (``RangerIpMatcher``) and the script templates
``ctx.isAccessedAfter('attr')`` / ``ctx.isAccessedBefore('attr')``
(``RangerScriptTemplateConditionEvaluator``, used by the tag definition's ``enforce-expiry``).
Anything else (JavaScript expressions, custom evaluator classes) is *unsupported*:
:meth:`ConditionSet.evaluate` returns ``None`` and the caller fails closed.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from auth.policy.model import PolicyCondition, ServiceDef

UNSUPPORTED = None


@dataclass(frozen=True, slots=True)
class ConditionContext:
    """What conditions may read: access time, client address and the tag being evaluated."""

    access_time: dt.datetime
    remote_ip: str | None
    tag_attributes: Mapping[str, str]


_Check = Callable[[ConditionContext], bool]

_TEMPLATE = re.compile(r"^\s*ctx\.isAccessed(After|Before)\(\s*'([^']+)'\s*\)\s*;?\s*$")
_DATE_FORMATS = (
    "%Y/%m/%d",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y/%m/%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S%z",
)


def parse_tag_date(text: str) -> dt.datetime | None:
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text.replace("Z", "+0000"), fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def _accessed(after: bool, attribute: str) -> _Check:
    def check(ctx: ConditionContext) -> bool:
        raw = ctx.tag_attributes.get(attribute)
        when = parse_tag_date(raw) if raw else None
        if when is None:
            return False
        return ctx.access_time > when if after else ctx.access_time < when

    return check


def _ip_range(values: Iterable[str]) -> _Check:
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    prefixes: list[str] = []
    for value in values:
        value = value.strip()
        if value.endswith("*"):
            prefixes.append(value.rstrip("*"))
        else:
            networks.append(ipaddress.ip_network(value, strict=False))

    def check(ctx: ConditionContext) -> bool:
        if not ctx.remote_ip:
            return False
        if any(ctx.remote_ip.startswith(p) for p in prefixes):
            return True
        try:
            address = ipaddress.ip_address(ctx.remote_ip)
        except ValueError:
            return False
        return any(address in net for net in networks)

    return check


def _compile_one(cond: PolicyCondition, service_def: ServiceDef) -> _Check | None:
    cond_def = service_def.condition_def(cond.type)
    evaluator = cond_def.evaluator.rsplit(".", 1)[-1] if cond_def else ""
    if evaluator == "RangerIpMatcher" or (cond_def is None and cond.type == "ip-range"):
        return _ip_range(cond.values)
    if evaluator == "RangerScriptTemplateConditionEvaluator" and cond_def is not None:
        template = cond_def.evaluator_options.get("scriptTemplate", "")
        found = _TEMPLATE.match(template)
        if found is None:
            return None
        check = _accessed(found.group(1) == "After", found.group(2))
        # The template applies when the item's value says "yes" (e.g. enforce-expiry: yes).
        enabled = any(v.strip().lower() in ("yes", "true") for v in cond.values)
        if not enabled:
            return lambda ctx: True
        return check
    return None


class ConditionSet:
    """All conditions of one policy or item; all must hold."""

    __slots__ = ("_checks", "_unsupported", "count")

    def __init__(self, conditions: Iterable[PolicyCondition], service_def: ServiceDef):
        checks: list[_Check] = []
        unsupported = False
        count = 0
        for cond in conditions:
            count += 1
            check = _compile_one(cond, service_def)
            if check is None:
                unsupported = True
            else:
                checks.append(check)
        self._checks = tuple(checks)
        self._unsupported = unsupported
        self.count = count

    @property
    def empty(self) -> bool:
        return self.count == 0

    def evaluate(self, ctx: ConditionContext) -> bool | None:
        """True/False, or ``None`` when a condition cannot be evaluated here (the caller fails closed)."""
        for check in self._checks:
            if not check(ctx):
                return False
        return UNSUPPORTED if self._unsupported else True
