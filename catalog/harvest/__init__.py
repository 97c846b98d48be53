"""Harvesting: read every connector's metadata into the catalog store, incrementally."""
