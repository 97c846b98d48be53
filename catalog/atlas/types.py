"""Atlas's type names for the Hive and Trino models, and the Trino model's definitions.

Lakegate exports into Atlas's Trino model (``6000-trino_model.json``, ATLAS-5021): instance →
catalog → schema → table → column, with ``trino_process`` and ``trino_column_lineage`` for lineage.
Recent Atlas builds ship it; :data:`TRINO_MODEL` is the part export needs, created on servers that
lack it (written from the model's documented attributes and relationships).
"""

from __future__ import annotations

from typing import Any

from catalog.model import EntityType

TRINO_INSTANCE = "trino_instance"
TRINO_CATALOG = "trino_catalog"
TRINO_SCHEMA = "trino_schema"
TRINO_TABLE = "trino_table"
TRINO_COLUMN = "trino_column"
TRINO_PROCESS = "trino_process"
TRINO_COLUMN_LINEAGE = "trino_column_lineage"
HIVE_DB = "hive_db"
HIVE_TABLE = "hive_table"
HIVE_COLUMN = "hive_column"
HIVE_PROCESS = "hive_process"
HIVE_COLUMN_LINEAGE = "hive_column_lineage"

#: Lakegate's entity type → the Trino-model type it is exported as
EXPORT_TYPES: dict[EntityType, str] = {
    EntityType.SOURCE: TRINO_INSTANCE,
    EntityType.CATALOG: TRINO_CATALOG,
    EntityType.SCHEMA: TRINO_SCHEMA,
    EntityType.TABLE: TRINO_TABLE,
    EntityType.VIEW: TRINO_TABLE,
    EntityType.COLUMN: TRINO_COLUMN,
    EntityType.PROCESS: TRINO_PROCESS,
}

#: each Trino-model type's relationship attribute naming its parent, and the relationship's name
TRINO_PARENT: dict[str, tuple[str, str]] = {
    TRINO_CATALOG: ("instance", "trino_instance_catalog"),
    TRINO_SCHEMA: ("catalog", "trino_schema_catalog"),
    TRINO_TABLE: ("trinoschema", "trino_table_schema"),
    TRINO_COLUMN: ("table", "trino_table_columns"),
}
#: the same for the Hive model (a hive_db has no parent: its cluster is an attribute)
HIVE_PARENT: dict[str, str] = {HIVE_TABLE: "db", HIVE_COLUMN: "table"}


def _attr(name: str, type_name: str, *, optional: bool = True) -> dict[str, Any]:
    return {
        "name": name,
        "typeName": type_name,
        "cardinality": "SINGLE",
        "isOptional": optional,
        "isUnique": False,
        "isIndexable": False,
    }


def _entity(name: str, super_type: str, *attrs: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "superTypes": [super_type],
        "serviceType": "trino",
        "typeVersion": "1.0",
        "attributeDefs": list(attrs),
    }


def _relationship(
    name: str, category: str, end1: tuple[str, str, str], end2: tuple[str, str, str]
) -> dict[str, Any]:
    def end(spec: tuple[str, str, str], container: bool) -> dict[str, Any]:
        type_name, attr, cardinality = spec
        return {"type": type_name, "name": attr, "isContainer": container, "cardinality": cardinality}

    return {
        "name": name,
        "serviceType": "trino",
        "typeVersion": "1.0",
        "relationshipCategory": category,
        "propagateTags": "NONE",
        "endDef1": end(end1, end1[2] == "SET"),
        "endDef2": end(end2, end2[2] == "SET"),
    }


TRINO_MODEL: dict[str, Any] = {
    "entityDefs": [
        _entity(TRINO_INSTANCE, "DataSet", _attr("hostname", "string"), _attr("port", "int")),
        _entity(
            TRINO_CATALOG,
            "Asset",
            _attr("connectorType", "string", optional=False),
            _attr("connectionUrl", "string"),
        ),
        _entity(TRINO_SCHEMA, "Asset", _attr("parameters", "map<string,string>")),
        _entity(
            TRINO_TABLE,
            "DataSet",
            _attr("comment", "string"),
            _attr("parameters", "map<string,string>"),
            _attr("table_type", "string"),
        ),
        _entity(
            TRINO_COLUMN,
            "DataSet",
            _attr("data_type", "string"),
            _attr("ordinal_position", "int"),
            _attr("column_default", "string"),
            _attr("comment", "string"),
            _attr("is_nullable", "boolean"),
            _attr("isPrimaryKey", "boolean"),
        ),
        _entity(TRINO_COLUMN_LINEAGE, "Process", _attr("expression", "string")),
        _entity(
            TRINO_PROCESS,
            "Process",
            _attr("queryId", "string", optional=False),
            _attr("queryCreateTime", "long", optional=False),
            _attr("queryEndTime", "long", optional=False),
            _attr("queryText", "string", optional=False),
        ),
    ],
    "relationshipDefs": [
        _relationship(
            "trino_instance_catalog",
            "COMPOSITION",
            (TRINO_CATALOG, "instance", "SINGLE"),
            (TRINO_INSTANCE, "catalogs", "SET"),
        ),
        _relationship(
            "trino_schema_catalog",
            "AGGREGATION",
            (TRINO_SCHEMA, "catalog", "SINGLE"),
            (TRINO_CATALOG, "schemas", "SET"),
        ),
        _relationship(
            "trino_table_schema",
            "AGGREGATION",
            (TRINO_TABLE, "trinoschema", "SINGLE"),
            (TRINO_SCHEMA, "tables", "SET"),
        ),
        _relationship(
            "trino_table_columns",
            "COMPOSITION",
            (TRINO_TABLE, "columns", "SET"),
            (TRINO_COLUMN, "table", "SINGLE"),
        ),
        _relationship(
            "trino_process_column_lineage",
            "COMPOSITION",
            (TRINO_COLUMN_LINEAGE, "query", "SINGLE"),
            (TRINO_PROCESS, "columnLineages", "SET"),
        ),
    ],
}
