"""Instant start: ``lakegate serve PATH…`` serves a person's own files without a config.

Each path is a lake file (Parquet, CSV, JSON, Avro: by its extension), a SQLite database (by its
header) or a folder, whose top-level files of those kinds are taken. Lake files become tables of
catalog ``files`` (schema ``main``, named after the file); each SQLite database a catalog named
after its file. A DuckDB database file is refused by name: Lakegate has no DuckDB-file connector.

The server listens on loopback only and knows one identity, the local user, who holds a random
API token: it is printed inside a sign-in address (as Jupyter does) that trades it for a session
cookie. Nothing else may sign in, and there are no policies (the only user may read it all).
Anything beyond loopback needs a config with real identities.
"""

from __future__ import annotations

import getpass
import hashlib
import re
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auth.authn.api_tokens import TOKEN_PREFIX
from connectors.duckdb.sources import FORMAT_BY_SUFFIX
from gateway.config import ConfigError

LOOPBACK = "127.0.0.1"
FILES_CATALOG = "files"
SCHEMA = "main"
SIGN_IN_PATH = "/auth/token-sign-in"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_DUCKDB_MAGIC = b"DUCK"  # at offset 8 of a DuckDB database file


@dataclass(frozen=True, slots=True)
class InstantServer:
    config: dict[str, Any]
    token: str
    user: str
    tables: int


def _identifier(stem: str) -> str:
    name = re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_")
    return name if name[:1].isalpha() else f"t_{name}"


def local_user(login: str) -> str:
    """The user name the local login signs in as."""
    return re.sub(r"[^A-Za-z0-9_.@-]+", "_", login)[:128] or "local"


def _database_kind(path: Path) -> str | None:
    """ "sqlite", "duckdb", or None for a file that is neither."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError:
        return None
    if head.startswith(_SQLITE_MAGIC):
        return "sqlite"
    if head[8:12] == _DUCKDB_MAGIC:
        return "duckdb"
    return None


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _entries(paths: list[Path]) -> list[tuple[Path, bool]]:
    """(file, named on the command line) for each path, and a folder's top-level files (hidden
    ones left out)."""
    found: list[tuple[Path, bool]] = []
    for path in paths:
        if not path.exists():
            raise ConfigError(f"{path}: no such file or folder")
        if path.is_dir():
            found.extend(
                (p, False)
                for p in sorted(path.iterdir())
                if p.is_file() and not p.name.startswith((".", "_"))
            )
        else:
            found.append((path, True))
    return found


def instant_config(paths: list[Path], state_dir: Path, port: int) -> InstantServer:
    """The config serving ``paths`` on loopback for the local user; ConfigError for a path that
    cannot be served (missing, an unknown format, a DuckDB database)."""
    tables: list[dict[str, Any]] = []
    catalogs: dict[str, Any] = {}
    table_names: set[str] = set()
    catalog_names: set[str] = {FILES_CATALOG, "system", "information_schema"}
    for entry, named in _entries([p.resolve() for p in paths]):
        fmt = FORMAT_BY_SUFFIX.get(entry.suffix.lower())
        kind = None if fmt else _database_kind(entry)
        if fmt is not None:
            name = _unique(_identifier(entry.stem), table_names)
            tables.append({"schema": SCHEMA, "name": name, "path": str(entry), "format": fmt})
        elif kind == "sqlite":
            name = _unique(_identifier(entry.stem), catalog_names)
            catalogs[name] = {
                "connector": "sqlite",
                "path": str(entry),
                "comment": f"SQLite database {entry}",
            }
        elif kind == "duckdb":
            raise ConfigError(
                f"{entry}: a DuckDB database file is not supported (NOT_SUPPORTED): Lakegate serves "
                "Parquet, CSV, JSON and Avro files and SQLite databases; export the tables to Parquet"
            )
        elif named:
            raise ConfigError(f"{entry}: not a file Lakegate can serve (Parquet, CSV, JSON, Avro, SQLite)")
    if tables:
        catalogs = {
            FILES_CATALOG: {
                "connector": "files",
                "tables": tables,
                "comment": "Files given on the command line",
            },
            **catalogs,
        }
    if not catalogs:
        raise ConfigError("none of the given paths holds a file Lakegate can serve")
    user = local_user(getpass.getuser())
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    config = {
        "server": {"host": LOOPBACK, "port": port, "dev_mode": False},
        "auth": {
            "tokens": {
                "entries": [
                    {"name": "instant", "user": user, "sha256": hashlib.sha256(token.encode()).hexdigest()}
                ]
            }
        },
        "catalogs": catalogs,
        "catalog": {"path": str(state_dir / "catalog.sqlite")},
        "audit": {"path": str(state_dir / "audit.sqlite")},
    }
    count = len(tables) + sum(1 for c in catalogs.values() if c["connector"] == "sqlite")
    return InstantServer(config, token, user, count)


def free_port(preferred: int = 8080, tries: int = 20) -> int:
    """``preferred`` or the next free loopback port after it."""
    for port in range(preferred, preferred + tries):
        with socket.socket() as probe:
            try:
                probe.bind((LOOPBACK, port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def sign_in_url(port: int, token: str) -> str:
    return f"http://{LOOPBACK}:{port}{SIGN_IN_PATH}?token={token}"
