"""The Trino JDBC driver against Lakegate's Trino door (TLS, Basic auth) and the real Trino.

``tools/trino/.../JdbcProbe.java`` (built by ``make trino-server`` with trino-jdbc of the server's
version) makes the calls DBeaver and Tableau make — DatabaseMetaData, executeQuery over types with
ResultSetMetaData, a PreparedStatement with parameters, setMaxRows, an error, cancel — and prints
one line per check. Each check's line from Lakegate must equal the real Trino's, except the
differences listed in data/jdbc_known_differences.yaml (each with its cause); a listed check that
starts to agree fails the test until its entry is removed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gateway.app import create_app
from gateway.cli import tls_options
from gateway.config import parse_config
from tests.server import LiveServer
from tests.tls import self_signed
from tests.trino_oracle.cases import DATA
from tests.trino_server import TRINO_CACHE, TrinoServer

PROBE_CLASS = "lakegate.tools.trino.JdbcProbe"
CHECKS = [
    "catalogs",
    "schemas",
    "tables",
    "columns",
    "type_info",
    "primary_keys",
    "functions",
    "types",
    "tpch_query",
    "prepared",
    "max_rows",
    "error",
    "cancel",
]
KNOWN = {
    str(k): str(v)
    for k, v in (yaml.safe_load((DATA / "jdbc_known_differences.yaml").read_text()) or {}).items()
}


def run_probe(trino_server: TrinoServer, url: str, user: str, password: str = "") -> dict[str, str]:
    classes, lib = TRINO_CACHE / "jdbc" / "build" / "classes", TRINO_CACHE / "jdbc" / "lib"
    if not (classes / "lakegate").is_dir():
        from tests.conftest import server_missing

        server_missing(f"the JDBC probe is not built in {classes} (`make trino-server`)")
    result = subprocess.run(
        [
            str(trino_server.java_home / "bin" / "java"),
            "-cp",
            f"{classes}:{lib}/*",
            PROBE_CLASS,
            url,
            user,
            password,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split("\t", 1) for line in result.stdout.splitlines() if "\t" in line)
    assert sorted(lines) == sorted(CHECKS), result.stdout + result.stderr[-2000:]
    return lines


@pytest.fixture(scope="module")
def tls_lakegate(
    demo_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, Path]]:
    """The demo Lakegate over HTTPS with its real users (Basic auth), as a BI tool meets it."""
    cert, key = self_signed(tmp_path_factory.mktemp("jdbc-tls"))
    raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
    raw["server"]["tls"] = {"certfile": str(cert), "keyfile": str(key)}
    config = parse_config(raw, demo_dir / "lakegate.yaml")
    with LiveServer(create_app(config), **tls_options(config)) as live:
        yield live, cert


@pytest.fixture(scope="module")
def probes(
    trino_server: TrinoServer, tls_lakegate: tuple[LiveServer, Path]
) -> tuple[dict[str, str], dict[str, str]]:
    live, cert = tls_lakegate
    port = live.url.rsplit(":", 1)[1]
    lakegate_url = f"jdbc:trino://127.0.0.1:{port}?SSL=true&SSLTrustStorePath={cert}"
    oracle = run_probe(trino_server, f"jdbc:trino://127.0.0.1:{trino_server.port}", "ada")
    lakegate = run_probe(trino_server, lakegate_url, "ada", "ada-demo-pw")
    return oracle, lakegate


def test_the_probe_sees_trino_as_a_bi_tool_does(probes: tuple[dict[str, str], dict[str, str]]) -> None:
    oracle, _ = probes
    assert oracle["schemas"] == "tiny"
    assert "o_totalprice decimal(12,2)" in oracle["columns"]
    assert oracle["prepared"].endswith("=> [1, O]")
    assert oracle["max_rows"] == "rows=5"
    assert oracle["error"] == "SQLException"
    assert oracle["cancel"] == "SQLException within 10 s"


def test_wrong_password_is_refused(trino_server: TrinoServer, tls_lakegate: tuple[LiveServer, Path]) -> None:
    live, cert = tls_lakegate
    port = live.url.rsplit(":", 1)[1]
    lines = run_probe(
        trino_server, f"jdbc:trino://127.0.0.1:{port}?SSL=true&SSLTrustStorePath={cert}", "ada", "nope"
    )
    assert lines["catalogs"].startswith("ERROR"), lines["catalogs"]


@pytest.mark.parametrize("check", CHECKS)
def test_lakegate_answers_jdbc_as_trino(check: str, probes: tuple[dict[str, str], dict[str, str]]) -> None:
    oracle, lakegate = probes
    same = oracle[check] == lakegate[check]
    if check in KNOWN:
        assert not same, (
            f"JDBC check {check} now agrees with Trino: remove it from jdbc_known_differences.yaml"
        )
    else:
        assert same, (
            f"JDBC {check}:\n  Lakegate: {lakegate[check][:1500]}\n  Trino:    {oracle[check][:1500]}"
        )
