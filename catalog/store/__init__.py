"""The catalog's state store: harvested entities, curation, glossary, lineage and harvest runs.

SQLite by default, PostgreSQL by config (the same choice as the audit log); both run the same
SQL through a small backend (:mod:`catalog.store.backends`), migrated in order
(:mod:`catalog.store.migrations`).
"""

from catalog.store.store import CatalogStore, HarvestRun, StoreError, SyncCounts

__all__ = ["CatalogStore", "HarvestRun", "StoreError", "SyncCounts"]
