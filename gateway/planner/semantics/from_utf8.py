"""``from_utf8(b[, replace])``: text of UTF-8 bytes, each invalid sequence replaced as Trino does.

Trino reads the bytes one sequence at a time: a start byte announces the sequence's length; the
sequence is invalid when its bytes run out or one is not a continuation byte (the bytes read so
far are one invalid sequence), or when it is overlong, a surrogate or beyond U+10FFFF (all of its
bytes). Each invalid sequence becomes the replacement: U+FFFD by default, a code point given as a
number, a text of one character, or nothing for ''.

Bytes known when planning (``X'..'``, ``from_hex('..')``) are decoded here by those rules. Other
bytes go to the engine, whose decoding agrees on valid UTF-8; invalid UTF-8 there is refused at
run time with NOT_SUPPORTED (the engine would fail or replace differently).
"""

from __future__ import annotations

from sqlglot import exp

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.semantics.types import T, deterministic, refuse, refuse_at_run_time, typed

_REPLACEMENT = "\ufffd"


def _sequence(data: bytes, at: int) -> tuple[int, int]:
    """(code point, length) of the sequence at ``at``; code point -1 when invalid."""
    first = data[at]
    if first < 0x80:
        return first, 1
    if first < 0xC0 or first >= 0xFE:
        return -1, 1
    size = 2 if first < 0xE0 else 3 if first < 0xF0 else 4 if first < 0xF8 else 5 if first < 0xFC else 6
    value = first & (0x7F >> size)
    for i in range(1, size):
        if at + i >= len(data) or data[at + i] & 0xC0 != 0x80:
            return -1, i  # the bytes read so far
        value = (value << 6) | (data[at + i] & 0x3F)
    smallest = {2: 0x80, 3: 0x800, 4: 0x10000}.get(size)
    if smallest is None or value < smallest or 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
        return -1, size
    return value, size


def decode(data: bytes, replacement: str = _REPLACEMENT) -> str:
    out: list[str] = []
    at = 0
    while at < len(data):
        value, size = _sequence(data, at)
        out.append(chr(value) if value >= 0 else replacement)
        at += size
    return "".join(out)


def _known_bytes(node: exp.Expr) -> bytes | None:
    try:
        if isinstance(node, exp.HexString):
            return bytes.fromhex(node.name)
        if isinstance(node, exp.Unhex) and isinstance(node.this, exp.Literal) and node.this.is_string:
            return bytes.fromhex(node.this.name)
    except ValueError:
        return None
    return None


def _replacement(node: exp.Expr | None) -> str | None:
    """The replacement text Trino would use, or None when it is not known when planning."""
    if node is None:
        return _REPLACEMENT
    if isinstance(node, exp.Literal) and node.is_string:
        if len(node.name) > 1:
            raise LakegateError(
                ErrorCode.ENGINE_DATA_ERROR, "Replacement character string must empty or a single character"
            )
        return node.name
    if isinstance(node, exp.Literal):
        code = int(node.name)
        if code < 0:
            raise refuse("from_utf8() with a negative replacement code point")
        if code > 0x10FFFF:
            raise LakegateError(ErrorCode.ENGINE_DATA_ERROR, "Invalid replacement character")
        if 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code)
    return None


def from_utf8(node: exp.Decode) -> exp.Expr:
    data = node.this
    replacement = _replacement(node.args.get("replace"))
    known = _known_bytes(data)
    if known is not None and replacement is not None:
        return typed(exp.Literal.string(decode(known, replacement)), T.VARCHAR)
    if not deterministic(data):
        raise refuse("from_utf8() of a nondeterministic argument")
    decoded = _call("try", _call("decode", data.copy()))
    invalid = exp.and_(
        exp.Not(this=exp.Is(this=exp.paren(data.copy()), expression=exp.Null())),
        exp.Is(this=decoded, expression=exp.Null()),
    )
    return typed(
        exp.Case(
            ifs=[exp.If(this=invalid, true=refuse_at_run_time("from_utf8() of invalid UTF-8"))],
            default=decoded.copy(),
        ),
        T.VARCHAR,
    )


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))
