"""Build the engines a config asks for: every embedded catalog shares one DuckDB, and every
Trino catalog one Trino connector (over all the clusters of ``trino:``)."""

from __future__ import annotations

from collections.abc import Sequence

from connectors.base import Connector
from connectors.duckdb.engine import DuckDBConnector
from connectors.duckdb.sources import (
    FilesSource,
    FileTable,
    PostgresSource,
    Source,
    SqliteSource,
    discover_tables,
    format_of,
)
from connectors.trino import RoutingRule, TrinoCluster, TrinoConnector
from connectors.trino.metadata import TrinoCatalog as TrinoCatalogSpec
from gateway.config import (
    ConfigError,
    FilesCatalog,
    LakegateConfig,
    PostgresCatalog,
    SqliteCatalog,
    TrinoCatalog,
)


def _files_source(config: LakegateConfig, name: str, catalog: FilesCatalog) -> FilesSource:
    tables: dict[tuple[str, str], FileTable] = {}
    root = config.resolve_path(catalog.root) if catalog.root else None
    if root is not None:
        for table in discover_tables(root):
            tables[(table.schema, table.name)] = table
    for i, spec in enumerate(catalog.tables):
        path = config.resolve_path(spec.path)
        fmt = spec.format or format_of(path)
        if fmt is None:
            raise ConfigError(
                f"catalogs.{name}.tables[{i}].format: cannot tell the format of {spec.path}; "
                "give format: parquet, csv, json or avro"
            )
        tables[(spec.schema_, spec.name)] = FileTable(
            spec.schema_, spec.name, path, fmt, spec.comment, dict(spec.columns)
        )
    return FilesSource(name, tuple(tables.values()), catalog.comment, root)


def embedded_sources(config: LakegateConfig, extra: Sequence[Source] = ()) -> list[Source]:
    """The config's embedded sources, then ``extra`` (the workspace catalogs' current datasets)."""
    sources: list[Source] = []
    for name, catalog in config.catalogs.items():
        if isinstance(catalog, FilesCatalog):
            sources.append(_files_source(config, name, catalog))
        elif isinstance(catalog, SqliteCatalog):
            sources.append(SqliteSource(name, config.resolve_path(catalog.path), catalog.comment))
        elif isinstance(catalog, PostgresCatalog):
            password = config.secret(catalog.password).reveal() if catalog.password else None
            sources.append(
                PostgresSource(
                    name,
                    catalog.host,
                    catalog.port,
                    catalog.database,
                    catalog.user,
                    password,
                    tuple(catalog.schemas) if catalog.schemas else None,
                    catalog.comment,
                )
            )
    sources.extend(extra)
    return sources


def trino_connector(config: LakegateConfig) -> TrinoConnector | None:
    """One connector for every ``connector: trino`` catalog, or None when there are none."""
    catalogs = [
        TrinoCatalogSpec(name, catalog.catalog or name, catalog.comment)
        for name, catalog in config.catalogs.items()
        if isinstance(catalog, TrinoCatalog)
    ]
    pool = config.trino
    if not catalogs or pool is None:
        return None
    clusters = []
    for i, spec in enumerate(pool.clusters):
        verify = str(config.resolve_path(spec.verify)) if isinstance(spec.verify, str) else spec.verify
        try:
            clusters.append(
                TrinoCluster(
                    name=spec.name,
                    url=spec.url,
                    group=spec.group,
                    user=spec.user,
                    password=config.secret(spec.password).reveal() if spec.password else None,
                    token=config.secret(spec.token).reveal() if spec.token else None,
                    verify=verify,
                    connect_timeout=pool.connect_timeout_seconds,
                    request_timeout=pool.request_timeout_seconds,
                    max_attempts=pool.max_attempts,
                    allow_insecure_auth=spec.allow_insecure_auth,
                )
            )
        except ValueError as exc:  # the message names the cluster, never a secret
            raise ConfigError(f"trino.clusters[{i}]: {exc}") from None
    rules = [
        RoutingRule(
            rule.group,
            users=frozenset(rule.users),
            groups=frozenset(rule.groups),
            sources=frozenset(rule.sources),
            client_tags=frozenset(rule.client_tags),
            catalogs=frozenset(rule.catalogs),
        )
        for rule in pool.routing.rules
    ]
    return TrinoConnector(
        clusters,
        catalogs,
        rules=rules,
        default_group=pool.routing.default_group,
        health_check_seconds=pool.health_check_seconds,
    )


def embedded_connector(config: LakegateConfig, sources: list[Source] | None = None) -> DuckDBConnector:
    """The embedded engine over ``sources`` (by default: the config's, lake folders read now)."""
    engine = config.server.engine
    if sources is None:
        sources = embedded_sources(config)
    return DuckDBConnector(sources, threads=engine.threads, memory_limit=engine.memory_limit)


def build_connectors(config: LakegateConfig) -> list[Connector]:
    connectors: list[Connector] = [embedded_connector(config)]
    trino = trino_connector(config)
    if trino is not None:
        connectors.append(trino)
    return connectors
