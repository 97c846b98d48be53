"""Dataset definitions in the state store, on SQLite and PostgreSQL alike (gateway.datasets.store)."""

from __future__ import annotations

from dataclasses import replace

from gateway.datasets.model import Column, Dataset, Kind, Security
from gateway.datasets.store import DatasetStore
from tests.catalog.conftest import StoreFactory

VIEW = Dataset(
    "workspace",
    "ada",
    "ports",
    Kind.VIEW,
    "SELECT port_id FROM lake.shipping.ports",
    "ada",
    ("analysts",),
    Security.INVOKER,
    session_catalog="lake",
    session_schema="shipping",
    comment="Ports",
    column_comments={"port_id": "UN/LOCODE"},
    columns=(Column("port_id", "varchar"),),
)


def test_put_get_rename_delete_and_another_instance_sees_them(open_store: StoreFactory) -> None:
    first, second = open_store(), open_store()
    datasets, elsewhere = DatasetStore(first.backend), DatasetStore(second.backend)
    version = first.version()
    stored = datasets.put(VIEW)
    assert stored.created_at > 0
    assert first.version() > version  # every instance can tell something changed
    assert elsewhere.get("WORKSPACE", "Ada", "PORTS") == stored
    table = replace(
        VIEW,
        name="port_table",
        kind=Kind.TABLE,
        version=3,
        data_file="v3.parquet",
        row_count=10,
        size_bytes=99,
    )
    datasets.put(table)
    assert [d.name for d in elsewhere.all()] == ["port_table", "ports"]
    renamed = datasets.rename(stored, replace(stored, schema="shared", name="all_ports"))
    assert elsewhere.get("workspace", "ada", "ports") is None
    assert elsewhere.get("workspace", "shared", "all_ports") == renamed
    assert renamed.column_comments == {"port_id": "UN/LOCODE"}
    assert renamed.owner_groups == ("analysts",)
    assert datasets.delete(renamed)
    assert not datasets.delete(renamed)
    assert [d.name for d in elsewhere.all()] == ["port_table"]
    assert elsewhere.get("workspace", "ada", "port_table").data_file == "v3.parquet"  # type: ignore[union-attr]
