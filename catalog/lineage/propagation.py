"""Classifications that flow along lineage: a column derived from a ``PII`` column is ``PII`` too.

Atlas propagates a classification from an entity to everything downstream of it through
processes, unless the classification says ``propagate: false``. :func:`propagate_classifications`
does the same over :class:`LineageEdge` lists (column edges carry column tags, table edges table
tags). Rules:

- Only an entity's own classifications (``propagated_from is None``) start a flow; propagated
  copies carry the guid of the entity they started from and keep flowing (``A → B → C``).
- An entity that has a classification of its own keeps it and is not also given a copy; if its own
  says ``propagate: false``, the upstream flow still passes through it.
- When several origins reach one entity with the same classification name, the nearest wins
  (fewest processes away), then the smallest origin guid, so the answer never depends on order.
- ``blocked`` lists, per entity, classification names a steward refused there: that entity does not
  receive them and does not pass them on (the flow stops at it).
- Cycles are harmless: an entity is reached once per classification name.

Attributes that describe only the origin (``masked_by``: a column policy of the origin masks it its
own way) are not copied: that policy does not follow the data, so a tag policy exempting such PII
must not exempt the copy (a materialised copy of the raw column would otherwise be readable raw).

Propagating more is the safe direction (a tag policy masks what carries ``PII``), so nothing else
stops a flow: aggregates and expressions over a tagged column stay tagged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet

from catalog.model import LOCAL_ATTRIBUTES, Classification, LineageEdge


def _carried(attributes: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in attributes.items() if k not in LOCAL_ATTRIBUTES}


def propagate_classifications(
    edges: Iterable[LineageEdge],
    own: Mapping[str, Sequence[Classification]],
    *,
    blocked: Mapping[str, AbstractSet[str]] | None = None,
) -> dict[str, tuple[Classification, ...]]:
    """The classifications each entity receives through lineage (not its own), by entity guid."""
    blocked = blocked or {}
    downstream: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        downstream[edge.input_guid].append(edge.output_guid)

    own_names = {guid: {c.name for c in tags} for guid, tags in own.items()}
    # multi-source BFS per classification name; the frontier is sorted so ties go to the smallest origin
    origins: dict[str, list[tuple[str, Classification]]] = defaultdict(list)
    for guid, tags in own.items():
        for tag in tags:
            if tag.propagated_from is None and tag.propagate:
                origins[tag.name].append((guid, tag))

    received: dict[str, list[Classification]] = defaultdict(list)
    for name, starts in origins.items():
        reached: set[str] = {guid for guid, _ in starts}
        frontier = sorted(starts, key=lambda start: start[0])
        while frontier:
            following: list[tuple[str, Classification]] = []
            for guid, tag in frontier:
                origin = tag.propagated_from or guid
                for target in downstream.get(guid, ()):
                    if target in reached:
                        continue
                    reached.add(target)
                    if name in blocked.get(target, ()):
                        continue
                    copy = Classification(
                        name, _carried(tag.attributes), propagate=True, propagated_from=origin
                    )
                    if name not in own_names.get(target, ()):
                        received[target].append(copy)
                    following.append((target, copy))  # through a tag of its own that does not propagate
            frontier = sorted(following, key=lambda item: (item[1].propagated_from or "", item[0]))
    return {guid: tuple(sorted(tags, key=lambda t: t.name)) for guid, tags in received.items()}


def propagate_with_hierarchy(
    edges: Iterable[LineageEdge],
    own: Mapping[str, Sequence[Classification]],
    children: Mapping[str, Sequence[str]],
    *,
    blocked: Mapping[str, AbstractSet[str]] | None = None,
) -> dict[str, tuple[Classification, ...]]:
    """Lineage first, then from each table or view to its columns (``children``: table → columns).

    The order matters: a table tagged ``PII`` tags the view it feeds through the table-level edge,
    and the view passes it to every one of its columns here. A column keeps its own classification
    of a name; ``blocked`` applies at every step.
    """
    blocked = blocked or {}
    received = {
        guid: list(tags) for guid, tags in propagate_classifications(edges, own, blocked=blocked).items()
    }
    for table, columns in children.items():
        flowing = [t for t in own.get(table, ()) if t.propagated_from is None and t.propagate]
        flowing += received.get(table, [])
        for column in columns:
            have = {t.name for t in own.get(column, ())} | {t.name for t in received.get(column, [])}
            for tag in sorted(flowing, key=lambda t: (t.name, t.propagated_from or "")):
                if tag.name in have or tag.name in blocked.get(column, ()):
                    continue
                origin = tag.propagated_from or table
                attributes = tag.attributes if tag.propagated_from is None else _carried(tag.attributes)
                received.setdefault(column, []).append(Classification(tag.name, attributes, True, origin))
                have.add(tag.name)
    return {guid: tuple(sorted(tags, key=lambda t: t.name)) for guid, tags in received.items() if tags}
