"""The demo, extended for attacks: its CRM stored twice, as SQLite (``crm``) and as Parquet (``crm_lake``).

``crm_lake`` holds the same three tables as ``crm`` exported to Parquet files that sit at the top
of the demo folder, beside ``lakegate.yaml``, ``policies.json`` and ``users.yaml``: the worst
layout for finding 4 of issue 7 (the engine may be allowed to read the folder of the config).
Its policies are the demo's ``crm`` policies copied to the new catalog name, so every user sees
the same rows, masks and denials in both storage formats.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import yaml

from connectors.duckdb import extensions
from gateway.config import LakegateConfig, parse_config
from gateway.demo.config_file import demo_config
from gateway.demo.policies import POLICIES_NAME, TAGS, demo_policies

LAKE_CATALOG = "crm_lake"
CRM_TABLES = ("customers", "contracts", "support_tickets")
CONFIG_NAME = "lakegate.yaml"
POLICY_ID_OFFSET = 1000


def parquet_name(table: str) -> str:
    return f"crm_{table}.parquet"


def export_crm_to_parquet(crm_path: Path, out_dir: Path) -> list[Path]:
    """Each CRM table as one Parquet file in ``out_dir``, with the types DuckDB reads from SQLite."""
    written = []
    with duckdb.connect(":memory:", config={"autoinstall_known_extensions": False}) as con:
        extensions.configure(con)
        extensions.load(con, "sqlite_scanner")
        con.execute(f"ATTACH '{crm_path}' AS crm (TYPE sqlite, READ_ONLY)")
        for table in CRM_TABLES:
            target = out_dir / parquet_name(table)
            con.execute(f"COPY (SELECT * FROM crm.main.{table} ORDER BY 1) TO '{target}' (FORMAT parquet)")
            written.append(target)
    return written


def _names_catalog(resources: dict[str, Any], catalog: str) -> bool:
    return bool(resources.get("catalog", {}).get("values") == [catalog])


def lake_policies() -> dict[str, Any]:
    """The demo's policies, plus a copy of every ``crm`` policy for ``crm_lake``."""
    document = demo_policies()
    copies = []
    for policy in document["policies"]:
        if _names_catalog(policy["resources"], "crm"):
            twin = copy.deepcopy(policy)
            twin["id"] = policy["id"] + POLICY_ID_OFFSET
            twin["name"] = f"{policy['name']} (Parquet copy)"
            twin["resources"]["catalog"]["values"] = [LAKE_CATALOG]
            copies.append(twin)
    document["policies"] = [*document["policies"], *copies]
    return document


def lake_tags() -> dict[str, list[str]]:
    tags = dict(TAGS)
    for name, values in TAGS.items():
        catalog, rest = name.split(".", 1)
        if catalog == "crm":
            tags[f"{LAKE_CATALOG}.{rest}"] = list(values)
    return tags


def attack_config_data() -> dict[str, Any]:
    raw = demo_config()
    raw["server"]["dev_mode"] = True
    raw["catalogs"][LAKE_CATALOG] = {
        "connector": "files",
        "comment": "The CRM again, exported to Parquet files.",
        "tables": [
            {"schema": "main", "name": table, "path": parquet_name(table), "format": "parquet"}
            for table in CRM_TABLES
        ],
    }
    raw["policies"]["tags"] = lake_tags()
    return raw


def load_attack_config(out_dir: Path) -> LakegateConfig:
    path = out_dir / CONFIG_NAME
    return parse_config(yaml.safe_load(path.read_text(encoding="utf-8")), path)


def build_attack_demo(demo_dir: Path, out_dir: Path) -> LakegateConfig:
    """Copy the generated demo into ``out_dir``, add ``crm_lake`` and return its (dev mode) config."""
    shutil.copytree(demo_dir, out_dir, dirs_exist_ok=True)
    export_crm_to_parquet(out_dir / "crm" / "crm.sqlite", out_dir)
    (out_dir / POLICIES_NAME).write_text(json.dumps(lake_policies(), indent=2) + "\n", encoding="utf-8")
    raw = attack_config_data()
    path = out_dir / CONFIG_NAME
    path.write_text(yaml.safe_dump(raw, sort_keys=False, width=4096), encoding="utf-8")
    return parse_config(raw, path)
