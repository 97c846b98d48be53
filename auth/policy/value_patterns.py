"""One policy resource value compiled for matching (Ranger's ``ResourceMatcher`` family): wildcards, case,
tokens in Ranger's syntax (``StringTokenReplacer``), and the recursive URLs of ``RangerURLResourceMatcher``.

Patterns are compiled to regular expressions once, when the policy is loaded. Values that carry tokens
(``{USER}``, ``{OWNER}``) are expanded per request and their regular expressions cached.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

Tokens = Mapping[str, str]

URL_MATCHER_CLASS = "RangerURLResourceMatcher"
_URL_SCHEME = re.compile(r":/{2,}")


@dataclass(frozen=True, slots=True)
class TokenSyntax:
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


class ValuePattern:
    """One policy value, compiled. Values with tokens are expanded per request (Ranger leaves a value
    unchanged when the request has no tokens at all, and a token without a value as written).

    ``recursive_url`` is Ranger's ``RangerURLResourceMatcher`` for a recursive policy: a value without
    wildcards matches itself and everything below it; a value with wildcards matches when the URL or one of
    its parent URLs matches it."""

    __slots__ = ("_flags", "_parts", "_regex", "_separator", "_syntax", "_wildcard", "match_any", "raw")

    def __init__(
        self,
        value: str,
        *,
        wildcard: bool,
        ignore_case: bool,
        syntax: TokenSyntax | None,
        recursive_url_separator: str | None = None,
    ):
        self._wildcard = wildcard
        self._flags = re.IGNORECASE if ignore_case else 0
        self.raw = value
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
        has_wildcard = self._wildcard and ("*" in self.raw or "?" in self.raw)
        return self._syntax is None and self._separator is None and not has_wildcard

    def _expanded(self, tokens: Tokens) -> str:
        """The policy value with this request's tokens in place; wildcards inside token values are escaped."""
        if not tokens:
            return self.raw
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
        separator = self._separator
        if separator is None:
            regex = self._regex or _compile(self._expanded(tokens), self._wildcard, self._flags)
            return regex.fullmatch(value) is not None
        expanded = self.raw if self._regex is not None else self._expanded(tokens)
        if not self._has_wildcard(expanded):
            return self._url_prefix_match(value, expanded)
        regex = self._regex or _compile(expanded, self._wildcard, self._flags)
        return _recursive_wildcard_match(value, regex, separator)

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
