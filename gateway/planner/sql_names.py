"""Names and patterns in SQL text, as Trino reads them, for statements answered by regex.

Shared by the planner's SHOW/DESCRIBE answers and the Trino front door's session statements.
"""

from __future__ import annotations

import re

#: one identifier: quoted ("a ""b"""), or unquoted
IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][\w$@]*)'


def fold_identifier(text: str) -> str:
    """An identifier as Trino folds it: unquoted to lower case, quoted as written."""
    text = text.strip()
    if text.startswith('"'):
        return text[1:-1].replace('""', '"')
    return text.lower()


def split_name(text: str) -> list[str]:
    """``catalog.schema.table`` (any parts quoted or not) as folded parts."""
    return [fold_identifier(part) for part in re.findall(IDENT, text)]


def like_pattern(pattern: str | None, escape: str | None = None) -> re.Pattern[str] | None:
    """A SQL LIKE pattern (a string literal's body, ``''`` doubled) as a regex to fullmatch."""
    if pattern is None:
        return None
    pattern = pattern.replace("''", "'")
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if escape and char == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.S)
