"""What one of several worker processes of a server gets of its configuration
(``lakegate serve --workers N``, ``server.workers``).

The workers of a server are the instances of a cluster that happen to share a port and a
machine (gateway/worker_processes.py): each has its own node id and its own private address,
at which the others forward the follow-ups of its queries (gateway/owner_forwarding.py), and all
share the state store, so it must be PostgreSQL. What bounds the machine's work is split among
them so that their shares add up to what the configuration says: the engine's concurrent queries,
each resource group's ``hard_concurrency_limit``, DuckDB's memory and (unless configured) its
threads, the machine's cores. A limit smaller than the
number of workers cannot be split so (a worker would run nothing of it): it is refused. Queue
lengths are not split: a worker holds up to the configured queue itself, since the kernel does
not hand connections to the workers evenly enough for a user's share of a queue to be full only
when the whole queue is (a queued query holds a connection, not engine memory).
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from gateway.config import (
    AdmissionSettings,
    ClusterSettings,
    LakegateConfig,
    ResourceGroupSpec,
)

#: DuckDB's own default memory limit: this share of the machine's memory, for all workers together
DEFAULT_MEMORY_SHARE = 0.8
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b|bytes)?\s*$", re.IGNORECASE)
_UNITS = {
    "b": 1,
    "bytes": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


def share(total: int, workers: int, index: int) -> int:
    """Worker ``index``'s part of ``total``: the parts of all workers add up to ``total``."""
    return total // workers + (1 if index < total % workers else 0)


def size_bytes(text: str) -> int | None:
    """A DuckDB memory size (``4GiB``, ``500MB``, ``1000000``) in bytes, None if not one."""
    match = _SIZE.match(text)
    if match is None:
        return None
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "b").lower()])


def _limits(config: LakegateConfig) -> list[tuple[str, int]]:
    """Every limit that is split among the workers, by its key in the configuration."""
    limits = [("server.engine.max_concurrent_queries", config.server.engine.max_concurrent_queries)]

    def walk(groups: list[ResourceGroupSpec], prefix: str) -> None:
        for group in groups:
            path = f"{prefix}{group.name}"
            limits.append((f"resource group {path}: hard_concurrency_limit", group.hard_concurrency_limit))
            walk(group.subgroups, path + ".")

    walk(config.server.admission.root_groups or [], "")
    return limits


def workers_problem(config: LakegateConfig, workers: int) -> str | None:
    """Why this configuration cannot be served by ``workers`` processes, or None."""
    if workers <= 1:
        return None
    shared = [
        key
        for key, store in (("audit.store", config.audit.store), ("catalog.store", config.catalog.store))
        if store != "postgres"
    ]
    if shared:
        return (
            f"{workers} workers share their state: {' and '.join(shared)} must be postgres "
            "(SQLite serves one process; see README 'Several instances behind a balancer')"
        )
    search = config.catalog.search
    if search.backend == "tantivy" and search.index_path is not None:
        return (
            "catalog.search.index_path: an index folder on disk is written by one process; "
            "with several workers leave it out (each keeps its index in memory) or use backend: solr"
        )
    if config.server.tls is not None and config.server.cluster is None:
        return (
            "server.cluster.internal_address is needed with tls and several workers: an "
            "https://HOST:PORT whose HOST the certificate names (each worker listens on HOST)"
        )
    memory = config.server.engine.memory_limit
    if memory is not None and size_bytes(memory) is None:
        return f"server.engine.memory_limit must be a size such as 8GiB to be split among {workers} workers"
    for key, limit in _limits(config):
        if limit < workers:
            return (
                f"{key} is {limit}, fewer than the {workers} workers it is split among "
                f"(each admits its share): raise it to at least {workers} or run fewer workers"
            )
    return None


def _machine_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _groups(groups: list[ResourceGroupSpec], workers: int, index: int) -> list[ResourceGroupSpec]:
    return [
        group.model_copy(
            update={
                "hard_concurrency_limit": share(group.hard_concurrency_limit, workers, index),
                "subgroups": _groups(group.subgroups, workers, index),
            }
        )
        for group in groups
    ]


def private_host(config: LakegateConfig) -> str:
    """Where the workers listen for each other: the cluster's internal host, else loopback."""
    cluster = config.server.cluster
    if cluster is None:
        return "127.0.0.1"
    return urlsplit(cluster.internal_address).hostname or "127.0.0.1"


def worker_config(
    config: LakegateConfig, *, index: int, workers: int, node_id: str, private_port: int
) -> LakegateConfig:
    """Worker ``index``'s configuration: its node id, its private address, its share of every limit."""
    server = config.server
    engine = server.engine
    memory = size_bytes(engine.memory_limit) if engine.memory_limit else None
    if memory is None:
        memory = int(_machine_memory() * DEFAULT_MEMORY_SHARE)
    admission: AdmissionSettings = server.admission.model_copy(
        update={
            "root_groups": (
                _groups(server.admission.root_groups, workers, index)
                if server.admission.root_groups is not None
                else None
            ),
        }
    )
    scheme = "https" if server.tls is not None else "http"
    host = private_host(config)
    if ":" in host:  # IPv6
        host = f"[{host}]"
    address = f"{scheme}://{host}:{private_port}"
    cluster = (
        server.cluster.model_copy(update={"internal_address": address})
        if server.cluster is not None
        else ClusterSettings(internal_address=address)
    )
    return config.model_copy(
        update={
            "server": server.model_copy(
                update={
                    "workers": 1,
                    "node_id": node_id,
                    "cluster": cluster,
                    "admission": admission,
                    "engine": engine.model_copy(
                        update={
                            "max_concurrent_queries": share(engine.max_concurrent_queries, workers, index),
                            "memory_limit": f"{max(memory // workers // 2**20, 64)}MiB",
                            "threads": engine.threads or max(1, (os.cpu_count() or 1) // workers),
                        }
                    ),
                }
            )
        }
    )
