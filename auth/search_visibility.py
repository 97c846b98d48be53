"""The search index's view of the Ranger policies: ``catalog.search``'s ``VisibilityDecider`` over
the gateway's :class:`Authorizer`, so search shows exactly what listings show (``can_see``).

Signatures group resources that every principal sees alike: the access policies whose resources
match a resource, with their match types, computed with the engine's own matchers. Resources whose
answer could depend on more than that are given a signature of their own (no sharing): tagged
tables and their columns, policies with user tokens in resource values (``{USER}``), service tags
kept in the policy bundle, and policies with additional resources (for columns).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from auth.authorizer import Authorizer
from auth.identity import Identity
from auth.policy.evaluator import PolicyEvaluator
from auth.policy.model import POLICY_TYPE_ACCESS
from auth.policy.request import MatchType
from catalog.model import ResourcePath
from catalog.search.visibility import Principal

_NO_TOKENS: Mapping[str, str] = {}


@dataclass(frozen=True, slots=True)
class _Signature:
    #: (evaluator index, match type) for every access policy whose resources match
    matches: tuple[tuple[int, MatchType], ...]
    #: set when the resource must not share its answer with others
    own: tuple[str, ...] | None = None
    #: a table's classifications and its columns' (tables tagged alike share answers)
    tags: tuple[tuple[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]], ...] = ()


class AuthorizerVisibility:
    def __init__(self, authorizer: Authorizer) -> None:
        self.authorizer = authorizer
        self._engine_version = ""
        self._evaluators: tuple[PolicyEvaluator, ...] = ()
        self._shareable = False
        self._column_memo: dict[tuple[Hashable, str], _Signature] = {}
        self._table_memo: dict[_Signature, list[tuple[int, MatchType]]] = {}
        self._table_free: frozenset[int] = frozenset()
        self._tagged_tables: frozenset[str] = frozenset()

    def refresh(self) -> None:
        self.authorizer.refresh()

    @property
    def version(self) -> str:
        return self.authorizer.version

    @staticmethod
    def _identity(principal: Principal) -> Identity:
        if isinstance(principal, Identity):
            return principal
        return Identity(principal.user, tuple(principal.groups))

    def is_admin(self, principal: Principal) -> bool:
        return self.authorizer.is_admin(self._identity(principal))

    def can_see(self, principal: Principal, path: ResourcePath) -> bool:
        if path.catalog is None:
            return False
        return self.authorizer.can_see(
            self._identity(principal), path.catalog, path.schema, path.table, path.column
        )

    # -- grouping -------------------------------------------------------------------------
    def _prepare(self) -> None:
        engine = self.authorizer.engine
        version = self.authorizer.version  # the policies' and the catalog tags' version
        if version == self._engine_version:
            return
        evaluators = engine._evaluators.get(POLICY_TYPE_ACCESS, ())
        tokens = any(
            "{" in value
            for e in evaluators
            for resources in (e.policy.resources, *e.policy.additional_resources)
            for res in resources.values()
            for value in res.values
        )
        self._evaluators = tuple(evaluators)
        self._shareable = not tokens and engine._tag_store is None
        self._column_memo = {}
        self._table_memo = {}
        # policies whose match on a table cannot depend on the table's name: no table resource,
        # or every table ("*"), on one resource map
        self._table_free = frozenset(
            i
            for i, e in enumerate(evaluators)
            if not e.policy.additional_resources
            and (
                "table" not in e.policy.resources
                or (
                    not e.policy.resources["table"].is_excludes
                    and set(e.policy.resources["table"].values) == {"*"}
                )
            )
        )
        # tables with classifications (configured or from the catalog): answered one by one
        self._tagged_tables = self.authorizer.tagged_tables()
        self._engine_version = version

    def _table_tags(
        self, path: ResourcePath
    ) -> tuple[tuple[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]], ...]:
        """The classifications on a table and its columns, as a hashable value (empty: none)."""
        if not self._tagged_tables or path.table is None:
            return ()
        entry = self.authorizer._tags._tables.get(f"{path.catalog}.{path.schema}.{path.table}".lower())
        if not entry:
            return ()
        return tuple(
            sorted(
                (
                    column or "",
                    tuple(sorted((name, tuple(sorted(attrs.items()))) for name, attrs in values)),
                )
                for column, values in entry.items()
            )
        )

    def _matches(self, candidates: Iterable[int], resource: Mapping[str, str]) -> list[tuple[int, MatchType]]:
        found: list[tuple[int, MatchType]] = []
        for i in candidates:
            match_type = self._evaluators[i].match_type(resource, _NO_TOKENS)
            if match_type is not MatchType.NONE:
                found.append((i, match_type))
        return found

    def signature(self, path: ResourcePath, parent: Hashable | None) -> Hashable:
        self._prepare()
        if not self._shareable:
            return _Signature((), (path.key(),))
        if isinstance(parent, _Signature) and parent.own is not None and path.column is not None:
            return _Signature((), (path.key(),))
        resource = {
            name: value
            for name, value in (
                ("catalog", path.catalog),
                ("schema", path.schema),
                ("table", path.table),
                ("column", path.column),
            )
            if value is not None
        }
        if path.column is not None and isinstance(parent, _Signature):
            memo_key = (parent, path.column.lower())
            found = self._column_memo.get(memo_key)
            if found is not None:
                return found
        candidates = (
            [i for i, _ in parent.matches]
            if isinstance(parent, _Signature) and parent.own is None
            else range(len(self._evaluators))
        )
        table_level = path.table is not None and path.column is None
        if table_level and isinstance(parent, _Signature) and parent.own is None:
            # the name-independent policies are matched once per schema signature
            shared = self._table_memo.get(parent)
            if shared is None:
                free = [i for i in candidates if i in self._table_free]
                shared = self._table_memo[parent] = self._matches(free, resource)
            named = [i for i in candidates if i not in self._table_free]
            matches = sorted([*shared, *self._matches(named, resource)])
        else:
            matches = self._matches(candidates, resource)
        own: tuple[str, ...] | None = None
        tags: tuple[tuple[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]], ...] = ()
        if path.column is not None and isinstance(parent, _Signature):
            # a column is decided with its table's classifications and its own
            name = path.column.lower()
            tags = tuple(t for t in parent.tags if t[0] in ("", name))
        if table_level:
            tags = self._table_tags(path)
            if any(len(self._evaluators[i].matchers) > 1 for i, _ in matches):
                own = (path.key(),)  # columns cannot share across tables matched through different maps
        signature = _Signature(tuple(matches), own, tags)
        if path.column is not None and isinstance(parent, _Signature):
            self._column_memo[(parent, path.column.lower())] = signature
        return signature
