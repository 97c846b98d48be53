"""Apache Superset in its own virtual environment, run as a real server for end-to-end tests.

``ensure_venv`` creates ``.superset-venv/`` at the repository root (gitignored) and installs the
pinned Superset set once; later runs reuse it (a stamp file records what was installed, so a
change of pins reinstalls). ``Superset`` writes a ``superset_config.py`` with a SQLite metadata
database in a temporary folder, runs ``superset db upgrade``, ``fab create-admin`` and ``init``,
then serves ``superset run`` on a free port until the ``with`` block ends.

Usable by hand too, e.g. to build the environment ahead of a test run::

    .venv/bin/python -m tests.e2e.superset_env
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("LAKEGATE_SUPERSET_VENV", REPO / ".superset-venv"))

# Superset 6.1.0's own requirements already hold SQLAlchemy < 2 and marshmallow < 4. The last three
# are missing or too loose there: flask-caching 2.5 breaks create_app (SupersetMetastoreCache gets
# ignore_delete_many_errors), every CLI command imports rich, and the engine-spec loader needs
# cachetools (without it: "Could not load database driver for: trino").
REQUIREMENTS: tuple[str, ...] = (
    "apache-superset==6.1.0",
    "trino[sqlalchemy]==0.340.0",
    "flask-caching==2.3.1",
    "rich",
    "cachetools",
)

ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-e2e-pw"

INSTALL_TIMEOUT = 1200
COMMAND_TIMEOUT = 600
START_TIMEOUT = 180


class SupersetError(RuntimeError):
    """Superset could not be installed, set up or started; the message carries its output."""


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _run(args: Sequence[str], *, env: dict[str, str] | None = None, timeout: float, what: str) -> float:
    """Run a command to completion; return its duration, or raise with the end of its output."""
    started = time.monotonic()
    log.info("%s: %s", what, " ".join(args))
    try:
        done = subprocess.run(
            list(args), env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SupersetError(f"{what} took more than {timeout:.0f} s") from exc
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise SupersetError(
            f"{what} failed (exit {done.returncode}) after {elapsed:.0f} s:\n"
            f"{_tail(done.stdout)}\n{_tail(done.stderr)}"
        )
    log.info("%s: %.1f s", what, elapsed)
    return elapsed


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise installs between concurrent test runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_venv(venv: Path = VENV) -> tuple[Path, float]:
    """The ``superset`` executable of a ready environment, and how long installing took (0: reused)."""
    superset = venv / "bin" / "superset"
    stamp = venv / ".lakegate-requirements"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    with _locked(venv.parent / f"{venv.name}.lock"):
        if superset.exists() and stamp.exists() and stamp.read_text() == wanted:
            log.info("reusing %s", venv)
            return superset, 0.0
        started = time.monotonic()
        python = venv / "bin" / "python"
        if not python.exists():
            shutil.rmtree(venv, ignore_errors=True)
            _run([sys.executable, "-m", "venv", str(venv)], timeout=COMMAND_TIMEOUT, what="python -m venv")
        stamp.unlink(missing_ok=True)
        _run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS],
            timeout=INSTALL_TIMEOUT,
            what="pip install",
        )
        if not superset.exists():
            raise SupersetError(f"pip installed apache-superset but {superset} is missing")
        stamp.write_text(wanted)
        return superset, time.monotonic() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


CONFIG_TEMPLATE = """\
# Written by tests/e2e/superset_env.py for one test run.
SECRET_KEY = {secret!r}
SQLALCHEMY_DATABASE_URI = {metadata_uri!r}
# POSTs need a CSRF token (GET /api/v1/security/csrf_token/) with the session cookie, as in production.
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None
TALISMAN_ENABLED = False
RATELIMIT_STORAGE_URI = "memory://"
SQLLAB_TIMEOUT = 120
SUPERSET_WEBSERVER_TIMEOUT = 120
"""


class Superset:
    """A Superset server on 127.0.0.1 with an admin user, its state in ``home`` (a temporary folder)."""

    def __init__(self, home: Path, superset: Path, port: int | None = None) -> None:
        self.home = home
        self.superset = superset
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "superset.log"
        self.timings: dict[str, float] = {}
        self._process: subprocess.Popen[bytes] | None = None

    def _env(self) -> dict[str, str]:
        # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a Session's own `verify`, so with
        # either set the trino client would ignore the certificate given in connect_args.verify.
        dropped = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"}
        env = {k: v for k, v in os.environ.items() if k not in dropped}
        env.update(
            {
                "PATH": f"{self.superset.parent}{os.pathsep}{env.get('PATH', '')}",
                "SUPERSET_CONFIG_PATH": str(self.home / "superset_config.py"),
                "SUPERSET_HOME": str(self.home),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def _setup(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "superset_config.py").write_text(
            CONFIG_TEMPLATE.format(
                secret=secrets.token_urlsafe(32), metadata_uri=f"sqlite:///{self.home / 'superset.db'}"
            )
        )
        env, cli = self._env(), str(self.superset)
        self.timings["db upgrade"] = _run(
            [cli, "db", "upgrade"], env=env, timeout=COMMAND_TIMEOUT, what="superset db upgrade"
        )
        self.timings["create-admin"] = _run(
            [cli, "fab", "create-admin", "--username", ADMIN_USER, "--password", ADMIN_PASSWORD,
             "--firstname", "Lake", "--lastname", "Gate", "--email", "admin@example.com"],
            env=env,
            timeout=COMMAND_TIMEOUT,
            what="superset fab create-admin",
        )  # fmt: skip
        self.timings["init"] = _run([cli, "init"], env=env, timeout=COMMAND_TIMEOUT, what="superset init")

    def _start(self) -> None:
        started = time.monotonic()
        with self.log_path.open("wb") as log_file:
            self._process = subprocess.Popen(
                [str(self.superset), "run", "--no-reload", "--with-threads",
                 "-h", "127.0.0.1", "-p", str(self.port)],
                env=self._env(),
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = started + START_TIMEOUT
        while True:
            if self._process.poll() is not None:
                raise SupersetError(
                    f"superset run exited with {self._process.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise SupersetError(
                    f"Superset did not answer /health in {START_TIMEOUT} s:\n{self.log_tail()}"
                )
            time.sleep(0.5)
        self.timings["run until /health"] = time.monotonic() - started
        log.info("Superset serves %s (%.1f s to /health)", self.url, self.timings["run until /health"])

    def log_tail(self, lines: int = 80) -> str:
        """The end of ``superset run``'s output (its request log and tracebacks)."""
        try:
            return _tail(self.log_path.read_text(errors="replace"), lines)
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)

    def __enter__(self) -> Superset:
        try:
            self._setup()
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    superset, seconds = ensure_venv()
    print(f"{superset} ready ({seconds:.0f} s to install)")


if __name__ == "__main__":
    main()
