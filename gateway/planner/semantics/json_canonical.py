"""JSON text as Trino keeps it: ``json_parse``/``JSON '...'`` store a canonical form.

Trino parses the text and writes it back: object keys sorted (by UTF-16 code units, as Java
compares strings), no spaces, floating numbers as Java's ``Double.toString`` (``1e2`` is
``100.0``), integers as written. ``json_format``, ``CAST(json AS varchar)`` and every value
extracted from it show that form; the engine keeps the text's own order.

A literal is canonicalized when planning, so everything downstream sees Trino's text. The engine
writes a floating number as Java does only between 10^-3 and 10^7: a literal with another one is
refused unless ``json_format`` of it is all that is asked (answered when planning). A literal
whose form is not certain here (NaN, infinities, a repeated key) is left as it is.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any


class _Unsure(Exception):
    pass


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value) or math.isnan(value):
        raise _Unsure
    return value


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _Unsure
    return dict(pairs)


def _constant(text: str) -> Any:
    raise _Unsure


def java_double(value: float) -> str:
    """Java's ``Double.toString``: plain between 10^-3 and 10^7, else ``d.dddE±n``."""
    if value == 0:
        return "-0.0" if math.copysign(1, value) < 0 else "0.0"
    if _plain(value):
        text = repr(value)
        return text if "." in text or "e" in text else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    shown = "".join(map(str, digits))
    power = len(shown) - 1 + int(exponent)
    mantissa = shown[0] + "." + (shown[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{power}"


def _plain(value: float) -> bool:
    return value == 0 or 1e-3 <= abs(value) < 1e7


def _write(value: Any, odd: list[float]) -> str:
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: kv[0].encode("utf-16-be"))
        return "{" + ",".join(f"{_write(k, odd)}:{_write(v, odd)}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_write(v, odd) for v in value) + "]"
    if isinstance(value, float):
        if not _plain(value):
            odd.append(value)
        return java_double(value)
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return json.dumps(value, ensure_ascii=False)
    raise _Unsure


def canonical(text: str) -> tuple[str, bool] | None:
    """Trino's stored form of the JSON ``text`` and whether the engine writes its numbers alike
    (no floating number outside 10^-3..10^7); None when not certain (or not JSON)."""
    odd: list[float] = []
    try:
        value = json.loads(text, parse_float=_float, object_pairs_hook=_pairs, parse_constant=_constant)
        return _write(value, odd), not odd
    except (_Unsure, ValueError, RecursionError):
        return None
