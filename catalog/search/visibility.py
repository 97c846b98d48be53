"""Compiles what one principal may see into an :class:`AccessGrant` the index can filter on.

The decision for every catalog, schema, table and column comes from the same policy decider that
guards queries and listings (``can_see``). Asking it a million times per principal would be slow,
so resources are grouped: the decider gives each resource a *signature* (which policies' resources
match it, and how); resources with equal signatures get the same answer for every principal, so
``can_see`` runs once per group. The grant is then compressed: a subtree whose entities are
(almost) all visible becomes one tree key plus the few exceptions as hidden keys.

Grants are cached per (user, groups, policy version, catalog version): a policy or catalog change
makes the next search compile a new one.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from cachetools import LRUCache

from catalog.model import ResourcePath
from catalog.search.access_keys import (
    ADMIN_GRANT,
    GLOSSARY_KEY,
    LEAF_SEPARATOR,
    AccessGrant,
    catalog_key,
    schema_key,
    table_key,
)

COLUMN_LEVEL = 3  # catalog 0, schema 1, table 2


class Principal(Protocol):
    @property
    def user(self) -> str: ...

    @property
    def groups(self) -> tuple[str, ...]: ...


class VisibilityDecider(Protocol):
    """The policy side: one implementation wraps the gateway's Ranger authorizer."""

    def refresh(self) -> None:
        """Pick up a changed policy file (the same check queries make)."""
        ...

    @property
    def version(self) -> str: ...

    def is_admin(self, principal: Principal) -> bool: ...

    def can_see(self, principal: Principal, path: ResourcePath) -> bool: ...

    def signature(self, path: ResourcePath, parent: Hashable | None) -> Hashable:
        """Equal signatures (at the same level) promise equal ``can_see`` answers for everyone.
        ``parent`` is the signature of the resource's parent (None for a catalog). A column's
        signature may depend only on its parent's signature and its name (lower-cased): callers
        reuse it for every column of that name under an equal parent signature."""
        ...


@dataclass(slots=True)
class _Node:
    key: str
    sig: int
    children: list[_Node] = field(default_factory=list)
    column: str = ""  # a column's name, lower-cased (for leaf terms)


@dataclass(slots=True)
class SignedTree:
    """The catalog's resource tree with a signature id on every node (per policy version)."""

    roots: list[_Node]
    representatives: list[ResourcePath]
    size: int


class ResourceTree:
    """The resources the index holds, catalog → schema → table → column (original spelling)."""

    def __init__(self) -> None:
        self._tree: dict[str, dict[str, dict[str, dict[str, None]]]] = {}

    @classmethod
    def of(cls, paths: Iterable[ResourcePath]) -> ResourceTree:
        tree = cls()
        for path in paths:
            tree.add(path)
        return tree

    def add(self, path: ResourcePath) -> None:
        if path.catalog is None:
            return
        schemas = self._tree.setdefault(path.catalog, {})
        if path.schema is None:
            return
        tables = schemas.setdefault(path.schema, {})
        if path.table is None:
            return
        columns = tables.setdefault(path.table, {})
        if path.column is not None:
            columns[path.column] = None

    def signed(self, decider: VisibilityDecider) -> SignedTree:
        ids: dict[tuple[int, Hashable], int] = {}
        reps: list[ResourcePath] = []
        size = 0

        def sig_id(level: int, sig: Hashable, path: ResourcePath) -> int:
            found = ids.get((level, sig))
            if found is None:
                found = ids[(level, sig)] = len(reps)
                reps.append(path)
            return found

        roots: list[_Node] = []
        column_ids: dict[tuple[int, str], int] = {}
        for cat, schemas in self._tree.items():
            cpath = ResourcePath(cat)
            csig = decider.signature(cpath, None)
            cnode = _Node(catalog_key(cat), sig_id(0, csig, cpath))
            roots.append(cnode)
            size += 1
            for sch, tables in schemas.items():
                spath = ResourcePath(cat, sch)
                ssig = decider.signature(spath, csig)
                snode = _Node(schema_key(cat, sch), sig_id(1, ssig, spath))
                cnode.children.append(snode)
                size += 1
                for tbl, columns in tables.items():
                    tpath = ResourcePath(cat, sch, tbl)
                    tsig = decider.signature(tpath, ssig)
                    tnode = _Node(table_key(cat, sch, tbl), sig_id(2, tsig, tpath))
                    snode.children.append(tnode)
                    size += 1 + len(columns)
                    tid = tnode.sig
                    for col in columns:
                        lower = col.lower()
                        xid = column_ids.get((tid, lower))
                        if xid is None:
                            xpath = ResourcePath(cat, sch, tbl, col)
                            xid = column_ids[(tid, lower)] = sig_id(3, decider.signature(xpath, tsig), xpath)
                        tnode.children.append(_Node("", xid, column=lower))  # key: see _column_key
        return SignedTree(roots, reps, size)


def _column_key(table: _Node, column: _Node) -> str:
    """A column's key (``column_key``), made only when a grant names it: most never are."""
    return f"x/{table.key[2:]}.{column.column}"


