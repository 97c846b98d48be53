"""`lakegate catalog export-atlas` and `import-atlas` round-trip the demo catalog, against the Atlas
REST stand-in (no Atlas server runs here: it needs HBase, Solr and Kafka)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from catalog.service import CatalogService
from catalog.store import CatalogStore
from gateway import cli
from gateway.app import create_app
from tests.atlas.standin import AtlasStandin
from tests.conftest import demo_config


def _config(demo_dir: Path, tmp_path: Path, name: str) -> Path:
    """The demo's config with a catalog store of its own, beside the demo's files."""
    raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
    raw["catalog"] = {**raw.get("catalog", {}), "path": str(tmp_path / f"{name}.sqlite")}
    path = demo_dir / f"atlas-{name}-{tmp_path.name}.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_the_cli_exports_the_demo_catalog_and_imports_it_back_stand_in(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = _config(demo_dir, tmp_path, "exported")
    imported = _config(demo_dir, tmp_path, "imported")
    try:
        config = demo_config(demo_dir).model_copy(
            update={
                "catalog": demo_config(demo_dir).catalog.model_copy(
                    update={"path": str(tmp_path / "exported.sqlite")}
                )
            }
        )
        create_app(config).state.gateway.close()  # harvest and seed the store to export
        password = tmp_path / "atlas-password"
        with AtlasStandin() as atlas:
            password.write_text(atlas.credentials[1] + "\n", encoding="utf-8")
            common = ["--url", atlas.url, "--user", "admin", "--password-file", str(password)]
            assert cli.main(["catalog", "export-atlas", "--config", str(exported), *common]) == 0
            assert "exported to" in capsys.readouterr().out
            assert atlas.entities_of("trino_table"), "tables reached Atlas"
            assert cli.main(["catalog", "import-atlas", "--config", str(imported), *common]) == 0
            assert "imported from" in capsys.readouterr().out
            wrong = tmp_path / "wrong"
            wrong.write_text("not-the-password\n", encoding="utf-8")
            bad = ["--url", atlas.url, "--user", "admin", "--password-file", str(wrong)]
            assert cli.main(["catalog", "import-atlas", "--config", str(imported), *bad]) == 1
            err = capsys.readouterr().err
            assert "not-the-password" not in err
    finally:
        exported.unlink()
        imported.unlink()

    source = CatalogService(CatalogStore.sqlite(tmp_path / "exported.sqlite"))
    copy = CatalogService(CatalogStore.sqlite(tmp_path / "imported.sqlite"))
    email = "crm.main.customers.email"
    assert copy.find(email) is not None, "the imported catalog holds the CRM's columns"
    original, back = source.find(email), copy.find(email)
    assert original is not None
    assert back is not None
    assert back.guid == original.guid
    assert back.classification_names == original.classification_names == ("PII",)
    assert back.description == original.description
    assert {t.name for t in copy.terms()} >= {t.name for t in source.terms()}
    tables = {e.path.key() for e in source.entities() if e.type.value == "table"}
    assert tables <= {e.path.key() for e in copy.entities() if e.type.value == "table"}
    assert len(copy.lineage_edges()) >= 1
