"""A real Trino server for tests (the oracle of the conformance suite), started once per session.

``make trino-server`` fetches Trino (``tools/trino/pom.xml``: trino-server-core and the tpch and
memory plugin zips, all of one version) into .cache/trino. The fixture ``trino_server`` builds it
if needed, writes a coordinator-only configuration with a small heap, starts the JVM (Trino needs
Java 24 or newer: ``TRINO_JAVA_HOME``, else the Temurin 25 JDK in /usr/lib/jvm) on a free
loopback port, waits until ``/v1/info`` reports ``"starting": false`` and stops it at the end of
the session. Catalogs: ``tpch`` (Trino's generator, standard column names, so ``tpch.tiny``
has the same data and names as Lakegate's demo), ``memory`` and ``tpcds`` (Hive over local
Parquet files: tests/trino_oracle/tpcds_data.py declares its tables).

Without Java 24+, Maven or the download the tests that use it skip, or fail when LAKEGATE_CI=1
(see ``server_missing``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trino

REPO = Path(__file__).resolve().parent.parent
TRINO_CACHE = REPO / ".cache" / "trino"
TRINO_VERSION = "476"
JAVA_HOME_CANDIDATES = (Path("/usr/lib/jvm/temurin-25-jdk-amd64"),)
HEAP = "1G"
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 30.0

CATALOGS: dict[str, dict[str, str]] = {
    "tpch": {
        "connector.name": "tpch",
        "tpch.column-naming": "STANDARD",
        "tpch.double-type-mapping": "DECIMAL",
    },
    "memory": {"connector.name": "memory"},
}
# Hive over the local file system (``local:///abs/path``): the TPC-DS Parquet files
# (tests/trino_oracle/tpcds_data.py), its tables declared in a file metastore in the session's folder.
HIVE_CATALOG = "tpcds"


def hive_catalog(metastore: Path) -> dict[str, str]:
    return {
        "connector.name": "hive",
        "hive.metastore": "file",
        "hive.metastore.catalog.dir": f"local://{metastore}",
        "fs.native-local.enabled": "true",
        "local.location": "/",
    }


def default_catalogs(work: Path) -> dict[str, dict[str, str]]:
    return {**CATALOGS, HIVE_CATALOG: hive_catalog(work / "hive-metastore")}


class TrinoUnavailable(Exception):
    """Trino cannot be fetched or started here; the reason says why."""


@dataclass
class TrinoServer:
    """A running Trino coordinator on 127.0.0.1: ``url`` is ``http://127.0.0.1:<port>``."""

    url: str
    port: int
    etc: Path
    log_path: Path
    startup_seconds: float
    java_home: Path

    @property
    def host(self) -> str:
        return "127.0.0.1"


def java_home() -> Path:
    """A JDK that runs Trino (24 or newer); raise TrinoUnavailable if there is none."""
    configured = os.environ.get("TRINO_JAVA_HOME")
    for candidate in ([Path(configured)] if configured else []) + list(JAVA_HOME_CANDIDATES):
        if (candidate / "bin" / "java").is_file():
            return candidate
    raise TrinoUnavailable(
        "no JDK 24+ for Trino: set TRINO_JAVA_HOME (looked in "
        + ", ".join(str(p) for p in JAVA_HOME_CANDIDATES)
        + ")"
    )


def server_dir() -> Path:
    return TRINO_CACHE / f"trino-server-core-{TRINO_VERSION}"


def ensure_built() -> Path:
    """Fetch Trino if needed (``make trino-server``); return its install folder."""
    if shutil.which("mvn") is not None and shutil.which("make") is not None:
        result = subprocess.run(
            ["make", "-s", "trino-server"], cwd=REPO, capture_output=True, text=True, timeout=1800
        )
        if result.returncode != 0:
            tail = (result.stdout + result.stderr).strip()[-2000:]
            raise TrinoUnavailable(f"`make trino-server` failed (Maven registry unreachable?):\n{tail}")
    home = server_dir()
    if not any((home / "lib").glob("*trino-main-*.jar")) or not (TRINO_CACHE / "plugin").is_dir():
        raise TrinoUnavailable(f"Trino is not fetched into {TRINO_CACHE} and Maven is not installed")
    return home


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _properties(values: dict[str, str]) -> str:
    return "".join(f"{key}={value}\n" for key, value in values.items())


