"""Glossary term identity: a term's guid comes from its name and its glossary, like Atlas's
``name@glossary`` qualified name, so a seed file, an Atlas import and an export agree on it."""

from __future__ import annotations

from catalog.model import EntityType, entity_guid


def term_qualified_name(name: str, glossary: str) -> str:
    return f"{name}@{glossary}"


def term_guid(name: str, glossary: str) -> str:
    return entity_guid(EntityType.GLOSSARY_TERM, term_qualified_name(name, glossary))
