"""Client-side rendering of qmark (``?``) parameters as SQL literals.

The gateway takes plain SQL text, so parameters are rendered as literals, ANSI/Trino style
(the server's dialect translation takes them from there):

=======================  =========================================
Python value             SQL literal
=======================  =========================================
``None``                 ``NULL``
``bool``                 ``TRUE`` / ``FALSE``
``int``                  ``42`` (negative numbers in parentheses)
``float``                ``1.5E0`` (a DOUBLE; NaN and infinities are refused)
``decimal.Decimal``      ``DECIMAL '1.50'``
``str``                  ``'it''s'``
``bytes``                ``X'00ff'``
``datetime.date``        ``DATE '2024-01-31'``
``datetime.datetime``    ``TIMESTAMP '2024-01-31 12:00:00.000000'``
                         (``... +01:00`` when it has a time zone)
``datetime.time``        ``TIME '12:00:00.000000'``
=======================  =========================================

A ``?`` inside a quoted string, a quoted identifier or a comment is not a placeholder.
"""

from __future__ import annotations

import datetime
import decimal
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from lakegate.errors import ProgrammingError

__all__ = ["render_literal", "render_parameters", "split_placeholders"]


def split_placeholders(sql: str) -> list[str]:
    """Split ``sql`` at its ``?`` placeholders: ``n`` placeholders give ``n + 1`` pieces."""
    pieces: list[str] = []
    start = 0
    i = 0
    length = len(sql)
    while i < length:
        char = sql[i]
        if char in "'\"`":
            # Quoted string or identifier; a doubled quote is an escaped quote.
            i += 1
            while i < length:
                if sql[i] == char:
                    if i + 1 < length and sql[i + 1] == char:
                        i += 2
                        continue
                    break
                i += 1
        elif char == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            i = length if end < 0 else end
        elif char == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = length if end < 0 else end + 1
        elif char == "?":
            pieces.append(sql[start:i])
            start = i + 1
        i += 1
    pieces.append(sql[start:])
    return pieces


def _quote(text: str) -> str:
    if "\x00" in text:
        raise ProgrammingError("string parameters cannot contain NUL characters")
    return "'" + text.replace("'", "''") + "'"


def _signed(text: str) -> str:
    # "x -?" with -1 must not become "x --1", a comment.
    return f"({text})" if text.startswith("-") else text


def _render_datetime(value: datetime.datetime) -> str:
    text = value.strftime("%Y-%m-%d %H:%M:%S.%f")
    offset = value.utcoffset()
    if offset is not None:
        sign = "-" if offset < datetime.timedelta(0) else "+"
        minutes = abs(int(offset.total_seconds())) // 60
        text += f" {sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"TIMESTAMP '{text}'"


def render_literal(value: Any) -> str:
    """The SQL literal for one parameter value."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, numbers.Integral):
        return _signed(str(int(value)))
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ProgrammingError(f"cannot render the decimal {value} as SQL")
        return f"DECIMAL '{value:f}'"
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ProgrammingError(f"cannot render the float {number} as SQL (NaN and infinity)")
        text = repr(number)
        if "e" not in text and "E" not in text:
            text += "E0"
        return _signed(text)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return f"X'{bytes(value).hex()}'"
    if isinstance(value, datetime.datetime):
        return _render_datetime(value)
    if isinstance(value, datetime.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, datetime.time):
        if value.utcoffset() is not None:
            raise ProgrammingError("time parameters with a time zone are not supported")
        return f"TIME '{value.strftime('%H:%M:%S.%f')}'"
    raise ProgrammingError(f"unsupported parameter type: {type(value).__name__}")


def render_parameters(sql: str, parameters: Sequence[Any]) -> str:
    """Replace each ``?`` placeholder in ``sql`` with the literal for the matching parameter."""
    if isinstance(parameters, Mapping):
        raise ProgrammingError("paramstyle is 'qmark': pass parameters as a sequence, not a mapping")
    if isinstance(parameters, str | bytes) or not isinstance(parameters, Sequence):
        raise ProgrammingError("parameters must be a sequence (a list or a tuple)")
    pieces = split_placeholders(sql)
    expected = len(pieces) - 1
    if expected != len(parameters):
        raise ProgrammingError(
            f"the statement has {expected} placeholder(s) but {len(parameters)} parameter(s) were given"
        )
    out = [pieces[0]]
    for value, piece in zip(parameters, pieces[1:], strict=True):
        out.append(render_literal(value))
        out.append(piece)
    return "".join(out)
