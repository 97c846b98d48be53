"""Run by test_real_client_metadata in a virtualenv that has SQLAlchemy (Superset's, when this
project's has none): the Trino SQLAlchemy dialect's inspector and pandas against a live Lakegate.
Prints one JSON document. Usage: python sqlalchemy_probe.py HOST PORT
"""

from __future__ import annotations

import json
import sys

import pandas as pd
import sqlalchemy


def main(host: str, port: str) -> None:
    engine = sqlalchemy.create_engine(f"trino://ada@{host}:{port}/tpch")
    lake = sqlalchemy.create_engine(f"trino://ada@{host}:{port}/lake")
    try:
        inspector = sqlalchemy.inspect(engine)
        with engine.connect() as connection:
            catalogs = engine.dialect.get_catalog_names(connection)
            version = engine.dialect.server_version_info
        frame = pd.read_sql("SELECT n_name, n_regionkey FROM tiny.nation ORDER BY n_nationkey", engine)
        bound = pd.read_sql(
            sqlalchemy.text("SELECT n_name FROM tiny.nation WHERE n_nationkey = :key"),
            engine,
            params={"key": 3},
        )
        result = {
            "sqlalchemy": sqlalchemy.__version__,
            "schemas": inspector.get_schema_names(),
            "tables": inspector.get_table_names(schema="tiny"),
            "views": inspector.get_view_names(schema="tiny"),
            "has_nation": inspector.has_table("nation", schema="tiny"),
            "has_nope": inspector.has_table("nope", schema="tiny"),
            "columns": [[c["name"], str(c["type"])] for c in inspector.get_columns("nation", schema="tiny")],
            "lake_comment": sqlalchemy.inspect(lake).get_table_comment("vessels", schema="shipping")["text"],
            "catalogs": catalogs,
            "version": list(version or []),
            "frame": frame.to_dict(orient="list"),
            "bound": bound["n_name"].tolist(),
        }
    finally:
        engine.dispose()
        lake.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
