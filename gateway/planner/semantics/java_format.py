"""Java's ``String.format`` (Trino's ``format``) as the engine's ``printf``, where they agree.

Translated: ``%s`` of a string or an integer, ``%d`` of an integer, each with an optional ``-``
flag and width, ``%%`` and ``%n``. Everything else (``%f``: Java rounds half up where printf
rounds the binary value; ``%x`` of a negative: two's complement; ``%,d``; argument indices; dates)
is refused by name.
"""

from __future__ import annotations

import re

from sqlglot import exp

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.semantics.types import is_integer, refuse

_SPECIFIER = re.compile(
    r"%(?P<flags>[-#+ 0,(<]*)(?P<width>\d+)?(?:\.(?P<precision>\d+))?(?P<conversion>[a-zA-Z%])"
)
_ARG_INDEX = re.compile(r"%\d+\$")


def to_printf(pattern: str, arguments: list[exp.DataType | None]) -> str:
    if _ARG_INDEX.search(pattern):
        raise refuse("format() with argument indices (%1$s)")
    out: list[str] = []
    position = 0
    used = 0
    for match in _SPECIFIER.finditer(pattern):
        out.append(pattern[position : match.start()])
        position = match.end()
        flags, width, precision, conversion = (
            match.group("flags"),
            match.group("width") or "",
            match.group("precision"),
            match.group("conversion"),
        )
        if conversion == "%":
            out.append("%%")
            continue
        if conversion == "n":
            out.append("\n")
            continue
        if flags not in ("", "-") or precision is not None or conversion not in ("s", "d"):
            raise refuse(f"format() with the specifier '{match.group(0)}'")
        if used >= len(arguments):
            raise LakegateError(
                ErrorCode.ENGINE_DATA_ERROR, f"Invalid format string: missing argument for '{match.group(0)}'"
            )
        kind = arguments[used]
        used += 1
        if conversion == "d" and not is_integer(kind):
            raise refuse(f"format() '%d' of a {kind.sql('trino') if kind else 'value of unknown type'}")
        if conversion == "s" and not (
            is_integer(kind) or (kind is not None and kind.is_type(*exp.DataType.TEXT_TYPES))
        ):
            raise refuse(f"format() '%s' of a {kind.sql('trino') if kind else 'value of unknown type'}")
        out.append(f"%{flags}{width}{conversion}")
    tail = pattern[position:]
    if "%" in tail:
        raise refuse(f"format() with the pattern '{pattern}'")
    out.append(tail)
    return "".join(out)
