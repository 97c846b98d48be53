"""Ranger's policy and service-definition model as frozen dataclasses.

Parsing follows the Java defaults of ``org.apache.ranger.plugin.model``: a missing ``isEnabled`` or
``isAuditEnabled`` is true, a missing ``policyPriority``/``policyType`` is 0, a missing ``isAllowed`` on an
access is true. Unknown keys are ignored, so policy exports from any Ranger version load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JsonObj = Mapping[str, Any]

POLICY_TYPE_ACCESS = 0
POLICY_TYPE_DATAMASK = 1
POLICY_TYPE_ROWFILTER = 2
POLICY_TYPE_AUDIT = 3

POLICY_PRIORITY_NORMAL = 0
POLICY_PRIORITY_OVERRIDE = 1


def _bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _int(value: Any, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _str_tuple(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value if v is not None)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _objs(value: Any) -> list[JsonObj]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, Mapping)]


@dataclass(frozen=True, slots=True)
class PolicyItemAccess:
    type: str
    is_allowed: bool = True

    @classmethod
    def from_json(cls, obj: JsonObj) -> PolicyItemAccess:
        return cls(type=str(obj.get("type") or ""), is_allowed=_bool(obj.get("isAllowed"), True))


@dataclass(frozen=True, slots=True)
class PolicyCondition:
    """A policy-level or item-level condition: ``{type, values}``."""

    type: str
    values: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, obj: JsonObj) -> PolicyCondition:
        return cls(type=str(obj.get("type") or ""), values=_str_tuple(obj.get("values")))


@dataclass(frozen=True, slots=True)
class DataMaskInfo:
    data_mask_type: str | None = None
    condition_expr: str | None = None
    value_expr: str | None = None

    @classmethod
    def from_json(cls, obj: JsonObj) -> DataMaskInfo:
        return cls(
            data_mask_type=_opt_str(obj.get("dataMaskType")),
            condition_expr=_opt_str(obj.get("conditionExpr")),
            value_expr=_opt_str(obj.get("valueExpr")),
        )


@dataclass(frozen=True, slots=True)
class RowFilterInfo:
    filter_expr: str | None = None

    @classmethod
    def from_json(cls, obj: JsonObj) -> RowFilterInfo:
        return cls(filter_expr=_opt_str(obj.get("filterExpr")))


@dataclass(frozen=True, slots=True)
class PolicyItem:
    """One allow/deny/exception, data-mask or row-filter item of a policy."""

    accesses: tuple[PolicyItemAccess, ...] = ()
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    conditions: tuple[PolicyCondition, ...] = ()
    delegate_admin: bool = False
    data_mask_info: DataMaskInfo | None = None
    row_filter_info: RowFilterInfo | None = None

    @classmethod
    def from_json(cls, obj: JsonObj) -> PolicyItem:
        mask = obj.get("dataMaskInfo")
        row_filter = obj.get("rowFilterInfo")
        return cls(
            accesses=tuple(PolicyItemAccess.from_json(a) for a in _objs(obj.get("accesses"))),
            users=_str_tuple(obj.get("users")),
            groups=_str_tuple(obj.get("groups")),
            roles=_str_tuple(obj.get("roles")),
            conditions=tuple(PolicyCondition.from_json(c) for c in _objs(obj.get("conditions"))),
            delegate_admin=_bool(obj.get("delegateAdmin"), False),
            data_mask_info=DataMaskInfo.from_json(mask) if isinstance(mask, Mapping) else None,
            row_filter_info=RowFilterInfo.from_json(row_filter) if isinstance(row_filter, Mapping) else None,
        )


@dataclass(frozen=True, slots=True)
class PolicyResource:
    values: tuple[str, ...] = ()
    is_excludes: bool = False
    is_recursive: bool = False

    @classmethod
    def from_json(cls, obj: JsonObj) -> PolicyResource:
        return cls(
            values=_str_tuple(obj.get("values")),
            is_excludes=_bool(obj.get("isExcludes"), False),
            is_recursive=_bool(obj.get("isRecursive"), False),
        )


def _resources(value: Any) -> dict[str, PolicyResource]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): PolicyResource.from_json(v) for k, v in value.items() if isinstance(v, Mapping)}


@dataclass(frozen=True, slots=True)
class ValiditySchedule:
    """``{startTime, endTime, timeZone}``; times are ``yyyy/MM/dd HH:mm:ss``. Recurrences are kept raw."""

    start_time: str | None = None
    end_time: str | None = None
    time_zone: str | None = None
    recurrences: tuple[JsonObj, ...] = ()

    @classmethod
    def from_json(cls, obj: JsonObj) -> ValiditySchedule:
        return cls(
            start_time=_opt_str(obj.get("startTime")) or None,
            end_time=_opt_str(obj.get("endTime")) or None,
            time_zone=_opt_str(obj.get("timeZone")) or None,
            recurrences=tuple(_objs(obj.get("recurrences"))),
        )


@dataclass(frozen=True, slots=True)
class Policy:
    id: int
    name: str = ""
    service: str | None = None
    policy_type: int = POLICY_TYPE_ACCESS
    policy_priority: int = POLICY_PRIORITY_NORMAL
    is_enabled: bool = True
    is_audit_enabled: bool = True
    is_deny_all_else: bool = False
    resources: Mapping[str, PolicyResource] = field(default_factory=dict)
    additional_resources: tuple[Mapping[str, PolicyResource], ...] = ()
    conditions: tuple[PolicyCondition, ...] = ()
    validity_schedules: tuple[ValiditySchedule, ...] = ()
    policy_items: tuple[PolicyItem, ...] = ()
    deny_policy_items: tuple[PolicyItem, ...] = ()
    allow_exceptions: tuple[PolicyItem, ...] = ()
    deny_exceptions: tuple[PolicyItem, ...] = ()
    data_mask_policy_items: tuple[PolicyItem, ...] = ()
    row_filter_policy_items: tuple[PolicyItem, ...] = ()
    zone_name: str | None = None

    @property
    def has_deny(self) -> bool:
        return self.is_deny_all_else or bool(self.deny_policy_items)

    @classmethod
    def from_json(cls, obj: JsonObj) -> Policy:
        def items(key: str) -> tuple[PolicyItem, ...]:
            return tuple(PolicyItem.from_json(i) for i in _objs(obj.get(key)))

        return cls(
            id=_int(obj.get("id"), -1),
            name=str(obj.get("name") or ""),
            service=_opt_str(obj.get("service")),
            policy_type=_int(obj.get("policyType"), POLICY_TYPE_ACCESS),
            policy_priority=_int(obj.get("policyPriority"), POLICY_PRIORITY_NORMAL),
            is_enabled=_bool(obj.get("isEnabled"), True),
            is_audit_enabled=_bool(obj.get("isAuditEnabled"), True),
            is_deny_all_else=_bool(obj.get("isDenyAllElse"), False),
            resources=_resources(obj.get("resources")),
            additional_resources=tuple(
                _resources(r) for r in obj.get("additionalResources") or () if isinstance(r, Mapping)
            ),
            conditions=tuple(PolicyCondition.from_json(c) for c in _objs(obj.get("conditions"))),
            validity_schedules=tuple(
                ValiditySchedule.from_json(s) for s in _objs(obj.get("validitySchedules"))
            ),
            policy_items=items("policyItems"),
            deny_policy_items=items("denyPolicyItems"),
            allow_exceptions=items("allowExceptions"),
            deny_exceptions=items("denyExceptions"),
            data_mask_policy_items=items("dataMaskPolicyItems"),
            row_filter_policy_items=items("rowFilterPolicyItems"),
            zone_name=_opt_str(obj.get("zoneName")) or None,
        )


@dataclass(frozen=True, slots=True)
class ResourceDef:
    name: str
    level: int = 1
    parent: str | None = None
    matcher_options: Mapping[str, str] = field(default_factory=dict)
    is_valid_leaf: bool | None = None
    # The Java matcher class, e.g. org.apache.ranger.plugin.resourcematcher.RangerURLResourceMatcher.
    matcher: str = ""

    @classmethod
    def from_json(cls, obj: JsonObj) -> ResourceDef:
        options = obj.get("matcherOptions")
        return cls(
            name=str(obj.get("name") or ""),
            level=_int(obj.get("level"), 1),
            parent=_opt_str(obj.get("parent")) or None,
            matcher=str(obj.get("matcher") or ""),
            matcher_options=(
                {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in options.items()}
                if isinstance(options, Mapping)
                else {}
            ),
            is_valid_leaf=None if obj.get("isValidLeaf") is None else _bool(obj.get("isValidLeaf"), True),
        )


@dataclass(frozen=True, slots=True)
class AccessTypeDef:
    """An access type; ``category`` (``CREATE``, ``READ``, ``UPDATE``, ``DELETE``, ``MANAGE``) files it under
    the marker access type that grants it (``_READ`` ...)."""

    name: str
    implied_grants: tuple[str, ...] = ()
    category: str | None = None

    @classmethod
    def from_json(cls, obj: JsonObj) -> AccessTypeDef:
        category = obj.get("category")
        return cls(
            name=str(obj.get("name") or ""),
            implied_grants=_str_tuple(obj.get("impliedGrants")),
            category=str(category).upper() if category else None,
        )


@dataclass(frozen=True, slots=True)
class MaskTypeDef:
    name: str
    item_id: int = 0
    label: str = ""
    transformer: str | None = None

    @classmethod
    def from_json(cls, obj: JsonObj) -> MaskTypeDef:
        return cls(
            name=str(obj.get("name") or ""),
            item_id=_int(obj.get("itemId"), 0),
            label=str(obj.get("label") or ""),
            transformer=_opt_str(obj.get("transformer")),
        )


@dataclass(frozen=True, slots=True)
class PolicyTypeDef:
    """``dataMaskDef`` / ``rowFilterDef``: resources (matcher-option overrides) and access types."""

    resources: tuple[ResourceDef, ...] = ()
    access_types: tuple[AccessTypeDef, ...] = ()
    mask_types: tuple[MaskTypeDef, ...] = ()

    @classmethod
    def from_json(cls, obj: Any) -> PolicyTypeDef | None:
        if not isinstance(obj, Mapping):
            return None
        return cls(
            resources=tuple(ResourceDef.from_json(r) for r in _objs(obj.get("resources"))),
            access_types=tuple(AccessTypeDef.from_json(a) for a in _objs(obj.get("accessTypes"))),
            mask_types=tuple(MaskTypeDef.from_json(m) for m in _objs(obj.get("maskTypes"))),
        )


@dataclass(frozen=True, slots=True)
class ConditionDef:
    name: str
    evaluator: str = ""
    evaluator_options: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: JsonObj) -> ConditionDef:
        options = obj.get("evaluatorOptions")
        return cls(
            name=str(obj.get("name") or ""),
            evaluator=str(obj.get("evaluator") or ""),
            evaluator_options=(
                {str(k): str(v) for k, v in options.items()} if isinstance(options, Mapping) else {}
            ),
        )


@dataclass(frozen=True, slots=True)
class ServiceDef:
    name: str
    id: int = 0
    resources: tuple[ResourceDef, ...] = ()
    access_types: tuple[AccessTypeDef, ...] = ()
    policy_conditions: tuple[ConditionDef, ...] = ()
    data_mask_def: PolicyTypeDef | None = None
    row_filter_def: PolicyTypeDef | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    # Ranger Admin sends the marker access types (``_READ``, ``_ALL`` ...) with a service definition; when
    # a definition has none, ``service_defs.marker_access_types`` derives them from the access types'
    # categories.
    marker_access_types: tuple[AccessTypeDef, ...] | None = None

    @classmethod
    def from_json(cls, obj: JsonObj) -> ServiceDef:
        options = obj.get("options")
        markers = obj.get("markerAccessTypes")
        return cls(
            name=str(obj.get("name") or ""),
            id=_int(obj.get("id"), 0),
            resources=tuple(ResourceDef.from_json(r) for r in _objs(obj.get("resources"))),
            access_types=tuple(AccessTypeDef.from_json(a) for a in _objs(obj.get("accessTypes"))),
            marker_access_types=(
                tuple(AccessTypeDef.from_json(a) for a in _objs(markers))
                if isinstance(markers, list)
                else None
            ),
            policy_conditions=tuple(ConditionDef.from_json(c) for c in _objs(obj.get("policyConditions"))),
            data_mask_def=PolicyTypeDef.from_json(obj.get("dataMaskDef")),
            row_filter_def=PolicyTypeDef.from_json(obj.get("rowFilterDef")),
            options={str(k): str(v) for k, v in options.items()} if isinstance(options, Mapping) else {},
        )

    def condition_def(self, name: str) -> ConditionDef | None:
        for cond in self.policy_conditions:
            if cond.name == name:
                return cond
        return None
