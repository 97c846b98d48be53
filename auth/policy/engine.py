"""The policy engine: Ranger's evaluation order and precedence across policies
(``RangerPolicyEngineImpl.evaluatePoliciesForOneAccessTypeNoAudit`` and ``evaluateTagPolicies``).

Order: super users; tag policies for the request's tags; then resource policies by priority (OVERRIDE first),
policies that can deny before the rest, Ranger's eval-order score, name. A deny is final at its priority; an
allow is final once no remaining policy can deny. A NORMAL tag deny is overturned only by an OVERRIDE
resource allow. For masks and row filters the first matching item in that order is the one result.

``_any`` access (listings, ``SHOW``, ``USE``) is answered per access type: allowed if any type is allowed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, replace
from types import MappingProxyType
from typing import Any

from auth.policy.conditions import ConditionContext
from auth.policy.evaluator import EvalContext, Outcome, PolicyEvaluator
from auth.policy.model import (
    POLICY_TYPE_ACCESS,
    POLICY_TYPE_DATAMASK,
    POLICY_TYPE_ROWFILTER,
    Policy,
    PolicyResource,
    ResourceDef,
    ServiceDef,
)
from auth.policy.request import MATCH_TYPE_ORDER, AccessRequest, MatchType, ResourceValue, Tag
from auth.policy.resource_matcher import ValueMatcher, index_key
from auth.policy.results import NO_POLICY, AccessResult, DataMaskResult, RowFilterResult
from auth.policy.service_defs import (
    TAG_SERVICE_DEF,
    hierarchies,
    implied_grants,
    normalize_tag_service_def,
    resources_for,
)
from auth.policy.tags import TaggedResource, TagStore

SUPER_USER_PRIORITY = 2**31 - 1
SUPER_USER_ACCESS = "_super_user"  # the access type that asks whether the user is a super user
_NO_TAGS: Mapping[str, Mapping[str, str]] = MappingProxyType({})
POLICY_TYPES = (POLICY_TYPE_ACCESS, POLICY_TYPE_DATAMASK, POLICY_TYPE_ROWFILTER)


class _RootIndex:
    """Policies filed by the literal values of their root resource (a flat version of Ranger's resource trie).

    A request naming ``catalog=sales`` only meets policies whose catalog values could match ``sales``, plus
    the policies that cannot be filed (wildcards, tokens, excludes). Order is the engine's evaluation order.
    """

    def __init__(self, evaluators: Sequence[PolicyEvaluator], defs: Sequence[ResourceDef]):
        names = {d.name for d in defs}
        self._roots = {d.name: d.matcher_options for d in defs if d.parent not in names}
        self._all = tuple(evaluators)
        filed: dict[str, list[PolicyEvaluator]] = {}
        unfiled: list[PolicyEvaluator] = []
        for evaluator in evaluators:
            keys = [m.root_keys for m in evaluator.matchers]
            if any(k is None for k in keys):
                unfiled.append(evaluator)
                continue
            for key in frozenset().union(*(k for k in keys if k is not None)):
                filed.setdefault(key, []).append(evaluator)
        self._unfiled = tuple(unfiled)
        self._by_key = {
            key: tuple(sorted([*found, *unfiled], key=lambda e: e.sort_key)) for key, found in filed.items()
        }

    def candidates(self, resource: Mapping[str, ResourceValue]) -> tuple[PolicyEvaluator, ...]:
        for name, value in resource.items():
            options = self._roots.get(name)
            if options is None:
                continue
            if isinstance(value, str) and value not in ("", "*"):
                return self._by_key.get(index_key(name, value, options), self._unfiled)
            break
        return self._all


class _TagPolicy:
    __slots__ = ("evaluator", "tag_matcher")

    def __init__(self, evaluator: PolicyEvaluator, tag_matcher: ValueMatcher):
        self.evaluator = evaluator
        self.tag_matcher = tag_matcher


def _fingerprint(*parts: Any) -> str:
    def default(obj: Any) -> Any:
        if isinstance(obj, frozenset | set):
            return sorted(obj)
        return str(obj)

    blob = json.dumps(parts, default=default, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class PolicyEngine:
    """Evaluates access, data-mask and row-filter requests against one service's Ranger policies.

    Immutable after construction and safe to share between threads. ``version`` is a hash of everything the
    answers depend on, usable as a cache key.
    """

    def __init__(
        self,
        policies: Iterable[Policy],
        service_def: ServiceDef,
        *,
        tag_policies: Iterable[Policy] = (),
        tag_service_def: ServiceDef | None = None,
        user_roles: Mapping[str, Iterable[str]] | None = None,
        group_roles: Mapping[str, Iterable[str]] | None = None,
        role_roles: Mapping[str, Iterable[str]] | None = None,
        super_users: Iterable[str] = (),
        super_groups: Iterable[str] = (),
        audit_excluded_users: Iterable[str] = (),
        audit_excluded_groups: Iterable[str] = (),
        audit_excluded_roles: Iterable[str] = (),
        audit_mode: str = "audit-default",
        service_tags: Sequence[TaggedResource] = (),
        version: str | None = None,
    ):
        policies = [p for p in policies if p.is_enabled and p.zone_name is None]
        tag_policies = [p for p in tag_policies if p.is_enabled and p.zone_name is None]
        self.service_def = service_def
        self.component = service_def.name.lower()
        self._user_roles = {u: frozenset(r) for u, r in (user_roles or {}).items()}
        self._group_roles = {g: frozenset(r) for g, r in (group_roles or {}).items()}
        self._role_roles = {r: frozenset(p) for r, p in (role_roles or {}).items()}
        self._super_users = frozenset(super_users)
        self._super_groups = frozenset(super_groups)
        self._audit_excluded = (
            frozenset(audit_excluded_users),
            frozenset(audit_excluded_groups),
            frozenset(audit_excluded_roles),
        )
        self._audit_mode = audit_mode.lower()
        self._has_any_policy = bool(policies) or bool(tag_policies)
        self._any_access_types = tuple(dict.fromkeys(a.name.lower() for a in service_def.access_types)) or (
            "select",
        )

        implied = implied_grants(service_def)
        self._evaluators: dict[int, tuple[PolicyEvaluator, ...]] = {}
        self._index: dict[int, _RootIndex] = {}
        for ptype in POLICY_TYPES:
            defs = resources_for(service_def, ptype)
            paths = hierarchies(defs)
            evaluators = [
                PolicyEvaluator(p, service_def, defs, paths, implied)
                for p in policies
                if p.policy_type == ptype
            ]
            self._evaluators[ptype] = tuple(sorted(evaluators, key=lambda e: e.sort_key))
            self._index[ptype] = _RootIndex(self._evaluators[ptype], defs)

        tag_def = normalize_tag_service_def(tag_service_def or TAG_SERVICE_DEF, self.component)
        tag_defs = tag_def.resources or TAG_SERVICE_DEF.resources
        tag_options = next((r.matcher_options for r in tag_defs if r.name == "tag"), {})
        tag_implied = {**implied, **implied_grants(tag_def)}
        self._tag_policies: dict[int, tuple[_TagPolicy, ...]] = {}
        for ptype in POLICY_TYPES:
            entries = []
            for policy in tag_policies:
                if policy.policy_type != ptype:
                    continue
                evaluator = PolicyEvaluator(
                    policy, tag_def, tag_defs, hierarchies(tag_defs), tag_implied, self.component
                )
                tag_resource = policy.resources.get("tag", PolicyResource())
                entries.append(_TagPolicy(evaluator, ValueMatcher(tag_resource, tag_options)))
            self._tag_policies[ptype] = tuple(entries)
        self._has_tag_policies = bool(tag_policies)
        self._policy_names = {p.id: p.name for p in (*policies, *tag_policies)}
        self._tag_store = TagStore(tuple(service_tags), service_def) if service_tags else None

        self.version = version or _fingerprint(
            [asdict(p) for p in policies],
            [asdict(p) for p in tag_policies],
            asdict(service_def),
            asdict(tag_def),
            self._user_roles,
            self._group_roles,
            self._role_roles,
            self._super_users,
            self._super_groups,
            self._audit_excluded,
            self._audit_mode,
            [asdict(t) for t in service_tags],
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, service_type: str = "trino") -> PolicyEngine:
        """Load a Ranger policies file (test-corpus, plugin-download or Admin-export shape)."""
        from auth.policy.loader import load_bundle

        return load_bundle(path, service_type=service_type).engine()

    # ----------------------------------------------------------------------------------------------- public

    def policy_name(self, policy_id: int) -> str | None:
        """The name of an enabled policy (resource or tag), by id; None when there is none."""
        return self._policy_names.get(policy_id)

    def is_access_allowed(self, request: AccessRequest) -> AccessResult:
        ctx = self._context(request)
        cache: dict[int, MatchType] = {}
        if not request.is_any_access:
            out = self._run(ctx, POLICY_TYPE_ACCESS, request.access_type.lower(), False, cache)
        elif request.ignore_descendant_deny:
            out = self._any_access(ctx, cache)
        else:
            out = self._every_access(ctx, cache)
        return AccessResult(
            allowed=out.allowed,
            audited=out.audited,
            policy_id=out.policy_id,
            reason=out.reason or ("no matching policy" if not out.allowed else None),
        )

    def _any_access(self, ctx: EvalContext, cache: dict[int, MatchType]) -> Outcome:
        """``_any``: allowed when one access type is; denied when every access type is denied."""
        out = Outcome()
        first_deny: Outcome | None = None
        for access_type in self._any_access_types:
            one = self._run(ctx, POLICY_TYPE_ACCESS, access_type, True, cache)
            if one.allowed:
                one.audited = one.audited or out.audited
                return one
            if first_deny is None and one.determined and one.policy_id != NO_POLICY:
                first_deny = one
            out.audited = out.audited or one.audited
        if first_deny is not None:
            first_deny.audited = out.audited
            return first_deny
        return out

    def _every_access(self, ctx: EvalContext, cache: dict[int, MatchType]) -> Outcome:
        """``_any`` when descendant denies count (``isDescendantDenyIgnored`` false): one denied access type
        denies, and only every access type allowed allows (Ranger's composite result, one group per access
        type)."""
        audited = False
        first_allow: Outcome | None = None
        every_allowed = True
        for access_type in self._any_access_types:
            one = self._run(ctx, POLICY_TYPE_ACCESS, access_type, True, cache)
            audited = audited or one.audited
            if not one.allowed and one.determined and one.policy_id != NO_POLICY:
                one.audited = audited
                return one
            if one.allowed:
                first_allow = first_allow or one
            else:
                every_allowed = False
        if every_allowed and first_allow is not None:
            first_allow.audited = audited
            return first_allow
        out = Outcome()
        out.audited = audited
        return out

    def get_data_mask(self, request: AccessRequest) -> DataMaskResult:
        """The mask for one column; ``request.resource`` names the column."""
        ctx = self._context(request)
        out = self._run(ctx, POLICY_TYPE_DATAMASK, _select(request), False, {})
        mask = out.mask if out.matched else None
        return DataMaskResult(
            mask_type=mask.data_mask_type if mask else None,
            condition_expr=_resolve(mask.condition_expr, ctx) if mask else None,
            value_expr=_resolve(mask.value_expr, ctx) if mask else None,
            policy_id=out.policy_id if out.matched else NO_POLICY,
            audited=out.audited,
        )

    def get_row_filter(self, request: AccessRequest) -> RowFilterResult:
        """The row filter for one table; ``request.resource`` names the table."""
        ctx = self._context(request)
        out = self._run(ctx, POLICY_TYPE_ROWFILTER, _select(request), False, {})
        row_filter = out.row_filter if out.matched else None
        return RowFilterResult(
            filter_expr=_resolve(row_filter.filter_expr, ctx) if row_filter else None,
            policy_id=out.policy_id if out.matched else NO_POLICY,
            audited=out.audited,
        )

    def roles_of(self, user: str | None, groups: Iterable[str]) -> frozenset[str]:
        """The roles of a user: direct, through groups (``public`` included), and through roles in roles."""
        roles: set[str] = set(self._user_roles.get(user, ())) if user is not None else set()
        for group in (*groups, "public"):
            roles.update(self._group_roles.get(group, ()))
        pending = list(roles)
        while pending:
            for parent in self._role_roles.get(pending.pop(), ()):
                if parent not in roles:
                    roles.add(parent)
                    pending.append(parent)
        return frozenset(roles)

    # ---------------------------------------------------------------------------------------------- internal

    def _context(self, request: AccessRequest) -> EvalContext:
        when = request.access_time or dt.datetime.now(dt.UTC)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        roles = (
            request.user_roles
            if request.user_roles is not None
            else self.roles_of(request.user, request.user_groups)
        )
        tokens = {k: v for k, v in (("USER", request.user), ("OWNER", request.owner)) if v is not None}
        tags = request.tags
        if not tags and self._tag_store is not None:
            tags = self._tag_store.tags_for(request, request.resource, tokens)
        return EvalContext(
            request=request,
            user=request.user,
            groups=request.user_groups,
            roles=roles,
            tokens=tokens,
            tags=tags,
            access_time=when,
            conditions=ConditionContext(
                access_time=when,
                remote_ip=request.remote_ip,
                tag_attributes={},
                user_attributes=request.user_attributes,
                request_context=request.context,
                groups=request.user_groups,
                roles=roles,
                tags={t.type: t.attributes for t in tags} if tags else _NO_TAGS,
            ),
        )

    def _new_outcome(self, ctx: EvalContext, access_type: str) -> Outcome:
        out = Outcome()
        if self._audit_mode == "audit-all":
            out.set_audit(True)
        elif self._audit_mode == "audit-none":
            out.set_audit(False)
        elif not self._has_any_policy:
            out.set_audit(True)
        users, groups, roles = self._audit_excluded
        if (ctx.user in users) or not groups.isdisjoint(ctx.groups) or not roles.isdisjoint(ctx.roles):
            out.set_audit(False)
        is_super_user = ctx.user in self._super_users or not self._super_groups.isdisjoint(ctx.groups)
        if is_super_user or access_type == SUPER_USER_ACCESS:
            # Super users may do anything; asking for ``_super_user`` asks only whether the user is one.
            out.allowed = is_super_user
            out.determined = True
            out.priority = SUPER_USER_PRIORITY
            out.reason = "superuser" if is_super_user else "not a superuser"
        return out

    def _tag_entries(self, ctx: EvalContext, policy_type: int) -> list[tuple[PolicyEvaluator, Tag]]:
        tags = ctx.tags
        if not tags or not self._tag_policies[policy_type]:
            return []
        found = [
            (entry.evaluator, tag)
            for tag in tags
            for entry in self._tag_policies[policy_type]
            if entry.tag_matcher.is_match(tag.type, ctx.tokens)
            and entry.evaluator.is_applicable(ctx.access_time)
        ]
        if policy_type == POLICY_TYPE_DATAMASK:
            found.sort(key=lambda p: (MATCH_TYPE_ORDER[p[1].match_type], -p[0].priority, p[0].name))
        else:
            found.sort(key=lambda p: p[0].sort_key)
        return found

    def _run(
        self,
        ctx: EvalContext,
        policy_type: int,
        access_type: str,
        any_access: bool,
        cache: dict[int, MatchType],
    ) -> Outcome:
        out = self._new_outcome(ctx, access_type)
        for evaluator, tag in self._tag_entries(ctx, policy_type):
            tag_ctx = replace(ctx, conditions=replace(ctx.conditions, tag_attributes=tag.attributes))
            tag_out = Outcome()
            tag_out.copy_access_from(out)
            tag_out.audited, tag_out.audit_determined = out.audited, out.audit_determined
            evaluator.evaluate(tag_ctx, access_type, any_access, tag_out, tag.match_type, True)
            if tag_out.allowed and not evaluator.has_deny:
                tag_out.determined = True
            if tag_out.audited:
                out.audited, out.audit_determined = tag_out.audited, tag_out.audit_determined
            if not out.determined and (tag_out.determined or (not out.allowed and tag_out.allowed)):
                out.copy_access_from(tag_out)
            if out.audit_determined and out.determined:
                break
        if out.allowed:
            out.determined = True

        if not self._evaluators[policy_type]:
            return out
        evaluators = self._index[policy_type].candidates(ctx.request.resource)
        allowed_by_tags = out.determined and out.allowed
        denied_by_tags = out.determined and not out.allowed
        out.determined = False
        for evaluator in evaluators:
            match_type = cache.get(id(evaluator))
            if match_type is None:
                match_type = evaluator.match_type(ctx.request.resource, ctx.tokens)
                cache[id(evaluator)] = match_type
            if match_type is MatchType.NONE or not evaluator.is_applicable(ctx.access_time):
                continue  # not a likely match (Ranger's resource trie would not return it)
            if denied_by_tags:
                if out.priority >= evaluator.priority:
                    out.determined = True
            elif out.allowed and (
                out.priority > evaluator.priority
                or (policy_type != POLICY_TYPE_ACCESS and out.priority >= evaluator.priority)
            ):
                out.determined = True
            evaluator.evaluate(ctx, access_type, any_access, out, match_type, False)
            if out.allowed and not evaluator.has_deny:
                out.determined = True
            if out.audit_determined and out.determined:
                break
        if not out.determined:
            if denied_by_tags:
                out.allowed = False
            elif allowed_by_tags:
                out.allowed = True
        return out


_REQUEST_EXPR = re.compile(r"\$\{\{\s*(USER|UG|UGNAMES|URNAMES)(?:\.([A-Za-z_][\w.]*))?\s*\}\}")


def _resolve(text: str | None, ctx: EvalContext) -> str | None:
    """Ranger's request expressions in filter/mask expressions: ``${{USER.attr}}``, ``${{USER._name}}``,
    ``${{UGNAMES}}`` / ``${{URNAMES}}`` (group / role names, quoted and comma-separated).
    Anything else is left as written."""
    if not text or "${{" not in text:
        return text

    def quoted(names: Iterable[str]) -> str:
        return ",".join("'" + n.replace("'", "''") + "'" for n in sorted(names))

    def replace(found: re.Match[str]) -> str:
        kind, attr = found.group(1), found.group(2)
        if kind == "USER" and attr == "_name" and ctx.user is not None:
            return ctx.user
        if kind == "USER" and attr and attr in ctx.request.user_attributes:
            return ctx.request.user_attributes[attr]
        if kind == "UGNAMES" and not attr:
            return quoted(ctx.groups)
        if kind == "URNAMES" and not attr:
            return quoted(ctx.roles)
        return found.group(0)

    return _REQUEST_EXPR.sub(replace, text)


def _select(request: AccessRequest) -> str:
    return "select" if request.is_any_access else request.access_type.lower()
