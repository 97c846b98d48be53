"""``SHOW FUNCTIONS``: the Trino functions a query may call and the embedded engine runs as Trino.

The list is the allowlist's Trino names (auth/enforcement/function_allowlist.py) less those the
embedded engine cannot run faithfully (gateway/planner/semantics/engine_functions.py), in
Trino's columns. Argument and return types are not tracked per function: those columns are empty.
"""

from __future__ import annotations

import re

import pyarrow as pa

from auth.enforcement.function_allowlist import AGGREGATE_NAMES, ALLOWED_NAMES, WINDOW_NAMES
from gateway.planner.semantics.engine_functions import DIFFERENT, LACKING

COLUMNS = ("Function", "Return Type", "Argument Types", "Function Type", "Deterministic", "Description")
_NONDETERMINISTIC = frozenset({"rand", "random", "uuid", "shuffle", "now"})


def supported_functions() -> list[str]:
    return sorted(ALLOWED_NAMES - LACKING - DIFFERENT)


def _kind(name: str) -> str:
    if name in AGGREGATE_NAMES:
        return "aggregate"
    if name in WINDOW_NAMES:
        return "window"
    return "scalar"


def show_functions(like: re.Pattern[str] | None = None) -> pa.Table:
    names = [n for n in supported_functions() if like is None or like.fullmatch(n)]
    return pa.table(
        {
            "Function": pa.array(names, pa.string()),
            "Return Type": pa.array(["" for _ in names], pa.string()),
            "Argument Types": pa.array(["" for _ in names], pa.string()),
            "Function Type": pa.array([_kind(n) for n in names], pa.string()),
            "Deterministic": pa.array([n not in _NONDETERMINISTIC for n in names], pa.bool_()),
            "Description": pa.array(["" for _ in names], pa.string()),
        }
    )
