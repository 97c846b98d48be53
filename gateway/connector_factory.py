"""Build the engines a config asks for: every embedded catalog shares one DuckDB."""

from __future__ import annotations

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
from gateway.config import ConfigError, FilesCatalog, LakegateConfig, PostgresCatalog, SqliteCatalog


def _files_source(config: LakegateConfig, name: str, catalog: FilesCatalog) -> FilesSource:
    tables: dict[tuple[str, str], FileTable] = {}
    if catalog.root:
        for table in discover_tables(config.resolve_path(catalog.root)):
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
    return FilesSource(name, tuple(tables.values()), catalog.comment)


def embedded_sources(config: LakegateConfig) -> list[Source]:
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
    return sources


def build_connectors(config: LakegateConfig) -> list[Connector]:
    engine = config.server.engine
    sources = embedded_sources(config)
    return [DuckDBConnector(sources, threads=engine.threads, memory_limit=engine.memory_limit)]
