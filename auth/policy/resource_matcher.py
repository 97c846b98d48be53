"""Resource matching: one policy value list against one request value, and a policy's resources against a
request's resource hierarchy (Ranger's ``RangerDefaultResourceMatcher`` and
``RangerDefaultPolicyResourceMatcher.getMatchType``). One value is compiled by ``value_patterns``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from auth.policy.model import PolicyResource, ResourceDef
from auth.policy.request import MatchType, ResourceValue
from auth.policy.value_patterns import URL_MATCHER_CLASS, TokenSyntax, ValuePattern
from auth.policy.value_patterns import Tokens as Tokens  # re-exported: the evaluator and tag store use it

_BEST_FIRST = (
    MatchType.SELF,
    MatchType.SELF_AND_ALL_DESCENDANTS,
    MatchType.DESCENDANT,
    MatchType.ANCESTOR,
)


def _option(options: Mapping[str, str], name: str, default: bool) -> bool:
    value = options.get(name)
    return default if value is None else value.strip().lower() == "true"


def _char_option(options: Mapping[str, str], name: str, default: str) -> str:
    value = options.get(name)
    return value[0] if value else default


class ValueMatcher:
    """A policy resource's values (OR-ed) against one request value, with ``isExcludes``.

    A request value may be a tuple: alternative spellings of the one resource (Ranger's Hive plugin asks for
    a ``url`` as ``[path, path + "/"]``). As in ``RangerDefaultResourceMatcher.getMatchType``, the resource
    matches when one spelling matches; with ``isExcludes``, when no spelling is excluded.
    """

    __slots__ = ("_patterns", "is_excludes", "literal_values", "match_any")

    def __init__(self, resource: PolicyResource, options: Mapping[str, str], matcher: str = ""):
        wildcard = _option(options, "wildCard", True)
        ignore_case = _option(options, "ignoreCase", True)
        syntax: TokenSyntax | None = None
        if _option(options, "replaceTokens", True):
            syntax = TokenSyntax(
                _char_option(options, "tokenDelimiterStart", "{"),
                _char_option(options, "tokenDelimiterEnd", "}"),
                _char_option(options, "tokenDelimiterEscape", "\\"),
                options.get("tokenDelimiterPrefix", ""),
            )
            if syntax.escape in (syntax.start, syntax.end) or any(
                c in syntax.prefix for c in (syntax.escape, syntax.start, syntax.end)
            ):
                syntax = None  # Ranger disables token replacement for contradictory delimiters
        separator: str | None = None
        if matcher.rsplit(".", 1)[-1] == URL_MATCHER_CLASS and resource.is_recursive:
            separator = _char_option(options, "pathSeparatorChar", "/")
        patterns: list[ValuePattern] = []
        match_any = False
        for raw in resource.values:
            if not raw:
                continue
            if separator is not None and wildcard and raw.endswith(separator):
                raw += "*"  # a recursive folder value covers what is below it
            pattern = ValuePattern(
                raw,
                wildcard=wildcard,
                ignore_case=ignore_case,
                syntax=syntax,
                recursive_url_separator=separator,
            )
            if pattern.match_any:
                match_any = True
                break
            patterns.append(pattern)
        self.match_any = match_any or not patterns
        self._patterns = () if self.match_any else tuple(patterns)
        self.is_excludes = resource.is_excludes
        # The exact values this matcher accepts, when it accepts nothing else (used to index policies).
        self.literal_values: tuple[str, ...] | None = (
            tuple(p.raw for p in self._patterns)
            if self._patterns and all(p.is_literal for p in self._patterns)
            else None
        )

    def is_match(self, value: ResourceValue | None, tokens: Tokens) -> bool:
        if isinstance(value, tuple):
            if self.match_any:
                return True
            found = any(p.is_match(v, tokens) for v in value for p in self._patterns)
            return not found if self.is_excludes else found
        all_values = value is None or value in ("", "*")
        if value is None or all_values or self.match_any:
            result = self.match_any
        else:
            result = any(p.is_match(value, tokens) for p in self._patterns)
        if not self.is_excludes or (all_values and not self.match_any):
            return result
        return not result


class _HierarchyMatcher:
    __slots__ = ("last_non_any", "matchers", "names", "prefixes")

    def __init__(self, names: tuple[str, ...], matchers: tuple[ValueMatcher, ...]):
        self.names = names
        self.matchers = matchers
        self.last_non_any = max((i for i, m in enumerate(matchers) if not m.match_any), default=-1)
        self.prefixes = tuple(frozenset(names[:i]) for i in range(len(names) + 1))


class PolicyResourceMatcher:
    """One resource map of a policy, placed on every hierarchy of the service definition it fits."""

    __slots__ = ("_candidates", "_empty", "_valid", "root_keys")

    def __init__(
        self,
        resources: Mapping[str, PolicyResource],
        resource_defs: Sequence[ResourceDef],
        all_hierarchies: Iterable[tuple[str, ...]],
    ):
        defs = {r.name: r for r in resource_defs}
        keys = set(resources)
        self._empty = not keys
        self._valid = keys <= set(defs)
        candidates: list[_HierarchyMatcher] = []
        if self._valid:
            for names in all_hierarchies:
                if keys and set(names[: len(keys)]) != keys:
                    continue
                matchers = tuple(
                    ValueMatcher(resources[n], defs[n].matcher_options, defs[n].matcher)
                    for n in names[: len(keys)]
                )
                candidates.append(_HierarchyMatcher(names, matchers))
            self._valid = bool(candidates)
        self._candidates = tuple(candidates)
        self.root_keys = _root_keys(resources, defs) if self._valid else None

    def match_type(self, resource: Mapping[str, ResourceValue], tokens: Tokens) -> MatchType:
        if not self._valid:
            return MatchType.NONE
        if self._empty:
            # A policy without resources matches only a request without resources.
            return MatchType.NONE if resource else MatchType.SELF
        best = MatchType.NONE
        depth = len(resource)
        for cand in self._candidates:
            if depth >= len(cand.prefixes) or cand.prefixes[depth] != resource.keys():
                continue
            found = _match_hierarchy(cand, resource, tokens)
            if found is MatchType.SELF:
                return found
            if found is not MatchType.NONE and (best is MatchType.NONE or _rank(found) < _rank(best)):
                best = found
        return best


def index_key(name: str, value: str, options: Mapping[str, str]) -> str:
    """How a root resource value is filed in the engine's index (case-folded where matching ignores case)."""
    return f"{name}\x00{value.casefold() if _option(options, 'ignoreCase', True) else value}"


