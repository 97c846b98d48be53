"""Joda-Time patterns (Trino's ``format_datetime``/``parse_datetime``) as the engine's strftime.

Only letters with an exact strftime equivalent are translated; any other letter is refused by
name, so a pattern never means something else on the engine. Text in single quotes is literal,
``''`` is a quote. ``%`` in literal text is escaped.
"""

from __future__ import annotations

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.semantics.types import refuse

# (letter, count) -> strftime, for formatting; counts above the longest listed use the longest
_FORMAT: dict[str, dict[int, str]] = {
    "y": {2: "%y", 4: "%Y"},
    "Y": {4: "%Y"},
    "M": {1: "%-m", 2: "%m", 3: "%b", 4: "%B"},
    "d": {1: "%-d", 2: "%d"},
    "D": {3: "%j"},
    "H": {1: "%-H", 2: "%H"},
    "h": {1: "%-I", 2: "%I"},
    "m": {1: "%-M", 2: "%M"},
    "s": {1: "%-S", 2: "%S"},
    "S": {3: "%g", 6: "%f"},
    "a": {1: "%p"},
    "E": {3: "%a", 4: "%A"},
}
# parsing: strptime reads one or two digits for %d, %m, %H, %M, %S, as Joda does for one letter
_PARSE: dict[str, dict[int, str]] = {
    "y": {2: "%y", 4: "%Y"},
    "Y": {4: "%Y"},
    "M": {1: "%m", 2: "%m", 3: "%b", 4: "%B"},
    "d": {1: "%d", 2: "%d"},
    "D": {3: "%j"},
    "H": {1: "%H", 2: "%H"},
    "h": {1: "%I", 2: "%I"},
    "m": {1: "%M", 2: "%M"},
    "s": {1: "%S", 2: "%S"},
    "S": {3: "%g", 6: "%f"},
    "a": {1: "%p"},
    "E": {3: "%a", 4: "%A"},
}


def _tokens(pattern: str) -> list[tuple[str, str]]:
    """("letter", run) and ("text", literal) tokens of a Joda pattern."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            if pattern[i + 1 : i + 2] == "'":
                tokens.append(("text", "'"))
                i += 2
                continue
            end = pattern.find("'", i + 1)
            if end < 0:
                raise LakegateError(
                    ErrorCode.ENGINE_DATA_ERROR, f"Invalid format: unterminated quote in '{pattern}'"
                )
            tokens.append(("text", pattern[i + 1 : end]))
            i = end + 1
        elif char.isascii() and char.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == char:
                j += 1
            tokens.append(("letter", pattern[i:j]))
            i = j
        else:
            tokens.append(("text", char))
            i += 1
    return tokens


def to_strftime(pattern: str, *, parsing: bool, function: str) -> str:
    table = _PARSE if parsing else _FORMAT
    out: list[str] = []
    for kind, text in _tokens(pattern):
        if kind == "text":
            out.append(text.replace("%", "%%"))
            continue
        letter, count = text[0], len(text)
        widths = table.get(letter)
        spelled = widths.get(count) if widths else None
        if spelled is None and widths and letter in "ME" and count > 4:
            spelled = widths[4]
        if spelled is None:
            raise refuse(f"{function}() with the Joda pattern letters '{text}'")
        out.append(spelled)
    return "".join(out)
