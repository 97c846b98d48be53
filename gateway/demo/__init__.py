"""The deterministic demo data set behind ``lakegate demo``.

It writes TPC-H tables, a shipping company's data lake (one file format per table), its CRM
database in SQLite, a ``lakegate.yaml`` that serves all three and a ``catalog.yaml`` curation
seed (descriptions, owners, classifications, glossary terms, registered queries for lineage).
The same inputs always give byte-identical files: every random choice comes from a fixed seed
and every time from :mod:`gateway.demo.clock`.
"""

from __future__ import annotations

from pathlib import Path

from gateway.demo.catalog_seed import write_catalog_seed
from gateway.demo.certificate import write_self_signed
from gateway.demo.config_file import TLS_DIR, write_config
from gateway.demo.crm import write_crm
from gateway.demo.lake import write_lake
from gateway.demo.policies import write_policies
from gateway.demo.shipping import build_shipping
from gateway.demo.tpch import TINY_SCALE, schema_name, write_tpch
from gateway.demo.users import write_users

__all__ = ["generate_demo"]


def generate_demo(out_dir: Path, tpch_scale: float | None = None) -> Path:
    """Write the demo data set into ``out_dir`` (overwriting earlier demo files); return the config path.

    TPC-H ``tiny`` (scale 0.01) is always written; ``tpch_scale`` adds one more scale factor.
    """
    out_dir = Path(out_dir)
    scales = [TINY_SCALE]
    if tpch_scale is not None:
        schema_name(tpch_scale)  # refuse a bad scale before writing anything
        if tpch_scale != TINY_SCALE:
            scales.append(tpch_scale)
    out_dir.mkdir(parents=True, exist_ok=True)
    for scale in scales:
        write_tpch(out_dir / "tpch", scale)
    shipping = build_shipping()
    write_lake(shipping, out_dir)
    write_crm(out_dir / "crm" / "crm.sqlite", [v.vessel_id for v in shipping.vessels], shipping.ports)
    write_policies(out_dir)
    write_users(out_dir)
    write_catalog_seed(out_dir)
    write_self_signed(out_dir / TLS_DIR)
    return write_config(out_dir)
