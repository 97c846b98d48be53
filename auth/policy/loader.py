"""Read Ranger policy documents.

Accepted shapes (unknown keys are ignored everywhere):

* Ranger's policy-engine test corpus: ``serviceName``, ``serviceDef``, ``policies``,
  ``tagPolicyInfo {serviceDef, tagPolicies}``, ``userRoles``, ``groupRoles``, ``roleRoles``,
  ``superUsers``/``superGroups``, ``auditExcludedUsers``/``Groups``/``Roles``, ``auditMode``, and
  ``serviceConfig`` (``ranger.plugin.super.users``/``.groups``, ``ranger.plugin.audit.exclude.users``/
  ``.groups``/``.roles``: comma-separated, added to the lists above);
* the plugin download (``ServicePolicies``): the same with ``tagPolicies {serviceDef, policies}``;
* Ranger Admin's export: ``{"policies": [...]}``, the service definition found from ``serviceType``;
* a bare list of policies.

Tags for requests that carry none come from a ServiceTags document: embedded as ``serviceTags``, or named by a
tag enricher's ``serviceTagsFileName`` option (looked up by file name next to the policies file).

Ranger's own JSON files are read by a lenient Gson; trailing commas are accepted here too.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auth.policy.engine import PolicyEngine
from auth.policy.model import Policy, ServiceDef
from auth.policy.service_defs import BUILTIN_SERVICE_DEFS
from auth.policy.tags import TaggedResource, service_tags_from_json


def strip_trailing_commas(text: str) -> str:
    """Drop commas that directly precede ``]`` or ``}`` outside strings."""
    out: list[str] = []
    in_string = False
    escaped = False
    pending_comma: int | None = None
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch in "]}" and pending_comma is not None:
            out[pending_comma] = ""
        if ch == ",":
            pending_comma = len(out)
        elif not ch.isspace():
            pending_comma = None
        if ch == '"':
            in_string = True
        out.append(ch)
    return "".join(out)


def loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(strip_trailing_commas(text))


def load_json(path: str | os.PathLike[str]) -> Any:
    """Ranger's policy JSON, or the friendlier YAML spelling of it (``.yaml``/``.yml``)."""
    text = Path(path).read_text(encoding="utf-8")
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        import yaml

        from auth.policy.yaml_format import to_ranger_json

        return to_ranger_json(yaml.safe_load(text))
    return loads(text)


def _str_set(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(v.strip() for v in value.split(",") if v.strip())
    return frozenset(str(v) for v in value or ())


# Plugin properties a service's ``serviceConfig`` may carry (``RangerPluginConfig``); each is a
# comma-separated list that adds to the same list given in the document itself.
SUPER_USERS = "ranger.plugin.super.users"
SUPER_GROUPS = "ranger.plugin.super.groups"
AUDIT_EXCLUDE_USERS = "ranger.plugin.audit.exclude.users"
AUDIT_EXCLUDE_GROUPS = "ranger.plugin.audit.exclude.groups"
AUDIT_EXCLUDE_ROLES = "ranger.plugin.audit.exclude.roles"


def _principals(doc: Mapping[str, Any], key: str, config_key: str) -> frozenset[str]:
    """A principal list from the document, plus the same list from its ``serviceConfig``."""
    config = doc.get("serviceConfig")
    from_config = _str_set(config.get(config_key)) if isinstance(config, Mapping) else frozenset()
    return _str_set(doc.get(key)) | from_config


def _role_map(value: Any) -> dict[str, frozenset[str]]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): _str_set(v) for k, v in value.items()}


@dataclass(frozen=True)
class PolicyBundle:
    """Everything one engine needs, as read from a document."""

    service_def: ServiceDef
    policies: tuple[Policy, ...]
    service_name: str | None = None
    tag_service_def: ServiceDef | None = None
    tag_policies: tuple[Policy, ...] = ()
    user_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    group_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    role_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    super_users: frozenset[str] = frozenset()
    super_groups: frozenset[str] = frozenset()
    audit_excluded_users: frozenset[str] = frozenset()
    audit_excluded_groups: frozenset[str] = frozenset()
    audit_excluded_roles: frozenset[str] = frozenset()
    audit_mode: str = "audit-default"
    service_tags: tuple[TaggedResource, ...] = ()
    version: str | None = None

    def engine(self) -> PolicyEngine:
        return PolicyEngine(
            self.policies,
            self.service_def,
            tag_policies=self.tag_policies,
            tag_service_def=self.tag_service_def,
            user_roles=self.user_roles,
            group_roles=self.group_roles,
            role_roles=self.role_roles,
            super_users=self.super_users,
            super_groups=self.super_groups,
            audit_excluded_users=self.audit_excluded_users,
            audit_excluded_groups=self.audit_excluded_groups,
            audit_excluded_roles=self.audit_excluded_roles,
            audit_mode=self.audit_mode,
            service_tags=self.service_tags,
            version=self.version,
        )


