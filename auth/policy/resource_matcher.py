"""Resource matching: one policy value list against one request value, and a policy's resources against a
request's resource hierarchy (Ranger's ``RangerDefaultResourceMatcher`` and
``RangerDefaultPolicyResourceMatcher.getMatchType``).

Patterns are compiled to regular expressions once, when the policy is loaded. Values that carry tokens
(``{USER}``, ``{OWNER}``) are compiled per token value and cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from auth.policy.model import PolicyResource, ResourceDef
from auth.policy.request import MatchType, ResourceValue

Tokens = Mapping[str, str]

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


class _Pattern:
    """One policy value. ``parts`` alternates literal text and token names (odd indexes) when tokenised."""

    __slots__ = ("_flags", "_parts", "_regex", "_wildcard", "match_any")

    def __init__(
        self, value: str, *, wildcard: bool, ignore_case: bool, tokens: bool, delims: tuple[str, str, str]
    ):
        self._wildcard = wildcard
        self._flags = re.IGNORECASE if ignore_case else 0
        self._parts = _split_tokens(value, delims) if tokens else [value]
        self._regex: re.Pattern[str] | None = None
        self.match_any = False
        if len(self._parts) == 1:
            literal = self._parts[0]
            self.match_any = wildcard and literal != "" and set(literal) == {"*"}
            self._regex = _compile(literal, wildcard, self._flags)

    @property
    def needs_tokens(self) -> bool:
        return self._regex is None

    def is_match(self, value: str, tokens: Tokens) -> bool:
        regex = self._regex
        if regex is None:
            pieces: list[str] = []
            for idx, part in enumerate(self._parts):
                if idx % 2 == 0:
                    pieces.append(part)
                    continue
                token_value = tokens.get(part)
                if token_value is None:
                    return False
                pieces.append(_escape_wildcards(token_value) if self._wildcard else token_value)
            regex = _compile("".join(pieces), self._wildcard, self._flags)
        return regex.fullmatch(value) is not None


def _escape_wildcards(text: str) -> str:
    # A token's value is literal text: keep '*' and '?' in it from acting as wildcards.
    return text.replace("*", "\x00").replace("?", "\x01")


@lru_cache(maxsize=4096)
def _compile(pattern: str, wildcard: bool, flags: int) -> re.Pattern[str]:
    if not wildcard:
        return re.compile(re.escape(pattern.replace("\x00", "*").replace("\x01", "?")), flags)
    out: list[str] = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "\x00":
            out.append(re.escape("*"))
        elif ch == "\x01":
            out.append(re.escape("?"))
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), flags | re.DOTALL)


def _split_tokens(value: str, delims: tuple[str, str, str]) -> list[str]:
    """Split ``a{USER}b`` into ``["a", "USER", "b"]``; the escape character makes the next one literal."""
    start, end, escape = delims
    parts: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == escape and i + 1 < len(value):
            buf.append(value[i + 1])
            i += 2
            continue
        if ch == start:
            close = value.find(end, i + 1)
            if close > i:
                parts.append("".join(buf))
                parts.append(value[i + 1 : close])
                buf = []
                i = close + 1
                continue
        buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts


class ValueMatcher:
    """A policy resource's values (OR-ed) against one request value, with ``isExcludes``."""

    __slots__ = ("_patterns", "is_excludes", "match_any")

    def __init__(self, resource: PolicyResource, options: Mapping[str, str]):
        wildcard = _option(options, "wildCard", True)
        ignore_case = _option(options, "ignoreCase", True)
        tokens = _option(options, "replaceTokens", True)
        delims = (
            _char_option(options, "tokenDelimiterStart", "{"),
            _char_option(options, "tokenDelimiterEnd", "}"),
            _char_option(options, "tokenDelimiterEscape", "\\"),
        )
        patterns: list[_Pattern] = []
        match_any = False
        for raw in resource.values:
            if not raw:
                continue
            pattern = _Pattern(
                raw,
                wildcard=wildcard,
                ignore_case=ignore_case,
                tokens=tokens and delims[0] in raw,
                delims=delims,
            )
            if pattern.match_any:
                match_any = True
                break
            patterns.append(pattern)
        self.match_any = match_any or not patterns
        self._patterns = () if self.match_any else tuple(patterns)
        self.is_excludes = resource.is_excludes

    def is_match(self, value: ResourceValue | None, tokens: Tokens) -> bool:
        if isinstance(value, tuple):
            if not value:
                return self.is_match(None, tokens)
            return all(self.is_match(v, tokens) for v in value)
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
                    ValueMatcher(resources[n], defs[n].matcher_options) for n in names[: len(keys)]
                )
                candidates.append(_HierarchyMatcher(names, matchers))
            self._valid = bool(candidates)
        self._candidates = tuple(candidates)
        self.root_keys = _root_keys(resources, defs) if self._valid else None

    def match_type(self, resource: Mapping[str, ResourceValue], tokens: Tokens) -> MatchType:
        if not self._valid:
            return MatchType.NONE
        if not resource:
            return MatchType.SELF if self._empty else MatchType.DESCENDANT
        if self._empty:
            return MatchType.ANCESTOR
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
    res, options = resources[name], defs[name].matcher_options
    wildcard = _option(options, "wildCard", True)
    values = [v for v in res.values if v]
    if res.is_excludes or not values:
        return None
    for value in values:
        if "{" in value or "\\" in value or (wildcard and ("*" in value or "?" in value)):
            return None
    return frozenset(index_key(name, v, options) for v in values)


def _rank(match_type: MatchType) -> int:
    return _BEST_FIRST.index(match_type)


def _match_hierarchy(
    cand: _HierarchyMatcher, resource: Mapping[str, ResourceValue], tokens: Tokens
) -> MatchType:
    ret = MatchType.NONE
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
