"""Derived datasets: views and materialised tables users define in workspace catalogs.

- :mod:`.model` what a dataset is; :mod:`.store` its definition in the state store
- :mod:`.statements` the Trino statements that define them (CREATE VIEW, CREATE TABLE AS, ...)
- :mod:`.service` creating, replacing, refreshing, renaming, commenting and dropping them
- :mod:`.materialise` writing a result as a new Parquet version, atomically
- :mod:`.sources` the workspaces as the embedded engine's sources
- :mod:`.cataloguing` owner, description and column lineage in the metadata catalog

The planner expands views itself (:mod:`gateway.planner.passes.expand_views`).
"""