def _policies(value: Any) -> tuple[Policy, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return ()
    return tuple(Policy.from_json(p) for p in value if isinstance(p, Mapping))


def _service_def(doc: Mapping[str, Any], policies: Sequence[Any], service_type: str) -> ServiceDef:
    raw = doc.get("serviceDef")
    if isinstance(raw, Mapping):
        return ServiceDef.from_json(raw)
    for policy in policies:
        kind = policy.get("serviceType") if isinstance(policy, Mapping) else None
        if isinstance(kind, str) and kind.lower() in BUILTIN_SERVICE_DEFS:
            return BUILTIN_SERVICE_DEFS[kind.lower()]
    return BUILTIN_SERVICE_DEFS[service_type]


def _tags_file_names(*defs: Any) -> list[str]:
    names = []
    for sdef in defs:
        enrichers = sdef.get("contextEnrichers") if isinstance(sdef, Mapping) else None
        for enricher in enrichers or ():
            options = enricher.get("enricherOptions") if isinstance(enricher, Mapping) else None
            name = options.get("serviceTagsFileName") if isinstance(options, Mapping) else None
            if isinstance(name, str) and name:
                names.append(name)
    return names


def _service_tags(doc: Mapping[str, Any], tag_info: Any, base_dir: Path | None) -> tuple[TaggedResource, ...]:
    embedded = doc.get("serviceTags")
    if isinstance(embedded, Mapping):
        return service_tags_from_json(embedded)
    tag_def = tag_info.get("serviceDef") if isinstance(tag_info, Mapping) else None
    for name in _tags_file_names(tag_def, doc.get("serviceDef")):
        candidate = (base_dir or Path.cwd()) / Path(name).name
        if candidate.is_file():
            return service_tags_from_json(load_json(candidate))
    return ()


def bundle_from_json(doc: Any, *, service_type: str = "trino", base_dir: Path | None = None) -> PolicyBundle:
    """Build a :class:`PolicyBundle` from a parsed document of any accepted shape."""
    version = hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]
    if isinstance(doc, list):
        doc = {"policies": doc}
    if not isinstance(doc, Mapping):
        raise ValueError("a Ranger policies document must be a JSON object or a list of policies")
    raw_policies = doc.get("policies") or []
    tag_info = doc.get("tagPolicyInfo") or doc.get("tagPolicies")
    tag_def: ServiceDef | None = None
    tag_policies: tuple[Policy, ...] = ()
    if isinstance(tag_info, Mapping):
        raw_tag_def = tag_info.get("serviceDef")
        tag_def = ServiceDef.from_json(raw_tag_def) if isinstance(raw_tag_def, Mapping) else None
        tag_policies = _policies(tag_info.get("tagPolicies", tag_info.get("policies")))
    return PolicyBundle(
        service_def=_service_def(doc, raw_policies, service_type),
        policies=_policies(raw_policies),
        service_name=doc.get("serviceName"),
        tag_service_def=tag_def,
        tag_policies=tag_policies,
        user_roles=_role_map(doc.get("userRoles")),
        group_roles=_role_map(doc.get("groupRoles")),
        role_roles=_role_map(doc.get("roleRoles")),
        super_users=_principals(doc, "superUsers", SUPER_USERS),
        super_groups=_principals(doc, "superGroups", SUPER_GROUPS),
        audit_excluded_users=_principals(doc, "auditExcludedUsers", AUDIT_EXCLUDE_USERS),
        audit_excluded_groups=_principals(doc, "auditExcludedGroups", AUDIT_EXCLUDE_GROUPS),
        audit_excluded_roles=_principals(doc, "auditExcludedRoles", AUDIT_EXCLUDE_ROLES),
        audit_mode=str(doc.get("auditMode") or "audit-default"),
        service_tags=_service_tags(doc, tag_info, base_dir),
        version=version,
    )


def load_bundle(path: str | os.PathLike[str], *, service_type: str = "trino") -> PolicyBundle:
    return bundle_from_json(load_json(path), service_type=service_type, base_dir=Path(path).parent)
