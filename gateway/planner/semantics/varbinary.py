"""Trino's functions of ``varbinary`` (the engine's BLOB, which lacks most of them).

* ``length(b)`` is the number of bytes (``octet_length``).
* ``concat(b1, b2, ...)`` and ``b1 || b2`` join the bytes; NULL when any is NULL (the engine's
  ``concat`` would make text of them).
* ``substr(b, start[, length])``: 1-based, a negative start counts from the end; a start of 0,
  beyond either end, or a length below 1 gives empty bytes.
* ``reverse(b)``: the bytes in reverse order.
* ``lpad(b, n, pad)``/``rpad``: padded with ``pad`` repeated (cut to fit), or cut to ``n``
  bytes; a negative ``n`` or an empty ``pad`` fails with Trino's message.

The engine has these for text, so the bytes go through their hex text (two characters a byte):
every offset and length is doubled, and the result is read back with ``unhex``.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.semantics.types import T, deterministic, raise_error, refuse, typed

_BINARY = frozenset({T.BINARY, T.VARBINARY, T.BLOB})


def is_varbinary(node: exp.Expr | None) -> bool:
    """Whether ``node`` is a ``varbinary`` in Trino (by its shape, or its annotated type)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if node is None:
        return False
    if isinstance(node, exp.HexString | exp.Unhex | exp.Encode):  # X'..', from_hex, to_utf8
        return True
    if isinstance(node, exp.Cast):
        return node.to.this in _BINARY
    kind = node.type
    return kind is not None and kind.this in _BINARY


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _bytes(hex_text: exp.Expr) -> exp.Expr:
    return typed(_call("unhex", hex_text), T.VARBINARY)


def _hex(node: exp.Expr) -> exp.Expr:
    return _call("hex", node.copy())


def _two(node: exp.Expr) -> exp.Expr:
    return exp.Mul(this=exp.Literal.number(2), expression=exp.paren(node.copy()))


def _checked(*parts: exp.Expr | None) -> None:
    for part in parts:
        if part is not None and not deterministic(part):
            raise refuse("a varbinary function of nondeterministic arguments")


def length(node: exp.Length) -> exp.Expr:
    return typed(_call("octet_length", node.this.copy()), T.BIGINT)


def concat(parts: list[exp.Expr]) -> exp.Expr:
    joined = parts[0].copy()
    for part in parts[1:]:
        joined = exp.DPipe(this=joined, expression=part.copy(), safe=False)
    return typed(exp.paren(joined), T.VARBINARY)


def substring(node: exp.Substring) -> exp.Expr:
    value, start, size = node.this, node.args.get("start"), node.args.get("length")
    if start is None:
        return node
    _checked(value, start, size)
    total = _call("octet_length", value.copy())
    # the 0-based offset of the first byte; negative when the start is before the first byte
    offset = exp.Case(
        ifs=[
            exp.If(
                this=exp.GT(this=start.copy(), expression=exp.Literal.number(0)),
                true=exp.Sub(this=start.copy(), expression=exp.Literal.number(1)),
            )
        ],
        default=exp.Add(this=total, expression=start.copy()),
    )
    arguments = [_hex(value), exp.Add(this=_two(offset), expression=exp.Literal.number(1))]
    if size is not None:
        arguments.append(_two(size))
    empty = exp.or_(
        exp.EQ(this=start.copy(), expression=exp.Literal.number(0)),
        exp.LT(this=exp.paren(offset.copy()), expression=exp.Literal.number(0)),
        *([exp.LT(this=size.copy(), expression=exp.Literal.number(1))] if size is not None else []),
    )
    return typed(
        exp.Case(
            ifs=[exp.If(this=empty, true=_bytes(exp.Literal.string("")))],
            default=_bytes(_call("substr", *arguments)),
        ),
        T.VARBINARY,
    )


def reverse(node: exp.Reverse) -> exp.Expr:
    pairs = _call("regexp_extract_all", _hex(node.this), exp.Literal.string(".."))
    return _bytes(_call("array_to_string", _call("list_reverse", pairs), exp.Literal.string("")))


def pad(node: exp.Pad) -> exp.Expr:
    value, size, filler = node.this, node.expression, node.args.get("fill_pattern")
    if filler is None:
        return node
    _checked(value, size, filler)
    name = "lpad" if node.args.get("is_left") else "rpad"
    padded = _bytes(_call(name, _hex(value), _two(size), _hex(filler)))
    return typed(
        exp.Case(
            ifs=[
                exp.If(
                    this=exp.LT(this=size.copy(), expression=exp.Literal.number(0)),
                    true=raise_error("Target length must be in the range [0..2147483647]"),
                ),
                exp.If(
                    this=exp.EQ(this=_call("octet_length", filler.copy()), expression=exp.Literal.number(0)),
                    true=raise_error("Padding bytes must not be empty"),
                ),
            ],
            default=padded,
        ),
        T.VARBINARY,
    )
