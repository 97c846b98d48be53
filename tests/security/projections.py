"""Select lists over a relation: stars and star patterns, columns, aggregates, positional refs.

Each :class:`Projection` knows which columns of the relation it really uses, worked out from the
relation's columns (alias lists included), not from the SQL text: ``* EXCLUDE``, ``* LIKE``,
``* SIMILAR TO`` and ``COLUMNS(...)`` are matched here against the names the query sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st

from tests.security.attack_model import Col, Rel, like_matches


@dataclass(frozen=True, slots=True)
class Projection:
    sql: str
    outputs: tuple[str | None, ...] | None
    reads: frozenset[str]
    duckdb_only: bool = False
    aggregate: bool = False


def _origins(cols: tuple[Col, ...]) -> frozenset[str]:
    return frozenset(c.origin for c in cols if c.origin is not None)


@st.composite
def projection(draw: st.DrawFn, rel: Rel, qualifier: str | None, ddb: bool) -> Projection:
    """A select list over ``rel``: stars, star patterns, columns, aggregates, positional refs."""
    if rel.cols is None:
        kind = draw(st.sampled_from(("star", "count")))
        if kind == "count":
            return Projection("count(*)", (None,), frozenset(), aggregate=True)
        return Projection("*", None, frozenset())
    cols = rel.cols
    q = f"{qualifier}." if qualifier else ""
    kinds = ["star", "qualified_star", "columns", "aggregate", "count"]
    if ddb:
        kinds += ["exclude", "like", "similar", "regex", "positional", "stats"]
    kind = draw(st.sampled_from(kinds))
    if kind == "star" or (kind == "qualified_star" and not qualifier):
        return Projection("*", tuple(c.origin for c in cols), _origins(cols))
    if kind == "qualified_star":
        return Projection(f"{q}*", tuple(c.origin for c in cols), _origins(cols))
    if kind == "count":
        return Projection("count(*)", (None,), frozenset(), aggregate=True)
    if kind == "columns":
        picked = draw(st.lists(st.sampled_from(cols), min_size=1, max_size=3, unique_by=lambda c: c.name))
        return Projection(
            ", ".join(q + c.name for c in picked), tuple(c.origin for c in picked), _origins(tuple(picked))
        )
    if kind == "aggregate":
        col = draw(st.sampled_from(cols))
        fn = draw(st.sampled_from(("max", "min", "count", "array_agg", "count_distinct")))
        sql = f"count(DISTINCT {q}{col.name})" if fn == "count_distinct" else f"{fn}({q}{col.name})"
        origin = col.origin if fn in ("max", "min", "array_agg") else None
        return Projection(sql, (origin,), _origins((col,)), aggregate=True)
    if kind == "exclude" and len(cols) > 1:
        dropped = draw(
            st.lists(st.sampled_from(cols), min_size=1, max_size=len(cols) - 1, unique_by=lambda c: c.name)
        )
        kept = tuple(c for c in cols if c not in dropped)
        sql = f"{q}* EXCLUDE ({', '.join(c.name for c in dropped)})"
        return Projection(sql, tuple(c.origin for c in kept), _origins(kept), duckdb_only=True)
    if kind == "like":
        first = draw(st.sampled_from(cols)).name
        pattern = draw(st.sampled_from((first[:1] + "%", first[:2] + "%", "%" + first[-3:], "%_id", "%a%")))
        kept = tuple(c for c in cols if like_matches(pattern, c.name))
        if not kept:
            return Projection("count(*)", (None,), frozenset(), aggregate=True)
        return Projection(
            f"{q}* LIKE '{pattern}'", tuple(c.origin for c in kept), _origins(kept), duckdb_only=True
        )
    if kind in ("similar", "regex"):
        first = draw(st.sampled_from(cols)).name
        pattern = draw(st.sampled_from((first[:2] + ".*", ".*" + first[-3:], "(" + first + "|zzz)", ".*_.*")))
        if kind == "similar":
            kept = tuple(c for c in cols if re.fullmatch(pattern, c.name))
            sql = f"{q}* SIMILAR TO '{pattern}'"
        else:
            kept = tuple(c for c in cols if re.search(pattern, c.name))
            sql = f"COLUMNS('{pattern}')"
        if not kept:
            return Projection("count(*)", (None,), frozenset(), aggregate=True)
        return Projection(sql, tuple(c.origin for c in kept), _origins(kept), duckdb_only=True)
    if kind in ("positional", "exclude"):
        index = draw(st.integers(1, len(cols)))
        col = cols[index - 1]
        return Projection(f"#{index}", (col.origin,), _origins((col,)), duckdb_only=True)
    col = draw(st.sampled_from(cols))  # stats
    return Projection(f"stats({q}{col.name})", (None,), _origins((col,)), duckdb_only=True)
