"""The catalog store a config asks for: SQLite beside the config file, or PostgreSQL through a
secret reference (never an inline connection string)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from catalog.store.factory import store_from_config
from gateway.config import ConfigError, parse_config


def test_sqlite_by_default_beside_the_config_file(tmp_path: Path) -> None:
    config = parse_config({}, tmp_path / "lakegate.yaml")
    assert (config.catalog.store, config.catalog.instance, config.catalog.refresh_seconds) == (
        "sqlite",
        "lakegate",
        3600.0,
    )
    store = store_from_config(config)
    try:
        assert (tmp_path / "catalog.sqlite").is_file()
        assert store.version() == 0
    finally:
        store.close()


def test_an_inline_dsn_is_refused(tmp_path: Path) -> None:
    raw = {"catalog": {"store": "postgres", "dsn": "host=db user=lakegate password=hunter2"}}
    with pytest.raises(ConfigError) as info:
        parse_config(raw, tmp_path / "lakegate.yaml")
    assert "secrets must be references" in str(info.value)
    assert "hunter2" not in str(info.value)


def test_a_dsn_reference_that_cannot_be_read_is_reported(tmp_path: Path) -> None:
    raw = {"catalog": {"store": "postgres", "dsn": "${LAKEGATE_TEST_NO_SUCH_VARIABLE}"}}
    with pytest.raises(ConfigError, match=r"catalog\.dsn: environment variable"):
        parse_config(raw, tmp_path / "lakegate.yaml")


@pytest.mark.postgres
def test_postgres_through_a_secret_file(tmp_path: Path, catalog_pg_dsn: str) -> None:
    secret = tmp_path / "catalog-dsn"
    secret.write_text(catalog_pg_dsn)
    schema = f"cfg_{uuid.uuid4().hex[:8]}"
    raw = {"catalog": {"store": "postgres", "dsn": f"file:{secret}", "pg_schema": schema}}
    store = store_from_config(parse_config(raw, tmp_path / "lakegate.yaml"))
    try:
        assert repr(store) == f"CatalogStore(PostgresBackend(schema='{schema}'))"
        assert store.version() == 0
    finally:
        store.close()
