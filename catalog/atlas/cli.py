"""What ``lakegate catalog import-atlas`` and ``export-atlas`` run, without argparse.

The command line opens an :class:`AtlasPort` with :func:`open_atlas` (``--url``, ``--user``,
``--password-file``) and calls :func:`import_atlas` with the catalog's store, or
:func:`export_atlas` with a :class:`CatalogReader`. Both return a summary to print.

Imported entities are written under their own source (``atlas`` unless told otherwise), as a
harvest of that source: a re-import replaces the last one. Their curation (descriptions, owners,
classifications, glossary terms) comes from Atlas. Glossary term guids follow the convention
``entity_guid(GLOSSARY_TERM, "name@glossary")`` both ways, so a round trip keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from catalog.atlas.exporter import ExportSummary, export_catalog
from catalog.atlas.importer import import_catalog
from catalog.atlas.port import AtlasPort, connect, read_password_file
from catalog.model import Curation, GlossaryTerm, HarvestedEntity, LineageEdge
from catalog.reader import CatalogReader


class ImportSink(Protocol):
    """Where an import lands: the catalog's store."""

    def replace_source(self, source: str, entities: Sequence[HarvestedEntity]) -> None:
        """Make ``entities`` the whole content of ``source`` (as a harvest of it does)."""
        ...

    def set_curation(self, guid: str, curation: Curation) -> None: ...

    def put_terms(self, terms: Sequence[GlossaryTerm]) -> None:
        """Create or update glossary terms by guid."""
        ...

    def replace_lineage(self, source: str, edges: Sequence[LineageEdge]) -> None:
        """Make ``edges`` the lineage that ``source`` contributes."""
        ...


@dataclass(frozen=True, slots=True)
class ImportReport:
    source: str
    entities: int
    curated: int
    terms: int
    edges: int
    skipped: tuple[str, ...] = field(default_factory=tuple)


def open_atlas(url: str, user: str, password_file: Path) -> AtlasPort:
    """An Atlas connection; the password is read from a file so it never sits in argv or history."""
    return connect(url, user, read_password_file(password_file))


def import_atlas(
    port: AtlasPort, sink: ImportSink, *, source: str = "atlas", hive_catalog: str = "hive"
) -> ImportReport:
    imported = import_catalog(port, source=source, hive_catalog=hive_catalog)
    sink.put_terms(imported.terms)
    sink.replace_source(source, imported.entities)
    for guid, curation in imported.curations.items():
        sink.set_curation(guid, curation)
    sink.replace_lineage(source, imported.edges)
    return ImportReport(
        source=source,
        entities=len(imported.entities),
        curated=len(imported.curations),
        terms=len(imported.terms),
        edges=len(imported.edges),
        skipped=tuple(imported.skipped),
    )


def export_atlas(port: AtlasPort, reader: CatalogReader) -> ExportSummary:
    return export_catalog(port, reader)
