"""Resource groups: the tree of limits a query is admitted under, and the selectors that place it.

Modelled on Trino's resource groups: a query belongs to one leaf group; it runs only when every
group on its path (and the engine as a whole) runs fewer queries than its
``hard_concurrency_limit``; otherwise it waits in its leaf's queue, unless a group on its path
already holds ``max_queued`` waiting queries. Groups named ``${USER}`` or ``${SOURCE}`` are
made on first use, one per user or source, and forgotten when they are empty.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gateway.config import AdmissionSettings, GroupSelector, ResourceGroupSpec

if TYPE_CHECKING:
    from gateway.admission.controller import Ticket

USER_TEMPLATE = "${USER}"
SOURCE_TEMPLATE = "${SOURCE}"
_UNSAFE = re.compile(r"[^A-Za-z0-9_@+-]")


def default_groups(
    settings: AdmissionSettings, engine_limit: int
) -> tuple[list[ResourceGroupSpec], list[GroupSelector]]:
    """Without configured groups: ``global`` as large as the engine, a subgroup per user."""
    per_user = ResourceGroupSpec(
        name=USER_TEMPLATE, hard_concurrency_limit=engine_limit, max_queued=settings.max_queued_per_user
    )
    root = ResourceGroupSpec(
        name="global",
        hard_concurrency_limit=engine_limit,
        max_queued=settings.max_queued,
        subgroups=[per_user],
    )
    return [root], [GroupSelector(resource_group=f"global.{USER_TEMPLATE}")]


def _segment(name: str) -> str:
    """A user or source name as one segment of a group's dotted name."""
    return _UNSAFE.sub("_", name)[:64] or "_"


@dataclass(eq=False)
class Group:
    """One resource group at run time; ``running`` and ``queued`` count its whole subtree."""

    name: str
    full_name: str
    limit: int
    max_queued: int
    spec: ResourceGroupSpec | None
    parent: Group | None = None
    children: dict[str, Group] = field(default_factory=dict)
    queue: deque[Ticket] = field(default_factory=deque)
    running: int = 0
    queued: int = 0
    #: when this group last had a query started (fair turns among siblings)
    last_served: int = 0

    @property
    def templated(self) -> bool:
        return self.spec is not None and self.spec.name in (USER_TEMPLATE, SOURCE_TEMPLATE)

    def path(self) -> list[Group]:
        """This group and its ancestors, root last."""
        groups: list[Group] = []
        node: Group | None = self
        while node is not None:
            groups.append(node)
            node = node.parent
        return groups

    def child(self, spec: ResourceGroupSpec, name: str) -> Group:
        group = self.children.get(name)
        if group is None:
            full = f"{self.full_name}.{name}" if self.full_name else name
            group = Group(name, full, spec.hard_concurrency_limit, spec.max_queued, spec, parent=self)
            self.children[name] = group
        return group

    def prune(self) -> None:
        """Forget per-user and per-source groups that hold nothing, up the path."""
        node: Group | None = self
        while node is not None and node.parent is not None:
            if node.templated and node.running == 0 and node.queued == 0 and not node.children:
                node.parent.children.pop(node.name, None)
            node = node.parent


class GroupTree:
    """The groups under the engine's own limit, and the selectors that choose among them."""

    def __init__(self, settings: AdmissionSettings, engine_limit: int) -> None:
        if settings.root_groups is None:
            roots, selectors = default_groups(settings, engine_limit)
        else:
            roots, selectors = settings.root_groups, settings.selectors
        self.engine = Group("", "", engine_limit, 1 << 62, None)
        self._roots = {spec.name: spec for spec in roots}
        self._selectors = [
            (
                re.compile(s.user) if s.user is not None else None,
                re.compile(s.group) if s.group is not None else None,
                re.compile(s.source) if s.source is not None else None,
                s.resource_group.split("."),
            )
            for s in selectors
        ]

    def select(self, user: str, groups: tuple[str, ...], source: str) -> Group | None:
        """The leaf group for a query (made if it is a per-user or per-source group), or None
        when no selector matches."""
        for user_re, group_re, source_re, path in self._selectors:
            if user_re is not None and not user_re.fullmatch(user):
                continue
            if group_re is not None and not any(group_re.fullmatch(g) for g in groups):
                continue
            if source_re is not None and not source_re.fullmatch(source):
                continue
            return self._materialize(path, user, source)
        return None

    def _materialize(self, path: list[str], user: str, source: str) -> Group:
        node = self.engine
        specs = self._roots
        for part in path:
            spec = specs[part]
            name = part
            if part == USER_TEMPLATE:
                name = _segment(user)
            elif part == SOURCE_TEMPLATE:
                name = _segment(source)
            node = node.child(spec, name)
            specs = {s.name: s for s in spec.subgroups}
        return node

    def groups(self) -> list[Group]:
        """Every group now known, parents before children."""
        found: list[Group] = []
        stack = list(self.engine.children.values())
        while stack:
            group = stack.pop()
            found.append(group)
            stack.extend(group.children.values())
        return found