def _root_keys(
    resources: Mapping[str, PolicyResource], defs: Mapping[str, ResourceDef]
) -> frozenset[str] | None:
    """Index keys of the root resource's literal values; ``None`` when the values cannot be indexed."""
    roots = [name for name in resources if defs[name].parent not in defs]
    if len(roots) != 1:
        return None
    name = roots[0]
    res, rdef = resources[name], defs[name]
    if res.is_excludes:
        return None
    values = ValueMatcher(res, rdef.matcher_options, rdef.matcher).literal_values
    if values is None:
        return None
    return frozenset(index_key(name, v, rdef.matcher_options) for v in values)


def _rank(match_type: MatchType) -> int:
    return _BEST_FIRST.index(match_type)


def _match_hierarchy(
    cand: _HierarchyMatcher, resource: Mapping[str, ResourceValue], tokens: Tokens
) -> MatchType:
    # An empty request is the policy's own level until a matcher refuses it (``getMatchType``).
    ret = MatchType.NONE if resource else MatchType.SELF
    depth = len(cand.matchers)
    for idx, name in enumerate(cand.names):
        value = resource.get(name)
        if idx < depth:
            matcher = cand.matchers[idx]
            if value is not None or matcher.match_any:
                if not matcher.is_match(value, tokens):
                    return MatchType.NONE
                ret = MatchType.SELF
        else:
            if value is not None:
                ret = MatchType.ANCESTOR
            break
    if ret is MatchType.SELF and len(resource) < depth:
        ret = (
            MatchType.SELF_AND_ALL_DESCENDANTS if len(resource) > cand.last_non_any else MatchType.DESCENDANT
        )
    return ret


def best_match_type(
    matchers: Iterable[PolicyResourceMatcher], resource: Mapping[str, ResourceValue], tokens: Tokens
) -> MatchType:
    """The best match over a policy's ``resources`` and ``additionalResources``."""
    best = MatchType.NONE
    for matcher in matchers:
        found = matcher.match_type(resource, tokens)
        if found is MatchType.SELF:
            return found
        if found is not MatchType.NONE and (best is MatchType.NONE or _rank(found) < _rank(best)):
            best = found
    return best
