"""Apache Atlas, both ways: import Hive and Trino entities, export Lakegate's in Atlas's Trino model."""

from catalog.atlas.cli import ImportReport, ImportSink, export_atlas, import_atlas, open_atlas
from catalog.atlas.exporter import ExportSummary, export_catalog
from catalog.atlas.importer import ImportedCatalog, import_catalog, term_guid
from catalog.atlas.port import AtlasError, AtlasPort, connect, read_password_file

__all__ = [
    "AtlasError",
    "AtlasPort",
    "ExportSummary",
    "ImportReport",
    "ImportSink",
    "ImportedCatalog",
    "connect",
    "export_atlas",
    "export_catalog",
    "import_atlas",
    "import_catalog",
    "open_atlas",
    "read_password_file",
    "term_guid",
]
