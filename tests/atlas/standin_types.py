"""The type definitions an Atlas stand-in starts with, in Atlas's typedef JSON.

Written from Atlas's model files (``0010-base_model.json``, ``1030-hive_model.json`` and, when a
test asks for it, ``6000-trino_model.json``), kept to the attributes and relationships import and
export touch. Non-optional attributes are marked as Atlas marks them (an attribute without
``isOptional`` is required), so an exporter that forgets one fails here as it would on Atlas.
"""

from __future__ import annotations

from typing import Any


def attr(name: str, type_name: str = "string", optional: bool = True) -> dict[str, Any]:
    return {"name": name, "typeName": type_name, "isOptional": optional, "cardinality": "SINGLE"}


def entity(name: str, supers: list[str], *attrs: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "superTypes": supers, "attributeDefs": list(attrs)}


def rel(
    name: str, end1: tuple[str, str, str], end2: tuple[str, str, str], legacy: bool = False
) -> dict[str, Any]:
    def end(spec: tuple[str, str, str]) -> dict[str, Any]:
        return {"type": spec[0], "name": spec[1], "cardinality": spec[2], "isLegacyAttribute": legacy}

    return {"name": name, "relationshipCategory": "ASSOCIATION", "endDef1": end(end1), "endDef2": end(end2)}


BASE = {
    "entityDefs": [
        entity("Referenceable", [], {**attr("qualifiedName", optional=False), "isUnique": True}),
        entity(
            "Asset",
            ["Referenceable"],
            attr("name", optional=False),
            attr("description"),
            attr("owner"),
            attr("displayName"),
            attr("userDescription"),
        ),
        entity("DataSet", ["Asset"]),
        entity("Process", ["Asset"], attr("inputs", "array<DataSet>"), attr("outputs", "array<DataSet>")),
    ],
    "relationshipDefs": [
        rel(
            "dataset_process_inputs",
            ("Process", "inputs", "SET"),
            ("DataSet", "inputToProcesses", "SET"),
            True,
        ),
        rel(
            "process_dataset_outputs",
            ("Process", "outputs", "SET"),
            ("DataSet", "outputFromProcesses", "SET"),
            True,
        ),
    ],
}

HIVE = {
    "entityDefs": [
        entity(
            "hive_db",
            ["Asset"],
            attr("clusterName", optional=False),
            attr("location"),
            attr("parameters", "map<string,string>"),
            attr("ownerType"),
        ),
        entity(
            "hive_table",
            ["DataSet"],
            attr("createTime", "date"),
            attr("lastAccessTime", "date"),
            attr("comment"),
            attr("retention", "int"),
            attr("parameters", "map<string,string>"),
            attr("viewOriginalText"),
            attr("viewExpandedText"),
            attr("tableType"),
            attr("temporary", "boolean"),
        ),
        entity(
            "hive_column", ["DataSet"], attr("type", optional=False), attr("comment"), attr("position", "int")
        ),
        entity(
            "hive_process",
            ["Process"],
            attr("startTime", "date", optional=False),
            attr("endTime", "date", optional=False),
            attr("userName", optional=False),
            attr("operationType", optional=False),
            attr("queryText", optional=False),
            attr("queryPlan", optional=False),
            attr("queryId", optional=False),
            attr("clusterName"),
        ),
        entity(
            "hive_column_lineage",
            ["Process"],
            attr("depenendencyType", optional=False),
            attr("expression"),
        ),
    ],
    "relationshipDefs": [
        rel("hive_table_db", ("hive_table", "db", "SINGLE"), ("hive_db", "tables", "SET"), True),
        rel("hive_table_columns", ("hive_table", "columns", "SET"), ("hive_column", "table", "SINGLE"), True),
        rel(
            "hive_process_column_lineage",
            ("hive_column_lineage", "query", "SINGLE"),
            ("hive_process", "columnLineages", "SET"),
            True,
        ),
    ],
}

TRINO = {
    "entityDefs": [
        entity("trino_instance", ["DataSet"], attr("hostname"), attr("port", "int")),
        entity("trino_catalog", ["Asset"], attr("connectorType", optional=False), attr("connectionUrl")),
        entity("trino_schema", ["Asset"], attr("parameters", "map<string,string>")),
        entity(
            "trino_table",
            ["DataSet"],
            attr("comment"),
            attr("parameters", "map<string,string>"),
            attr("table_type"),
        ),
        entity(
            "trino_column",
            ["DataSet"],
            attr("data_type"),
            attr("ordinal_position", "int"),
            attr("column_default"),
            attr("comment"),
            attr("is_nullable", "boolean"),
            attr("isPrimaryKey", "boolean"),
        ),
        entity("trino_column_lineage", ["Process"], attr("expression")),
        entity(
            "trino_process",
            ["Process"],
            attr("queryId", optional=False),
            attr("queryCreateTime", "long", optional=False),
            attr("queryEndTime", "long", optional=False),
            attr("queryText", optional=False),
        ),
    ],
    "relationshipDefs": [
        rel(
            "trino_instance_catalog",
            ("trino_catalog", "instance", "SINGLE"),
            ("trino_instance", "catalogs", "SET"),
        ),
        rel(
            "trino_schema_catalog", ("trino_schema", "catalog", "SINGLE"), ("trino_catalog", "schemas", "SET")
        ),
        rel(
            "trino_table_schema", ("trino_table", "trinoschema", "SINGLE"), ("trino_schema", "tables", "SET")
        ),
        rel("trino_table_columns", ("trino_table", "columns", "SET"), ("trino_column", "table", "SINGLE")),
        rel(
            "trino_process_column_lineage",
            ("trino_column_lineage", "query", "SINGLE"),
            ("trino_process", "columnLineages", "SET"),
        ),
    ],
}
