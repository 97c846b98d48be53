"""DuckDB extensions, installed offline from the ``duckdb-extension-*`` packages on PyPI.

Each package ships ``<pkg>/extensions/v<version>/<name>.duckdb_extension``. We ``INSTALL`` that file
into a Lakegate-owned extension directory (never DuckDB's network repository) and ``LOAD`` it.
Running this module (``python -m connectors.duckdb.extensions``) installs them all ahead of time.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import duckdb

# extension name -> the PyPI package's import name
EXTENSIONS: dict[str, str] = {
    "parquet": "duckdb_extension_parquet",
    "json": "duckdb_extension_json",
    "avro": "duckdb_extension_avro",
    "sqlite_scanner": "duckdb_extension_sqlite_scanner",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "tpch": "duckdb_extension_tpch",
    "tpcds": "duckdb_extension_tpcds",
    "icu": "duckdb_extension_icu",
}


class ExtensionUnavailable(RuntimeError):
    pass


def extension_directory() -> Path:
    """Where installed extensions live: LAKEGATE_EXTENSION_DIR, else inside the virtualenv."""
    configured = os.environ.get("LAKEGATE_EXTENSION_DIR")
    if configured:
        return Path(configured)
    return Path(sys.prefix) / "share" / "lakegate" / "duckdb_extensions"


def extension_file(name: str) -> Path:
    package = EXTENSIONS[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionUnavailable(f"DuckDB extension {name!r} needs the Python package {package}")
    root = Path(next(iter(spec.submodule_search_locations)))
    candidates = sorted(root.glob(f"extensions/v{duckdb.__version__}/{name}.duckdb_extension"))
    if not candidates:
        raise ExtensionUnavailable(
            f"{package} has no {name}.duckdb_extension for DuckDB {duckdb.__version__}"
        )
    return candidates[0]


def configure(con: duckdb.DuckDBPyConnection) -> None:
    """Point a connection at Lakegate's extension directory and never reach the network for one."""
    directory = extension_directory()
    directory.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET extension_directory = '{_quote(str(directory))}'")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")


def load(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """LOAD an extension, installing it from its PyPI package first if needed."""
    try:
        con.execute(f"LOAD {name}")
        return
    except duckdb.Error:
        pass
    con.execute(f"INSTALL '{_quote(str(extension_file(name)))}'")
    con.execute(f"LOAD {name}")


def _quote(text: str) -> str:
    return text.replace("'", "''")


def install_all() -> list[str]:
    con = duckdb.connect()
    configure(con)
    for name in EXTENSIONS:
        load(con, name)
    rows = con.execute("SELECT extension_name FROM duckdb_extensions() WHERE loaded ORDER BY 1").fetchall()
    return [str(r[0]) for r in rows]


if __name__ == "__main__":
    print("DuckDB extensions loaded:", ", ".join(install_all()))