def write_etc(
    etc: Path,
    port: int,
    catalogs: dict[str, dict[str, str]],
    extra_config: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
) -> None:
    """A single-node coordinator's configuration; ``files`` are written into ``etc`` as given."""
    (etc / "catalog").mkdir(parents=True, exist_ok=True)
    config = {
        "coordinator": "true",
        "node-scheduler.include-coordinator": "true",
        "http-server.http.port": str(port),
        "discovery.uri": f"http://127.0.0.1:{port}",
        "query.max-memory": "512MB",
        "query.max-memory-per-node": "384MB",
        **(extra_config or {}),
    }
    (etc / "config.properties").write_text(_properties(config))
    for name, properties in catalogs.items():
        (etc / "catalog" / f"{name}.properties").write_text(_properties(properties))
    for name, text in (files or {}).items():
        (etc / name).write_text(text)


def _ready(url: str, catalogs: Iterable[str]) -> bool:
    """Workers the coordinator knows (right after start it may know none: "nodes is empty"), and
    a node for each catalog (a query may still fail with NO_NODES_AVAILABLE a moment after the
    node is active, until the node has announced its catalogs)."""
    connection = trino.dbapi.connect(host="127.0.0.1", port=int(url.rsplit(":", 1)[1]), user="lakegate-test")  # type: ignore[no-untyped-call]
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'")
        if cursor.fetchone()[0] == 0:
            return False
        for catalog in catalogs:
            cursor.execute(f'SELECT count(*) FROM "{catalog}".information_schema.schemata')
            cursor.fetchall()
        return True
    finally:
        connection.close()


def _wait_started(
    url: str, process: subprocess.Popen[bytes], deadline: float, catalogs: Iterable[str] = ()
) -> None:
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise TrinoUnavailable(f"Trino exited with code {process.returncode}")
            try:
                info = client.get(f"{url}/v1/info").json()
                if info.get("starting") is False and _ready(url, catalogs):
                    return
            except (httpx.HTTPError, ValueError, trino.exceptions.TrinoQueryError):
                pass
            time.sleep(0.25)
    raise TrinoUnavailable(f"Trino did not finish starting in {START_TIMEOUT_S:.0f} s")


def start_trino(
    work: Path,
    catalogs: dict[str, dict[str, str]] | None = None,
    extra_config: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], TrinoServer]:
    """Start a coordinator with its configuration and data in ``work``; return process and server."""
    home = ensure_built()
    jdk = java_home()
    port = free_port()
    etc, data = work / "etc", work / "data"
    data.mkdir(parents=True, exist_ok=True)
    (work / "hive-metastore").mkdir(exist_ok=True)
    catalogs = default_catalogs(work) if catalogs is None else catalogs
    write_etc(etc, port, catalogs, extra_config, files)
    log_path = work / "server.log"
    command = [
        str(jdk / "bin" / "java"),
        f"-Xmx{HEAP}",
        "-XX:+UseSerialGC",
        "-XX:+ExitOnOutOfMemoryError",
        "-XX:ReservedCodeCacheSize=256M",
        "-Djdk.attach.allowAttachSelf=true",
        "--enable-native-access=ALL-UNNAMED",
        "-cp",
        str(home / "lib" / "*"),
        "-Dnode.environment=test",
        "-Dnode.id=lakegate-test",
        f"-Dnode.data-dir={data}",
        f"-Dplugin.dir={TRINO_CACHE / 'plugin'}",
        f"-Dcatalog.config-dir={etc / 'catalog'}",
        f"-Dconfig={etc / 'config.properties'}",
        "io.trino.server.TrinoServer",
    ]
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=work
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_started(url, process, started + START_TIMEOUT_S, catalogs)
    except BaseException as exc:
        stop_trino(process)
        if isinstance(exc, TrinoUnavailable):
            raise TrinoUnavailable(
                f"{exc}; its log:\n{log_path.read_text(errors='replace')[-3000:]}"
            ) from None
        raise
    return process, TrinoServer(url, port, etc, log_path, time.monotonic() - started, jdk)


def stop_trino(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (Trino's shutdown hook stops it cleanly), then SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def trino_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrinoServer]:
    """A real Trino coordinator for the session (catalogs ``tpch``, ``memory`` and ``tpcds``)."""
    from tests.conftest import server_missing  # here, not at the top: tests/conftest.py loads this module

    try:
        process, server = start_trino(tmp_path_factory.mktemp("trino"))
    except (TrinoUnavailable, subprocess.TimeoutExpired) as exc:
        server_missing(f"no Trino server: {exc}")
        raise AssertionError("unreachable") from exc  # server_missing skips or fails
    try:
        yield server
    finally:
        stop_trino(process)
