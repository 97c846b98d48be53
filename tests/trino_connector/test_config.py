"""The ``trino:`` section and ``connector: trino`` catalogs: validation, and secrets kept hidden."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.trino import TrinoCluster
from connectors.trino.cluster import ServiceCredential
from gateway.config import ConfigError, TrinoCatalog, parse_config

SECRET = "hunter2-very-secret"


def _config(tmp_path: Path, trino: dict[str, Any] | None, catalogs: dict[str, Any] | None = None) -> Any:
    raw: dict[str, Any] = {"catalogs": catalogs or {"remote": {"connector": "trino", "catalog": "hive"}}}
    if trino is not None:
        raw["trino"] = trino
    return parse_config(raw, tmp_path / "lakegate.yaml")


def test_a_trino_catalog_and_its_clusters_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRINO_PW", SECRET)
    config = _config(
        tmp_path,
        {
            "clusters": [
                {"name": "a1", "url": "https://a1:8443", "user": "svc", "password": "${TRINO_PW}"},
                {"name": "e1", "url": "https://e1:8443", "user": "svc", "group": "etl", "verify": "ca.pem"},
            ],
            "routing": {"rules": [{"group": "etl", "users": ["etl_bot"], "catalogs": ["remote"]}]},
        },
    )
    assert isinstance(config.catalogs["remote"], TrinoCatalog)
    assert config.catalogs["remote"].catalog == "hive"
    assert config.trino.routing.default_group == "adhoc"
    assert SECRET not in repr(config)


@pytest.mark.parametrize(
    ("trino", "catalogs", "problem"),
    [
        (None, None, "catalog 'remote' is served by Trino: add trino.clusters"),
        ({"clusters": []}, None, "trino.clusters: List should have at least 1 item"),
        (
            {"clusters": [{"name": "a", "url": "https://a", "user": "s", "password": SECRET}]},
            None,
            "secrets must be references",
        ),
        (
            {"clusters": [{"name": "a", "url": "http://a:8080", "user": "s", "token": "${HOME}"}]},
            None,
            "credentials are only sent over https",
        ),
        ({"clusters": [{"name": "a", "url": "https://s:pw@a", "user": "s"}]}, None, "trino.clusters.0.url"),
        (
            {
                "clusters": [{"name": "a", "url": "https://a", "user": "s"}],
                "routing": {"default_group": "bi"},
            },
            None,
            "routing group 'bi' has no cluster",
        ),
        (
            {
                "clusters": [
                    {"name": "a", "url": "https://a", "user": "s"},
                    {"name": "a", "url": "https://b", "user": "s"},
                ]
            },
            None,
            "cluster names must be unique",
        ),
        (
            {
                "clusters": [{"name": "a", "url": "https://a", "user": "s"}],
                "routing": {"rules": [{"group": "adhoc", "catalogs": ["nope"]}]},
            },
            None,
            "'nope' is not a Trino catalog",
        ),
        (
            {
                "clusters": [
                    {"name": "a", "url": "https://a", "user": "s", "password": "${NO_SUCH_VARIABLE_X}"}
                ]
            },
            None,
            "trino.clusters[0].password: environment variable NO_SUCH_VARIABLE_X is not set",
        ),
        (
            {"clusters": [{"name": "a", "url": "https://a", "user": "s"}]},
            {"remote": {"connector": "trino", "schema": "x"}},
            "catalogs.remote.schema: Extra inputs are not permitted",
        ),
    ],
)
def test_bad_trino_settings_are_refused_without_echoing_secrets(
    tmp_path: Path, trino: dict[str, Any] | None, catalogs: dict[str, Any] | None, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, trino, catalogs)
    assert problem in str(caught.value)
    assert SECRET not in str(caught.value)


def test_a_cluster_never_shows_its_credentials() -> None:
    cluster = TrinoCluster("c", "https://c:8443", user="svc", password=SECRET)
    assert SECRET not in repr(cluster)
    assert SECRET not in str(cluster)
    assert repr(ServiceCredential("Basic abc")) == "ServiceCredential(***)"
    assert SECRET in cluster.secrets  # what error messages are scrubbed of
    with pytest.raises(ValueError, match="credentials are only sent over https"):
        TrinoCluster("c", "http://c:8080", password=SECRET)
    with pytest.raises(ValueError, match="put credentials in user/password"):
        TrinoCluster("c", f"https://svc:{SECRET}@c")
