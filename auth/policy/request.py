"""The access request: who asks for what kind of access to which resource, with which tags."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

ANY_ACCESS = "_any"


class MatchType(Enum):
    """How a policy's resource relates to the requested resource (Ranger's ``MatchType``)."""

    SELF = "SELF"
    SELF_AND_ALL_DESCENDANTS = "SELF_AND_ALL_DESCENDANTS"
    DESCENDANT = "DESCENDANT"
    ANCESTOR = "ANCESTOR"
    NONE = "NONE"


# Tag masks are ordered by the tag's match type: the tag closest to the column wins.
MATCH_TYPE_ORDER = {
    MatchType.SELF: 0,
    MatchType.SELF_AND_ALL_DESCENDANTS: 1,
    MatchType.ANCESTOR: 2,
    MatchType.DESCENDANT: 3,
    MatchType.NONE: 4,
}


class MatchingScope(Enum):
    SELF = "SELF"
    SELF_OR_DESCENDANTS = "SELF_OR_DESCENDANTS"
    SELF_OR_CHILD = "SELF_OR_CHILD"


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag on the requested resource (or on one of its ancestors/descendants, per ``match_type``)."""

    type: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    match_type: MatchType = MatchType.SELF

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Tag:
        raw_match = obj.get("matchType")
        try:
            match_type = MatchType(str(raw_match).upper()) if raw_match else MatchType.SELF
        except ValueError:
            match_type = MatchType.SELF
        attributes = obj.get("attributes") or {}
        return cls(
            type=str(obj.get("type") or ""),
            attributes={str(k): str(v) for k, v in attributes.items()}
            if isinstance(attributes, Mapping)
            else {},
            match_type=match_type,
        )


def parse_tags(value: Any) -> tuple[Tag, ...]:
    """Tags from a request context: a list of tag objects, or that list as a JSON string (Ranger's tests)."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = json.loads(value)
    if isinstance(value, Mapping):
        value = [value]
    return tuple(Tag.from_json(t) for t in value if isinstance(t, Mapping))


ResourceValue = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """One access check. ``resource`` maps resource names (``catalog``, ``schema``, ...) to values.

    An empty ``access_type`` (or ``_any``) asks whether *any* access is allowed, as listings do.
    """

    resource: Mapping[str, ResourceValue]
    access_type: str = ANY_ACCESS
    user: str | None = None
    user_groups: frozenset[str] = frozenset()
    user_roles: frozenset[str] | None = None
    tags: tuple[Tag, ...] = ()
    access_time: dt.datetime | None = None
    matching_scope: MatchingScope = MatchingScope.SELF
    owner: str | None = None
    remote_ip: str | None = None
    user_attributes: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, str] = field(default_factory=dict)
    # Ranger's ``isDescendantDenyIgnored`` (RANGER-3617, RANGER-5001), true unless the caller says otherwise:
    # for ``_any`` access and descendant scopes, a deny on something *below* the resource does not deny the
    # resource (a denied column does not hide its table from listings). When false, ``_any`` is allowed only
    # if every access type is, and any denied access type denies it.
    ignore_descendant_deny: bool = True

    @property
    def is_any_access(self) -> bool:
        return self.access_type in ("", ANY_ACCESS)

    @classmethod
    def create(
        cls,
        resource: Mapping[str, str | Iterable[str] | None],
        access_type: str = ANY_ACCESS,
        user: str | None = None,
        groups: Iterable[str] = (),
        *,
        roles: Iterable[str] | None = None,
        tags: Iterable[Tag] = (),
        access_time: dt.datetime | None = None,
        matching_scope: MatchingScope = MatchingScope.SELF,
        owner: str | None = None,
        remote_ip: str | None = None,
        user_attributes: Mapping[str, str] | None = None,
        context: Mapping[str, str] | None = None,
        ignore_descendant_deny: bool = True,
    ) -> AccessRequest:
        """Build a request from loose inputs; ``None`` resource values are dropped."""
        clean: dict[str, ResourceValue] = {}
        for key, value in resource.items():
            if value is None:
                continue
            clean[key] = value if isinstance(value, str) else tuple(value)
        return cls(
            resource=clean,
            access_type=access_type or ANY_ACCESS,
            user=user,
            user_groups=frozenset(groups),
            user_roles=None if roles is None else frozenset(roles),
            tags=tuple(tags),
            access_time=access_time,
            matching_scope=matching_scope,
            owner=owner,
            remote_ip=remote_ip,
            user_attributes=dict(user_attributes or {}),
            context=dict(context or {}),
            ignore_descendant_deny=ignore_descendant_deny,
        )


_TIME_FORMATS = ("%Y%m%d-%H:%M:%S.%f%z", "%Y%m%d-%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z")


def parse_access_time(value: Any) -> dt.datetime | None:
    """Ranger's test dates (``yyyyMMdd-HH:mm:ss.SSSZ``), ISO-8601 strings, or epoch milliseconds."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    text = str(value)
    for fmt in _TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def request_from_json(obj: Mapping[str, Any]) -> AccessRequest:
    """Ranger's access-request shape: ``resource.elements``, ``accessType``, ``user``, ``userGroups``,
    ``context`` (``TAGS``), ``accessTime``, ``resourceMatchingScope``, ``isDescendantDenyIgnored``."""
    resource = obj.get("resource") or {}
    elements = resource.get("elements", resource) if isinstance(resource, Mapping) else {}
    context = obj.get("context") or {}
    scope_raw = obj.get("resourceMatchingScope") or "SELF"
    try:
        scope = MatchingScope(str(scope_raw).upper())
    except ValueError:
        scope = MatchingScope.SELF
    roles = obj.get("userRoles")
    ignore_descendant_deny = obj.get("isDescendantDenyIgnored")
    return AccessRequest.create(
        {str(k): v for k, v in elements.items()} if isinstance(elements, Mapping) else {},
        access_type=str(obj.get("accessType") or ANY_ACCESS),
        user=obj.get("user"),
        groups=obj.get("userGroups") or (),
        roles=roles if isinstance(roles, list) else None,
        tags=parse_tags(context.get("TAGS")) if isinstance(context, Mapping) else (),
        access_time=parse_access_time(obj.get("accessTime")),
        matching_scope=scope,
        owner=resource.get("ownerUser") if isinstance(resource, Mapping) else None,
        remote_ip=obj.get("remoteIPAddress"),
        user_attributes=obj.get("userAttributes") or None,
        context=(
            {str(k): str(v) for k, v in context.items() if k != "TAGS" and isinstance(v, str | int | float)}
            if isinstance(context, Mapping)
            else None
        ),
        ignore_descendant_deny=ignore_descendant_deny is not False,
    )
