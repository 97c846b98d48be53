"""Scratch databases on the shared PostgreSQL server (127.0.0.1:5432, trust auth), one per test
run and purpose, dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from tests.conftest import server_missing

ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A fresh database named ``{prefix}_{pid}``; yields its connection string."""
    database = f"{prefix}_{os.getpid()}"
    try:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {database}")
    except psycopg.OperationalError as exc:
        server_missing(f"PostgreSQL is not reachable on 127.0.0.1:5432 with trust auth: {exc}")
    try:
        yield f"host=127.0.0.1 port=5432 user=postgres dbname={database}"
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