class _Compiler:
    """One principal's grant over one signed tree (a minimum-size cover, see ``_best``)."""

    def __init__(self, tree: SignedTree, decider: VisibilityDecider, principal: Principal) -> None:
        self.tree = tree
        self.decider = decider
        self.principal = principal
        self.visible: list[bool | None] = [None] * len(tree.representatives)
        self.tree_keys: set[str] = {GLOSSARY_KEY}
        self.self_keys: set[str] = set()
        self.hidden: set[str] = set()
        self.hidden_columns: set[str] = set()
        self._best: dict[int, tuple[int, int, int, bool]] = {}

    def sees(self, node: _Node) -> bool:
        known = self.visible[node.sig]
        if known is None:
            known = self.visible[node.sig] = self.decider.can_see(
                self.principal, self.tree.representatives[node.sig]
            )
        return known

    def measure(self, node: _Node, level: int) -> tuple[int, int, int, bool]:
        """(entities at and below node, hidden ones, size of the best cover, whether one tree key
        plus the hidden exceptions is that best cover)."""
        visible = self.sees(node)
        size = 1
        hidden = 0 if visible else 1
        split = 1 if visible else 0
        if level == COLUMN_LEVEL - 1:  # a table: its columns inline (most of the tree)
            for column in node.children:
                size += 1
                if self.sees(column):
                    split += 1
                else:
                    hidden += 1
        else:
            for child in node.children:
                child_size, child_hidden, child_best, _ = self.measure(child, level + 1)
                size += child_size
                hidden += child_hidden
                split += child_best
        tree_cost = 1 + hidden
        result = (size, hidden, min(tree_cost, split) if visible else split, visible and tree_cost <= split)
        self._best[id(node)] = result
        return result

    def emit(self, node: _Node, covered: bool, level: int) -> None:
        visible = self.sees(node)
        size, hidden_below, _, use_tree = self._best[id(node)]
        if covered:
            if not visible:
                self.hidden.add(node.key)
        elif use_tree:
            self.tree_keys.add(node.key)
            covered = True
            if hidden_below:
                self._hide_columns(node, level)
        elif visible:
            self.self_keys.add(node.key)
        elif hidden_below == size:
            return  # nothing visible here or below, and nothing granted above: no key needed
        if level == COLUMN_LEVEL - 1:
            if not covered:  # the columns of a granted subtree are handled by _hide_columns
                self.self_keys.update(_column_key(node, c) for c in node.children if self.sees(c))
            return
        for child in node.children:
            self.emit(child, covered, level + 1)

    # -- hidden columns under a granted subtree, as few leaf terms as possible ----------------
    def _hide_columns(self, root: _Node, level: int) -> None:
        names = self._hidden_names(root, level)
        if names:
            counts: dict[int, dict[str, tuple[int, int]]] = {}
            self._count(root, level, names, counts)
            self._place(root, level, sorted(names), counts)

    def _hidden_names(self, node: _Node, level: int) -> set[str]:
        if level == COLUMN_LEVEL - 1:
            return {c.column for c in node.children if not self.sees(c)}
        found: set[str] = set()
        for child in node.children:
            if self._best[id(child)][1]:
                found |= self._hidden_names(child, level + 1)
        return found

    def _count(
        self, node: _Node, level: int, names: set[str], counts: dict[int, dict[str, tuple[int, int]]]
    ) -> dict[str, tuple[int, int]]:
        """(columns, hidden columns) per name in ``names`` at and below node."""
        mine: dict[str, tuple[int, int]] = {}
        if level == COLUMN_LEVEL - 1:
            for column in node.children:
                if column.column in names:
                    total, hidden = mine.get(column.column, (0, 0))
                    mine[column.column] = (total + 1, hidden + (0 if self.sees(column) else 1))
        else:
            for child in node.children:
                for name, (total, hidden) in self._count(child, level + 1, names, counts).items():
                    was_total, was_hidden = mine.get(name, (0, 0))
                    mine[name] = (was_total + total, was_hidden + hidden)
        counts[id(node)] = mine
        return mine

    def _place(
        self, node: _Node, level: int, names: list[str], counts: dict[int, dict[str, tuple[int, int]]]
    ) -> None:
        """One leaf term per name at the highest node where every column of that name is hidden."""
        stats = counts[id(node)]
        rest = []
        for name in names:
            total, hidden = stats.get(name, (0, 0))
            if hidden and hidden == total:
                self.hidden_columns.add(f"{node.key}{LEAF_SEPARATOR}{name}")
            elif hidden:
                rest.append(name)
        if not rest:
            return
        if level == COLUMN_LEVEL - 1:  # two columns spelled alike but decided differently
            self.hidden.update(
                _column_key(node, c) for c in node.children if c.column in rest and not self.sees(c)
            )
            return
        for child in node.children:
            self._place(child, level + 1, rest, counts)

    def grant(self) -> AccessGrant:
        for root in self.tree.roots:
            self.measure(root, 0)
            self.emit(root, False, 0)
        return AccessGrant(
            tree=frozenset(self.tree_keys),
            self_keys=frozenset(self.self_keys),
            hidden=frozenset(self.hidden),
            hidden_columns=frozenset(self.hidden_columns),
        )


class VisibilityCompiler:
    """Grants per principal, cached per (user, groups, policy version, catalog version)."""

    def __init__(self, decider: VisibilityDecider, cache_size: int = 512) -> None:
        self.decider = decider
        self._lock = threading.Lock()
        self._signed: tuple[tuple[str, str], SignedTree] | None = None
        self._grants: LRUCache[tuple[str, tuple[str, ...], str, str], AccessGrant] = LRUCache(
            maxsize=cache_size
        )

    def grant(self, principal: Principal, tree: ResourceTree, catalog_version: str) -> AccessGrant:
        self.decider.refresh()
        if self.decider.is_admin(principal):
            return ADMIN_GRANT
        policy_version = self.decider.version
        key = (principal.user, tuple(sorted(principal.groups)), policy_version, catalog_version)
        with self._lock:
            cached = self._grants.get(key)
            if cached is not None:
                return cached
            versions = (policy_version, catalog_version)
            if self._signed is None or self._signed[0] != versions:
                self._signed = (versions, tree.signed(self.decider))
            grant = _Compiler(self._signed[1], self.decider, principal).grant()
            self._grants[key] = grant
            return grant
