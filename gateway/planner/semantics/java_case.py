"""``upper``/``lower`` as Trino computes them: Java's ``Character.toUpperCase/toLowerCase`` of
each code point (one code point for one: ``upper('ß')`` stays ``'ß'``).

The engine's case mapping differs for the code points below (found by comparing both over every
code point: the engine maps ``ß`` to ``ẞ``, and lacks Unicode 16's newer pairs). Those are first
swapped for private-use placeholders (which have no case), the engine maps the rest, then each
placeholder becomes Java's answer. A text that holds a placeholder code point itself is refused
at run time (its own placeholder would be mistaken for a swapped one).
"""

from __future__ import annotations

from sqlglot import exp

from gateway.planner.semantics.types import T, deterministic, refuse, refuse_at_run_time, typed

#: (first, last, Java's mapping minus the code point) where the engine's mapping differs
_UPPER = ((0xDF, 0xDF, 0), (0x19B, 0x19B, 42561), (0x264, 0x264, 42343), (0x1C8A, 0x1C8A, -1),
          (0xA7CD, 0xA7CD, -1), (0xA7DB, 0xA7DB, -1), (0x10D70, 0x10D85, -32))  # fmt: skip
_LOWER = ((0x1C89, 0x1C89, 1), (0xA7CB, 0xA7CB, -42343), (0xA7CC, 0xA7CC, 1), (0xA7DA, 0xA7DA, 1),
          (0xA7DC, 0xA7DC, -42561), (0x10D50, 0x10D65, 32))  # fmt: skip

_PLACEHOLDER = 0x100000  # Supplementary Private Use Area-B
_PLACEHOLDERS = r"[\x{100000}-\x{10003F}]"


def _table(ranges: tuple[tuple[int, int, int], ...]) -> tuple[str, str, str]:
    """(code points, their placeholders, Java's mappings) as translate() strings."""
    sources = [cp for first, last, _ in ranges for cp in range(first, last + 1)]
    targets = [cp + delta for first, last, delta in ranges for cp in range(first, last + 1)]
    placeholders = [chr(_PLACEHOLDER + i) for i in range(len(sources))]
    return "".join(map(chr, sources)), "".join(placeholders), "".join(map(chr, targets))


_TABLES = {"upper": _table(_UPPER), "lower": _table(_LOWER)}
assert all(len(t[1]) <= 0x40 for t in _TABLES.values())


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def java_case(node: exp.Upper | exp.Lower) -> exp.Expr:
    name = "upper" if isinstance(node, exp.Upper) else "lower"
    text = node.this
    literal = isinstance(text, exp.Literal) and text.is_string
    if literal and not any(_PLACEHOLDER <= ord(c) < _PLACEHOLDER + 0x40 for c in text.name):
        return typed(_mapped(name, text), T.VARCHAR)
    if not deterministic(text):
        raise refuse(f"{name}() of a nondeterministic argument")
    holds_placeholder = _call("regexp_matches", text.copy(), exp.Literal.string(_PLACEHOLDERS))
    checked = exp.Case(
        ifs=[exp.If(this=holds_placeholder, true=refuse_at_run_time(f"{name}() of private-use code points"))],
        default=_mapped(name, text),
    )
    return typed(checked, T.VARCHAR)


def _mapped(name: str, text: exp.Expr) -> exp.Expr:
    sources, placeholders, targets = _TABLES[name]
    swapped = _call("translate", text.copy(), exp.Literal.string(sources), exp.Literal.string(placeholders))
    mapped = _call(name, swapped)
    return _call("translate", mapped, exp.Literal.string(placeholders), exp.Literal.string(targets))
