"""A PostgreSQL server of a test's own (Debian's binaries, a fresh data folder, trust auth on a
free loopback port), for tests that restart or stop the database under a running gateway without
touching the shared server on 5432."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.conftest import server_missing
from tests.server import free_port


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresCluster:
    def __init__(self, bin_dir: Path, data: Path, port: int) -> None:
        self.bin_dir = bin_dir
        self.data = data
        self.port = port
        self.dsn = f"host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=5"

    def _pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=on"
        _as_postgres([str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-w", "-o", options, *args])

    def start(self) -> None:
        self._pg_ctl("-l", str(self.data / "server.log"), "start")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")

    def restart(self) -> None:
        self._pg_ctl("-m", "fast", "-l", str(self.data / "server.log"), "restart")


def _as_postgres(command: list[str]) -> None:
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)


@contextmanager
def private_postgres(folder: Path) -> Iterator[PostgresCluster]:
    bin_dir = _binaries()
    if bin_dir is None or shutil.which("runuser") is None:
        server_missing("PostgreSQL's server binaries are not installed (apt-get install postgresql)")
        raise AssertionError("unreachable")
    data = folder / "pgdata"
    data.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
        for parent in (folder, *folder.parents):
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o011)  # postgres may traverse to its folder
    _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    cluster = PostgresCluster(bin_dir, data, free_port())
    cluster.start()
    try:
        yield cluster
    finally:
        with suppress(subprocess.SubprocessError):
            cluster.stop()
