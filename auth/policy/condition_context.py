"""What policy conditions may read about one request, and the date helpers tag conditions share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(slots=True)
class ConditionContext:
    """What conditions may read: access time, client address, the tag being evaluated, the principal (groups
    and roles), and the names of every tag of the requested resource. Built once per request and never
    changed (tag policies get a copy with the tag's attributes); not frozen, as a frozen dataclass costs
    a ``object.__setattr__`` per field on the request path."""

    access_time: dt.datetime
    remote_ip: str | None
    tag_attributes: Mapping[str, str]
    user_attributes: Mapping[str, str]
    request_context: Mapping[str, str]
    groups: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    tags: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


Check = Callable[[ConditionContext], bool]

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


def accessed(after: bool, attribute: str) -> Check:
    def check(ctx: ConditionContext) -> bool:
        raw = ctx.tag_attributes.get(attribute)
        when = parse_tag_date(raw) if raw else None
        if when is None:
            return False
        return ctx.access_time > when if after else ctx.access_time < when

    return check
