"""lakegate.yaml: every error names the file, the key and the problem; secrets never leak."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gateway import cli
from gateway.config import (
    ConfigError,
    FilesCatalog,
    PostgresCatalog,
    Secret,
    ServerSettings,
    SqliteCatalog,
    load_config,
    resolve_secret,
)

PASSWORD = "hunter2-S3cr3t-value"


def write(tmp_path: Path, text: str, name: str = "lakegate.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return str(info.value)


def test_a_good_file_loads_with_paths_relative_to_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        server:
          port: 9000
          limits: {timeout_seconds: 5}
        catalogs:
          lake: {connector: files, root: data}
          crm: {connector: sqlite, path: crm/crm.sqlite}
        """,
    )
    config = load_config(path)
    assert config.server.port == 9000
    assert config.server.limits.timeout_seconds == 5
    assert isinstance(config.catalogs["lake"], FilesCatalog)
    assert isinstance(config.catalogs["crm"], SqliteCatalog)
    assert config.resolve_path("crm/crm.sqlite") == (tmp_path / "crm" / "crm.sqlite").resolve()


def test_an_empty_file_is_the_default_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.catalogs == {}
    assert config.server.dev_mode is False


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("server:\n  bogus: 1\n", "server.bogus", "Extra inputs are not permitted"),
        ("catalogue: {}\n", "catalogue", "Extra inputs are not permitted"),
        ("catalog:\n  store: postgres\n", "catalog", "catalog.dsn is required"),
        ("catalog:\n  refresh_seconds: -1\n", "catalog.refresh_seconds", "greater than or equal to 0"),
        (
            "catalogs:\n  crm: {connector: sqlite, path: x.db, pathh: y.db}\n",
            "catalogs.crm.pathh",
            "Extra inputs are not permitted",
        ),
        ("server:\n  port: abc\n", "server.port", "valid integer"),
        ("server:\n  port: 70000\n", "server.port", "less than 65536"),
        ("server:\n  limits: {timeout_seconds: -1}\n", "server.limits.timeout_seconds", "greater than 0"),
        ("server:\n  dev_mode: perhaps\n", "server.dev_mode", "valid boolean"),
        ("catalogs: [a, b]\n", "catalogs", "valid dictionary"),
        ("catalogs:\n  crm: {connector: sqlite}\n", "catalogs.crm.path", "Field required"),
        ("catalogs:\n  nosql: {connector: mongo}\n", "catalogs.nosql", "'mongo'"),
        ("catalogs:\n  x: {path: y.db}\n", "catalogs.x", "discriminator 'connector'"),
        (
            "catalogs:\n  lake:\n    connector: files\n    tables: [{schema: s, name: t, path: p, format: xls}]\n",
            "catalogs.lake.tables.0.format",
            "'parquet', 'csv', 'json' or 'avro'",
        ),
        ("catalogs:\n  Bad-Name: {connector: sqlite, path: x.db}\n", "catalogs", "'Bad-Name'"),
        ("catalogs:\n  system: {connector: sqlite, path: x.db}\n", "catalogs", "'system' is reserved"),
        (
            "catalogs:\n  information_schema: {connector: sqlite, path: x.db}\n",
            "catalogs",
            "'information_schema' is reserved",
        ),
    ],
)
def test_errors_name_the_file_the_key_and_the_problem(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = write(tmp_path, text)
    message = config_error(path)
    assert message.startswith(f"{path}: {key}: "), message
    assert problem in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        server: {port: abc, bogus: 1}
        catalogs:
          crm: {connector: sqlite}
        """,
    )
    lines = config_error(path).splitlines()
    assert [line.split(": ")[1] for line in lines] == ["server.port", "server.bogus", "catalogs.crm.path"]
    assert all(line.startswith(f"{path}: ") for line in lines)


def test_a_catalog_named_like_its_connector_keeps_its_name_in_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "catalogs:\n  postgres: {connector: postgres, database: d}\n")
    assert config_error(path) == f"{path}: catalogs.postgres.user: Field required"


def test_invalid_yaml_reports_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "server:\n  port: 8080\n catalogs: {}\n")
    message = config_error(path)
    assert message.startswith(f"{path}: not valid YAML (line 3, column 2)"), message


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    message = config_error(tmp_path / "nope.yaml")
    assert message == f"{tmp_path / 'nope.yaml'}: cannot read: No such file or directory"


# -- secrets -------------------------------------------------------------------------------------
def postgres_yaml(password: str) -> str:
    return f"""
        catalogs:
          warehouse:
            connector: postgres
            database: dw
            user: reader
            password: {password}
        """


@pytest.mark.parametrize("inline", [PASSWORD, f'"{PASSWORD}"', "98765432", f"[{PASSWORD}]"])
def test_an_inline_password_is_refused_without_echoing_it(tmp_path: Path, inline: str) -> None:
    path = write(tmp_path, postgres_yaml(inline))
    message = config_error(path)
    assert message.startswith(f"{path}: catalogs.warehouse.password: "), message
    assert PASSWORD not in message
    assert "98765432" not in message


def test_inline_password_message_says_how_to_fix_it(tmp_path: Path) -> None:
    message = config_error(write(tmp_path, postgres_yaml(PASSWORD)))
    assert "${ENV_VAR}" in message
    assert "file:" in message


def test_bad_yaml_near_a_password_does_not_echo_it(tmp_path: Path) -> None:
    path = write(tmp_path, postgres_yaml(f'"{PASSWORD}'))  # unterminated quote
    message = config_error(path)
    assert message.startswith(f"{path}: not valid YAML (line "), message
    assert PASSWORD not in message


def test_an_env_reference_resolves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEGATE_TEST_PG_PASSWORD", PASSWORD)
    config = load_config(write(tmp_path, postgres_yaml("${LAKEGATE_TEST_PG_PASSWORD}")))
    catalog = config.catalogs["warehouse"]
    assert isinstance(catalog, PostgresCatalog)
    assert catalog.password == "${LAKEGATE_TEST_PG_PASSWORD}"
    secret = config.secret(catalog.password)
    assert secret.reveal() == PASSWORD
    assert secret.reference == "${LAKEGATE_TEST_PG_PASSWORD}"


def test_a_missing_env_var_is_reported_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAKEGATE_TEST_UNSET_PASSWORD", raising=False)
    path = write(tmp_path, postgres_yaml("${LAKEGATE_TEST_UNSET_PASSWORD}"))
    message = config_error(path)
    assert message == (
        f"{path}: catalogs.warehouse.password: environment variable LAKEGATE_TEST_UNSET_PASSWORD is not set"
    )


def test_file_references_resolve_relative_to_the_config_and_absolute(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "pg").write_text(PASSWORD + "\n", encoding="utf-8")  # the trailing newline is dropped
    relative = load_config(write(tmp_path, postgres_yaml("file:secrets/pg")))
    absolute = load_config(write(tmp_path, postgres_yaml(f"file:{secrets / 'pg'}"), "absolute.yaml"))
    for config in (relative, absolute):
        catalog = config.catalogs["warehouse"]
        assert isinstance(catalog, PostgresCatalog)
        assert catalog.password
        assert config.secret(catalog.password).reveal() == PASSWORD


def test_an_unreadable_secret_file_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, postgres_yaml("file:secrets/missing"))
    message = config_error(path)
    assert message.startswith(f"{path}: catalogs.warehouse.password: cannot read secret file "), message
    assert str(tmp_path / "secrets" / "missing") in message


def test_resolve_secret_refuses_anything_but_a_reference(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="secrets must be references") as info:
        resolve_secret(PASSWORD, tmp_path)
    assert PASSWORD not in str(info.value)


@pytest.mark.parametrize("ref", ["${LAKEGATE_TEST_SECRET}", "file:/run/secrets/pg"])
def test_secret_repr_and_str_never_show_the_value(ref: str) -> None:
    secret = Secret(ref, PASSWORD)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", repr([secret]), str({"s": secret})):
        assert PASSWORD not in text
        assert ref in text
    assert secret.reveal() == PASSWORD


# -- the command line ----------------------------------------------------------------------------
def test_serve_with_a_bad_config_exits_2_naming_the_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "server:\n  port: abc\n", "BAD.yaml")
    assert cli.main(["serve", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "configuration error" in err
    assert f"{path}: server.port: " in err


def test_serve_does_not_echo_an_inline_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, postgres_yaml(PASSWORD))
    assert cli.main(["serve", "--config", str(path)]) == 2
    captured = capsys.readouterr()
    assert f"{path}: catalogs.warehouse.password: " in captured.err
    assert PASSWORD not in captured.err + captured.out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "server:\n  prot: 8080\n",
            "server.prot: Extra inputs are not permitted (valid keys here: "
            f"{', '.join(sorted(ServerSettings.model_fields))}; did you mean 'port'?)",
        ),
        (
            "catalogs:\n  lake:\n    connector: filez\n    root: .\n",
            "(valid values: files, postgres, sqlite, trino; did you mean 'files'?)",
        ),
        (
            "catalogs:\n  lake:\n    connector: files\n    rooot: .\n",
            "catalogs.lake.rooot: Extra inputs are not permitted (valid keys here: comment, connector, root, "
            "tables; did you mean 'root'?)",
        ),
        (
            "catalogs:\n  lake:\n    connector: files\n    tables:\n"
            "      - {schema: s, name: t, path: t.parquet, format: parket}\n",
            "(valid values: avro, csv, json, parquet; did you mean 'parquet'?)",
        ),
    ],
)
def test_a_near_miss_names_the_valid_choices_and_the_likely_one(
    tmp_path: Path, text: str, expected: str
) -> None:
    message = config_error(write(tmp_path, text))
    assert expected in message, message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("auth:\n  basic:\n    users_file: nope.yaml\n", "auth.basic.users_file: "),
        (
            "catalogs:\n  lake:\n    connector: files\n    tables:\n      - {schema: s, name: t, path: t.xyz}\n",
            "catalogs.lake.tables[0].format: cannot tell the format of t.xyz",
        ),
    ],
)
def test_serve_reports_mistakes_found_while_building_the_app_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    (tmp_path / "t.xyz").write_text("x", encoding="utf-8")
    path = write(tmp_path, text)
    assert cli.main(["serve", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: {expected}" in err, err
    assert "Traceback" not in err


def test_a_cluster_address_expands_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEGATE_TEST_POD_IP", "10.1.2.3")
    text = "server:\n  cluster: {internal_address: '${LAKEGATE_TEST_POD_IP}:8080'}\n"
    cluster = load_config(write(tmp_path, text)).server.cluster
    assert cluster is not None
    assert cluster.internal_address == "http://10.1.2.3:8080"
    text = "server:\n  cluster: {internal_address: 'https://${LAKEGATE_TEST_POD_IP}:8443/'}\n"
    cluster = load_config(write(tmp_path, text)).server.cluster
    assert cluster is not None
    assert cluster.internal_address == "https://10.1.2.3:8443"


@pytest.mark.parametrize(
    ("cluster", "problem"),
    [
        ("{internal_address: '${LAKEGATE_TEST_UNSET_IP}:8080'}", "LAKEGATE_TEST_UNSET_IP is not set"),
        ("{internal_address: 'http://10.1.2.3'}", "an internal address is http://HOST:PORT"),
        ("{internal_address: 'http://10.1.2.3:80/x?y'}", "an internal address is http://HOST:PORT"),
        ("{internal_address: 'a:1', heartbeat_seconds: 5, stale_seconds: 6}", "at least twice"),
    ],
)
def test_a_bad_cluster_setting_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cluster: str, problem: str
) -> None:
    monkeypatch.delenv("LAKEGATE_TEST_UNSET_IP", raising=False)
    message = config_error(write(tmp_path, f"server:\n  cluster: {cluster}\n"))
    assert "server.cluster" in message, message
    assert problem in message, message
