"""Which cluster runs a query: its routing group, then the least busy healthy cluster of it.

As trino-gateway does it: a group the client asks for (``X-Trino-Routing-Group``) wins; else
the first rule that matches the query (by user, group, source, client tag or catalog read);
else the default group (``adhoc``). Within the group, the healthy cluster running the fewest of
Lakegate's queries (trino-gateway's QueryCountBasedRouter; ties go to the one picked longest
ago). A query then stays on its cluster: every page and the cancel go to the URIs that
cluster returned.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from connectors.base import ConnectorError, RoutingHints
from connectors.trino.cluster import TrinoCluster
from connectors.trino.health import HealthMonitor, State

DEFAULT_GROUP = "adhoc"


@dataclass(frozen=True, slots=True)
class RoutingRule:
    """A rule matches when every criterion it lists matches (each list: any of its values).

    ``catalogs`` are Lakegate's logical catalog names; a rule without criteria matches all.
    """

    group: str
    users: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    client_tags: frozenset[str] = frozenset()
    catalogs: frozenset[str] = frozenset()

    def matches(self, hints: RoutingHints, catalogs: frozenset[str]) -> bool:
        if self.users and hints.user not in self.users:
            return False
        if self.groups and self.groups.isdisjoint(hints.groups):
            return False
        if self.sources and hints.source not in self.sources:
            return False
        if self.client_tags and self.client_tags.isdisjoint(hints.client_tags):
            return False
        return not (self.catalogs and self.catalogs.isdisjoint(catalogs))


class Router:
    def __init__(
        self,
        clusters: Sequence[TrinoCluster],
        monitor: HealthMonitor,
        rules: Iterable[RoutingRule] = (),
        default_group: str = DEFAULT_GROUP,
    ) -> None:
        self._groups: dict[str, list[TrinoCluster]] = {}
        for cluster in clusters:
            self._groups.setdefault(cluster.group, []).append(cluster)
        self._monitor = monitor
        self.rules = tuple(rules)
        self.default_group = default_group
        self._lock = threading.Lock()
        for group in {default_group, *(r.group for r in self.rules)}:
            if group not in self._groups:
                raise ValueError(f"routing group {group!r} has no Trino cluster")

    @property
    def groups(self) -> dict[str, list[TrinoCluster]]:
        return {name: list(clusters) for name, clusters in self._groups.items()}

    def uses_catalogs(self) -> bool:
        """Whether any rule needs the catalogs a query reads."""
        return any(rule.catalogs for rule in self.rules)

    def group_for(self, hints: RoutingHints, catalogs: frozenset[str] = frozenset()) -> str:
        if hints.routing_group:
            if hints.routing_group not in self._groups:
                known = ", ".join(sorted(self._groups))
                raise ConnectorError(
                    "user", f"routing group {hints.routing_group!r} does not exist (known: {known})"
                )
            return hints.routing_group
        for rule in self.rules:
            if rule.matches(hints, catalogs):
                return rule.group
        return self.default_group

    def pick(self, group: str, exclude: Collection[str] = ()) -> TrinoCluster:
        """The healthy cluster of ``group`` running the fewest queries; marks it as started.

        ``exclude`` names clusters already tried for this query. The caller must call
        ``cluster.ended()`` when the query is over.
        """
        members = [c for c in self._groups[group] if c.name not in exclude]
        healthy = [c for c in members if self._monitor.healthy(c)]
        if not healthy:  # all down as far as we know: ask again (at most once a second) first
            healthy = [c for c in members if self._monitor.recheck(c).state is State.HEALTHY]
        if not healthy:
            raise ConnectorError("unavailable", f"no healthy Trino cluster in routing group {group}")
        with self._lock:
            chosen = min(healthy, key=lambda c: (c.running, c.last_pick))
            chosen.started()
            return chosen
