"""The garbage collector of a serving process, tuned for many small requests.

A server allocates many short-lived objects per query (ASGI scopes, futures, result rows), so
CPython's default thresholds (a young collection every 700 allocations) run the cyclic
collector thousands of times a second, and now and then a full collection walks every object
the process holds: the catalog, the plan cache, the policies, sqlglot's trees. Those full
collections were the long tail of a small query's latency under load. At start-up, everything
built so far is frozen (moved out of the collector's sight: it lives as long as the process),
and the young generation collects less often. Reference counting still frees nearly everything
at once; only cycles wait a little longer. Measured by ``python -m benchmarks.balancer_load``
(see README "Several worker processes on one port").
"""

from __future__ import annotations

import gc

#: young-generation threshold (allocations minus frees) and the two older generations' counts
THRESHOLDS = (20_000, 20, 20)


def tune_for_serving() -> None:
    """Freeze what start-up built and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
