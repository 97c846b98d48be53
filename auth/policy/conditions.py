"""Policy and policy-item conditions.

Supported natively:

* ``ip-range`` style conditions (``RangerIpMatcher``);
* context-value conditions (``RangerSimpleMatcher`` with ``CONTEXT_NAME``: the request context value
  matches one of the condition's values, wildcards allowed);
* the script templates ``ctx.isAccessedAfter('attr')`` / ``ctx.isAccessedBefore('attr')``
  (``RangerScriptTemplateConditionEvaluator``, used by the tag definition's ``enforce-expiry``);
* a small, side-effect-free subset of the JavaScript of ``RangerScriptConditionEvaluator`` (its first value,
  trimmed), with ``IS_IN_ROLE('r')`` and Ranger's other principal and tag macros: see ``script_conditions``.

Anything else (other JavaScript, custom evaluator classes) is *unsupported*: :meth:`ConditionSet.evaluate`
returns ``None`` and the caller fails closed.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Iterable

from auth.policy.condition_context import Check, ConditionContext, accessed
from auth.policy.model import PolicyCondition, ServiceDef
from auth.policy.script_conditions import compile_script

__all__ = ["ConditionContext", "ConditionSet"]

UNSUPPORTED = None

_TEMPLATE = re.compile(r"^\s*ctx\.isAccessed(After|Before)\(\s*'([^']+)'\s*\)\s*;?\s*$")


def _context_value(name: str, values: Iterable[str]) -> Check:
    patterns = [re.compile(fnmatch.translate(v)) for v in values if v]
    if not patterns or any(v == "*" for v in values):
        return lambda ctx: True

    def check(ctx: ConditionContext) -> bool:
        value = ctx.request_context.get(name)
        return value is not None and any(p.match(value) for p in patterns)

    return check


def _ip_range(values: Iterable[str]) -> Check:
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


def _compile_one(cond: PolicyCondition, service_def: ServiceDef) -> Check | None:
    cond_def = service_def.condition_def(cond.type)
    evaluator = cond_def.evaluator.rsplit(".", 1)[-1] if cond_def else ""
    if evaluator == "RangerIpMatcher" or (cond_def is None and cond.type == "ip-range"):
        return _ip_range(cond.values)
    if evaluator == "RangerSimpleMatcher" and cond_def is not None:
        return _context_value(cond_def.evaluator_options.get("CONTEXT_NAME", cond.type), cond.values)
    if evaluator == "RangerScriptConditionEvaluator":
        # As RangerScriptConditionEvaluator.getScript: the first value, trimmed; no script holds.
        script = cond.values[0].strip() if cond.values else ""
        if not script:
            return lambda ctx: True
        return compile_script(script)
    if evaluator == "RangerScriptTemplateConditionEvaluator" and cond_def is not None:
        template = cond_def.evaluator_options.get("scriptTemplate", "")
        found = _TEMPLATE.match(template)
        if found is None:
            return None
        check = accessed(found.group(1) == "After", found.group(2))
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
        checks: list[Check] = []
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
