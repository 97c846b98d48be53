"""A real Apache Solr 9 server for tests, started once per test session.

Solr's binary distribution is not on Maven Central, so ``make solr-server`` builds a small
launcher (tools/solr/) around Solr's own JettySolrRunner into .cache/solr: solr-core 9.10.1 in
standalone mode, on 127.0.0.1, with the HTTP API of a real Solr under ``/solr``. The fixture
``solr_server`` builds it if needed (Java 17 and Maven; jars from Maven Central the first time,
offline afterwards), starts it on a free port with a temporary solr home, and stops the JVM at the
end of the session. Without Java, Maven or the jars the tests that use it skip, or fail when
LAKEGATE_CI=1 (see ``server_missing``).

Usage::

    def test_search(solr_server: SolrServer) -> None:
        url = solr_server.create_core("catalog", Path("catalog/search/solr"))
        solr = pysolr.Solr(url, always_commit=True)
"""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
SOLR_CACHE = REPO / ".cache" / "solr"
LAUNCHER_CLASS = "lakegate.tools.solr.SolrTestServer"
JVM_OPTIONS = ("-Xmx512m", "-Xss1m", "-XX:+UseSerialGC", "-Djava.awt.headless=true")
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
READY_PREFIX = "SOLR_READY "


class SolrUnavailable(Exception):
    """Solr cannot be built or started here; the reason says why."""


@dataclass
class SolrServer:
    """A running Solr node: ``base_url`` is ``http://127.0.0.1:<port>/solr``."""

    base_url: str
    home: Path
    log_path: Path
    startup_seconds: float
    _client: httpx.Client = field(repr=False)

    def core_url(self, name: str) -> str:
        return f"{self.base_url}/{name}"

    def admin(self, path: str, **params: str) -> dict[str, Any]:
        """GET an admin endpoint (``/admin/cores`` and friends) and return its JSON; raise on errors."""
        response = self._client.get(f"{self.base_url}{path}", params={**params, "wt": "json"})
        body: dict[str, Any] = response.json()
        if response.status_code != 200 or body.get("responseHeader", {}).get("status", 0) != 0:
            raise RuntimeError(f"Solr {path} {params} answered {response.status_code}: {body.get('error')}")
        return body

    def create_core(self, name: str, configset_dir: Path) -> str:
        """Copy a configset into the solr home as core ``name`` and create it; return the core's URL.

        ``configset_dir`` is either a configset (a folder holding ``conf/``) or its ``conf/``
        folder itself, with solrconfig.xml and managed-schema.xml (or managed-schema, schema.xml).
        """
        conf = configset_dir if (configset_dir / "solrconfig.xml").is_file() else configset_dir / "conf"
        if not (conf / "solrconfig.xml").is_file():
            raise FileNotFoundError(f"no solrconfig.xml in {configset_dir} or {configset_dir / 'conf'}")
        instance = self.home / name
        if instance.exists():
            raise FileExistsError(f"core folder {instance} exists already")
        shutil.copytree(conf, instance / "conf")
        self.admin("/admin/cores", action="CREATE", name=name, instanceDir=name)
        return self.core_url(name)

    def unload_core(self, name: str) -> None:
        """Unload core ``name`` and delete its folder (index and conf)."""
        self.admin("/admin/cores", action="UNLOAD", core=name, deleteIndex="true", deleteInstanceDir="true")


def ensure_built() -> list[Path]:
    """Build the launcher if needed; return the JVM classpath. Raise SolrUnavailable if it cannot be."""
    if shutil.which("java") is None:
        raise SolrUnavailable("Java is not installed (Solr 9 needs Java 17: apt-get install openjdk-17-jdk)")
    if shutil.which("mvn") is not None and shutil.which("make") is not None:
        result = subprocess.run(
            ["make", "-s", "solr-server"], cwd=REPO, capture_output=True, text=True, timeout=1200
        )
        if result.returncode != 0:
            tail = (result.stdout + result.stderr).strip()[-2000:]
            raise SolrUnavailable(f"`make solr-server` failed (Maven Central unreachable?):\n{tail}")
    classes = SOLR_CACHE / "build" / "classes"
    lib = SOLR_CACHE / "lib"
    if not (classes / "lakegate").is_dir() or not any(lib.glob("solr-core-*.jar")):
        raise SolrUnavailable(
            f"Solr is not built in {SOLR_CACHE} and Maven is not installed (`make solr-server`)"
        )
    return [classes, lib / "*"]


def _read_ready_line(process: subprocess.Popen[str], deadline: float) -> str:
    """Wait for the launcher's ``SOLR_READY <base url>`` line; return the URL."""
    stdout: IO[str] | None = process.stdout
    assert stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                break
            line = stdout.readline()
            if not line:
                break  # the JVM exited
            if line.startswith(READY_PREFIX):
                return line[len(READY_PREFIX) :].strip()
    raise SolrUnavailable("Solr did not report ready")


def start_solr(
    home: Path, jvm_options: tuple[str, ...] = JVM_OPTIONS
) -> tuple[subprocess.Popen[str], SolrServer]:
    """Start a Solr node with solr home ``home`` on a free port; return the process and the server.

    The JVM runs in ``home`` (Jetty's context resource base is the working directory).
    """
    classpath = ensure_built()
    home.mkdir(parents=True, exist_ok=True)
    log_path = home.parent / f"{home.name}.log"
    started = time.monotonic()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                "java",
                *jvm_options,
                "-cp",
                os.pathsep.join(str(p) for p in classpath),
                LAUNCHER_CLASS,
                "--solr-home",
                str(home),
                "--port",
                "0",
                "--stop-on-stdin-eof",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            cwd=home,
            text=True,
        )
    try:
        base_url = _read_ready_line(process, started + START_TIMEOUT_S)
        client = httpx.Client(timeout=60)
        server = SolrServer(base_url, home, log_path, time.monotonic() - started, client)
        server.admin("/admin/info/system")
    except BaseException as exc:
        stop_solr(process)
        if isinstance(exc, SolrUnavailable):
            raise SolrUnavailable(f"{exc}; its log:\n{log_path.read_text()[-3000:]}") from None
        raise
    return process, server


def stop_solr(process: subprocess.Popen[str]) -> None:
    """Stop the JVM: closing its stdin asks it to stop cleanly; terminate, then kill, if it lingers."""
    if process.stdin is not None and not process.stdin.closed:
        process.stdin.close()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


@pytest.fixture(scope="session")
def solr_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SolrServer]:
    """A real Solr 9 node for the session; ``create_core`` adds cores from a configset."""
    from tests.conftest import server_missing  # here, not at the top: tests/conftest.py loads this module

    try:
        process, server = start_solr(tmp_path_factory.mktemp("solr") / "home")
    except (SolrUnavailable, subprocess.TimeoutExpired) as exc:
        server_missing(f"no Solr server: {exc}")
        raise AssertionError("unreachable") from exc  # server_missing skips or fails
    try:
        yield server
    finally:
        server._client.close()
        stop_solr(process)
