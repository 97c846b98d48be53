"""Resource matching: one policy value list against one request value, and a policy's resources against a
request's resource hierarchy (Ranger's ``RangerDefaultResourceMatcher`` and
``RangerDefaultPolicyResourceMatcher.getMatchType``).

Patterns are compiled to regular expressions once, when the policy is loaded. Values that carry tokens
(``{USER}``, ``{OWNER}``) are compiled per token value and cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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


URL_MATCHER_CLASS = "RangerURLResourceMatcher"
_URL_SCHEME = re.compile(r":/{2,}")


@dataclass(frozen=True, slots=True)
class _Tokens:
    """Ranger's token syntax for one resource (``StringTokenReplacer``): ``{USER}``, with an escape character
    and an optional prefix every token name must carry (``{rangerToken:USER}``)."""

    start: str
    end: str
    escape: str
    prefix: str

    def has_token(self, value: str) -> bool:
        return self.escape in value or (self.start in value and self.end in value)

    def split(self, value: str) -> list[str]:
        """``a{USER}b`` -> ``["a", "USER", "b"]``: literal text at even indexes, raw token text at odd ones.
        An unterminated token stays literal text."""
        parts: list[str] = []
        text: list[str] = []
        token: list[str] | None = None
        i = 0
        while i < len(value):
            ch = value[i]
            if ch == self.escape:
                i += 1
                target = text if token is None else token
                if i < len(value):
                    nxt = value[i]
                    # The escape character is kept unless it escapes itself or the delimiter it guards.
                    if nxt not in (self.escape, self.start if token is None else self.end):
                        target.append(self.escape)
                    target.append(nxt)
                else:
                    target.append(self.escape)
                i += 1
                continue
            if token is None:
                if ch == self.start:
                    token = []
                else:
                    text.append(ch)
            elif ch == self.end:
                parts.extend(("".join(text), "".join(token)))
                text, token = [], None
            else:
                token.append(ch)
            i += 1
        if token is not None:
            text.extend((self.start, *token))
        parts.append("".join(text))
        return parts

    def resolve(self, raw: str, tokens: Tokens) -> str | None:
        """A token's value, or ``None`` when the token is not one (wrong prefix) or has no value: Ranger then
        keeps it as written."""
        if self.prefix and not raw.startswith(self.prefix):
            return None
        return tokens.get(raw[len(self.prefix) :])


class _Pattern:
    """One policy value, compiled. Values with tokens are expanded per request (Ranger leaves a value
    unchanged when the request has no tokens at all, and a token without a value as written).

    ``recursive_url`` is Ranger's ``RangerURLResourceMatcher`` for a recursive policy: a value without
    wildcards matches itself and everything below it; a value with wildcards matches when the URL or one of
    its parent URLs matches it."""

    __slots__ = ("_flags", "_parts", "_raw", "_regex", "_separator", "_syntax", "_wildcard", "match_any")

    def __init__(
        self,
        value: str,
        *,
        wildcard: bool,
        ignore_case: bool,
        syntax: _Tokens | None,
        recursive_url_separator: str | None = None,
    ):
        self._wildcard = wildcard
        self._flags = re.IGNORECASE if ignore_case else 0
        self._raw = value
        self._separator = recursive_url_separator
        self._syntax = syntax if syntax is not None and syntax.has_token(value) else None
        self._parts = self._syntax.split(value) if self._syntax is not None else [value]
        self._regex: re.Pattern[str] | None = None
        self.match_any = (
            wildcard
            and value != ""
            and (value == "*" if recursive_url_separator is not None else set(value) == {"*"})
        )
        if self._syntax is None:
            self._regex = _compile(value, wildcard, self._flags)

    @property
    def is_literal(self) -> bool:
        """Matches exactly one value (modulo case), fixed when the policy loads."""
        has_wildcard = self._wildcard and ("*" in self._raw or "?" in self._raw)
        return self._syntax is None and self._separator is None and not has_wildcard

    def _expanded(self, tokens: Tokens) -> str:
        """The policy value with this request's tokens in place; wildcards inside token values are escaped."""
        if not tokens:
            return self._raw
        assert self._syntax is not None
        syntax = self._syntax
        pieces: list[str] = []
        for idx, part in enumerate(self._parts):
            if idx % 2 == 0:
                pieces.append(part)
                continue
            token_value = syntax.resolve(part, tokens)
            if token_value is None:
                pieces.append(syntax.start + part + syntax.end)
            else:
                pieces.append(_escape_wildcards(token_value) if self._wildcard else token_value)
        return "".join(pieces)

    def is_match(self, value: str, tokens: Tokens) -> bool:
        regex = self._regex
        if regex is None:
            expanded = self._expanded(tokens)
            if self._separator is not None and not self._has_wildcard(expanded):
                return self._url_prefix_match(value, expanded)
            regex = _compile(expanded, self._wildcard, self._flags)
        elif self._separator is not None and not self._has_wildcard(self._raw):
            return self._url_prefix_match(value, self._raw)
        if self._separator is not None:
            return _recursive_wildcard_match(value, regex, self._separator)
        return regex.fullmatch(value) is not None

    def _has_wildcard(self, pattern: str) -> bool:
        return self._wildcard and ("*" in pattern or "?" in pattern)

    def _url_prefix_match(self, value: str, policy_value: str) -> bool:
        sep = self._separator or "/"
        literal = policy_value.replace("\x00", "*").replace("\x01", "?")
        base = literal[:-1] if literal.endswith(sep) else literal
        if self._flags & re.IGNORECASE:
            value, base = value.casefold(), base.casefold()
        return value == base or value.startswith(base + sep)


def _scheme_end(url: str) -> int:
    colon = url.find(":")
    if colon < 0:
        return -1
    idx = colon + 1
    while idx < len(url) and url[idx] == "/":
        idx += 1
    return idx if idx - (colon + 1) >= 2 else -1


def _recursive_wildcard_match(path: str, regex: re.Pattern[str], sep: str) -> bool:
    """``RangerURLResourceMatcher.isRecursiveWildCardMatch``: the URL, or one of its parents (scheme kept),
    matches the wildcard pattern. A value that is not a URL (no ``scheme://``) never matches."""
    url = path.strip()
    if not url or _URL_SCHEME.search(url) is None:
        return False
    end = _scheme_end(url)
    if end < 0:
        return False
    scheme, rest = url[:end], url[end:]
    elements = [e for e in rest.split(sep) if e]
    if not elements:
        return regex.fullmatch(path) is not None
    current = scheme + (sep if path[0] == sep else "")
    for element in elements:
        current += element
        if regex.fullmatch(current) is not None:
            return True
        current += sep
    if not url.endswith(sep):
        current = current[:-1]
    return regex.fullmatch(current) is not None


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
        syntax: _Tokens | None = None
        if _option(options, "replaceTokens", True):
            syntax = _Tokens(
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
        patterns: list[_Pattern] = []
        match_any = False
        for raw in resource.values:
            if not raw:
                continue
            if separator is not None and wildcard and raw.endswith(separator):
                raw += "*"  # a recursive folder value covers what is below it
            pattern = _Pattern(
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
            tuple(p._raw for p in self._patterns)
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
