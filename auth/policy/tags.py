"""Tags from a ServiceTags document (Ranger's tag store / ``RangerFileBasedTagRetriever``).

A ServiceTags document holds ``tags {id: {type, attributes}}``, ``serviceResources [{id, resourceElements}]``
and ``resourceToTagIds {resourceId: [tagId]}``. For a request, every tagged resource is matched against the
requested resource; its tags apply with the match type found (Ranger's ``RangerTagEnricher``): a tag on an
ancestor applies to the resource, a tag on a descendant only to ``_any`` access or a descendants scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auth.policy.model import POLICY_TYPE_ACCESS, PolicyResource, ServiceDef
from auth.policy.request import AccessRequest, MatchingScope, MatchType, ResourceValue, Tag
from auth.policy.resource_matcher import PolicyResourceMatcher, Tokens
from auth.policy.service_defs import hierarchies, resources_for

_SELF_MATCHES = (MatchType.SELF, MatchType.SELF_AND_ALL_DESCENDANTS, MatchType.ANCESTOR)


@dataclass(frozen=True, slots=True)
class TaggedResource:
    resource: Mapping[str, PolicyResource]
    tags: tuple[Tag, ...]


def service_tags_from_json(doc: Mapping[str, Any]) -> tuple[TaggedResource, ...]:
    """Parse a ServiceTags document into resources with their tags."""
    raw_tags = doc.get("tags") or {}
    tags: dict[str, Tag] = {}
    if isinstance(raw_tags, Mapping):
        for tag_id, obj in raw_tags.items():
            if isinstance(obj, Mapping):
                tags[str(tag_id)] = Tag.from_json(obj)
    mapping = doc.get("resourceToTagIds") or {}
    out: list[TaggedResource] = []
    for res in doc.get("serviceResources") or ():
        if not isinstance(res, Mapping):
            continue
        tag_ids = mapping.get(str(res.get("id")), ()) if isinstance(mapping, Mapping) else ()
        found = tuple(tags[str(t)] for t in tag_ids if str(t) in tags)
        elements = res.get("resourceElements") or {}
        resource = {
            str(k): PolicyResource.from_json(v) for k, v in elements.items() if isinstance(v, Mapping)
        }
        if found:
            out.append(TaggedResource(resource, found))
    return tuple(out)


class TagStore:
    """Finds the tags of a requested resource, with their match types."""

    def __init__(self, tagged: tuple[TaggedResource, ...], service_def: ServiceDef):
        defs = resources_for(service_def, POLICY_TYPE_ACCESS)
        paths = hierarchies(defs)
        self._entries = tuple((PolicyResourceMatcher(t.resource, defs, paths), t.tags) for t in tagged)

    def __len__(self) -> int:
        return len(self._entries)

    def tags_for(
        self, request: AccessRequest, resource: Mapping[str, ResourceValue], tokens: Tokens
    ) -> tuple[Tag, ...]:
        wide = request.is_any_access or request.matching_scope is not MatchingScope.SELF
        found: list[Tag] = []
        for matcher, tags in self._entries:
            match_type = matcher.match_type(resource, tokens)
            if match_type is MatchType.NONE or (not wide and match_type not in _SELF_MATCHES):
                continue
            # The tagged resource relates to the request as a policy resource would: a tagged descendant
            # is DESCENDANT, a tagged ancestor ANCESTOR, the resource itself SELF.
            found.extend(Tag(t.type, t.attributes, match_type) for t in tags)
        return tuple(found)
