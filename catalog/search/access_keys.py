"""The access terms every search document carries, and what one principal is granted over them.

A document holds two kinds of terms:

- ``acl_self``: its own resource key (``t/sales.crm.customers``), granted one by one;
- ``acl_tree``: the keys of itself and every ancestor (catalog, schema, table), granted for whole
  subtrees (``s/sales.crm`` covers the schema and everything below it).

A principal's :class:`AccessGrant` is compiled from the policies (see ``visibility``): a document
is visible when one of its tree keys is in ``tree`` or its self key is in ``self_keys``, and its
self key is not in ``hidden`` (exceptions under a granted subtree). Glossary terms are vocabulary,
not data: every signed-in principal may see them (``g/*``). Both backends turn the grant into a
filter inside the index query, so totals, facets, suggestions and paging see only what it allows.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.model import EntityType, ResourcePath

GLOSSARY_KEY = "g/*"
#: characters a key may not hold (the Solr terms parser's separator); such resources are never granted
FORBIDDEN_KEY_CHARS = ("\t", "\n")


def catalog_key(catalog: str) -> str:
    return f"c/{catalog.lower()}"


def schema_key(catalog: str, schema: str) -> str:
    return f"s/{catalog.lower()}.{schema.lower()}"


def table_key(catalog: str, schema: str, table: str) -> str:
    return f"t/{catalog.lower()}.{schema.lower()}.{table.lower()}"


def column_key(catalog: str, schema: str, table: str, column: str) -> str:
    return f"x/{catalog.lower()}.{schema.lower()}.{table.lower()}.{column.lower()}"


def path_keys(path: ResourcePath) -> tuple[str, ...]:
    """The tree keys of a resource, from its catalog down to itself."""
    keys: list[str] = []
    if path.catalog is None:
        return ()
    keys.append(catalog_key(path.catalog))
    if path.schema is None:
        return tuple(keys)
    keys.append(schema_key(path.catalog, path.schema))
    if path.table is None:
        return tuple(keys)
    keys.append(table_key(path.catalog, path.schema, path.table))
    if path.column is None:
        return tuple(keys)
    keys.append(column_key(path.catalog, path.schema, path.table, path.column))
    return tuple(keys)


def document_keys(entity_type: EntityType, path: ResourcePath) -> tuple[str, tuple[str, ...]]:
    """(self key, tree keys) of one document; a resource without a policy path gets a key no grant
    holds, so it is visible to administrators only."""
    if entity_type is EntityType.GLOSSARY_TERM:
        return GLOSSARY_KEY, (GLOSSARY_KEY,)
    keys = path_keys(path)
    if not keys or any(ch in key for key in keys for ch in FORBIDDEN_KEY_CHARS):
        return "none/", ("none/",)
    return keys[-1], keys


@dataclass(frozen=True, slots=True)
class AccessGrant:
    """What one principal may find. ``admin`` sees everything (and storage details)."""

    admin: bool = False
    tree: frozenset[str] = frozenset()
    self_keys: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()
    #: tables under a granted subtree that have hidden columns: their column text must not match
    partial_tables: frozenset[str] = frozenset()

    def sees(self, keys: tuple[str, ...]) -> bool:
        """Whether a resource with these tree keys (catalog first, itself last) is visible."""
        if self.admin:
            return True
        if not keys or keys[-1] in self.hidden:
            return False
        return keys[-1] in self.self_keys or any(k in self.tree for k in keys)

    def sees_all_columns_of(self, table_keys: tuple[str, ...]) -> bool:
        """Whether every column of a table is visible (its column text may then match a query)."""
        if self.admin:
            return True
        return (
            bool(table_keys)
            and table_keys[-1] not in self.partial_tables
            and any(k in self.tree for k in table_keys)
        )


ADMIN_GRANT = AccessGrant(admin=True)
