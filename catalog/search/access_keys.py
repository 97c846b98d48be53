"""The access terms every search document carries, and what one principal is granted over them.

A document holds these terms:

- ``acl_self``: its own resource key (``t/sales.crm.customers``), granted one by one;
- ``acl_tree``: the keys of itself and every ancestor (catalog, schema, table), granted for whole
  subtrees (``s/sales.crm`` covers the schema and everything below it);
- ``acl_leaf`` (columns): ``<ancestor key>\x1f<column name>`` for its catalog, schema and table,
  so "every ``ssn`` column under catalog ``lake``" is one term, however many tables there are;
- ``acl_cols`` (tables and views): the same terms for each of their columns.

A principal's :class:`AccessGrant` is compiled from the policies (see ``visibility``): a document
is visible when one of its tree keys is in ``tree`` or its self key is in ``self_keys``, its self
key is not in ``hidden`` (exceptions under a granted subtree) and, for a column, none of its leaf
terms is in ``hidden_columns``. A table's column text may match a query only when the table is
under a granted subtree and none of its ``acl_cols`` terms is hidden (every column is visible).

Glossary terms are vocabulary, not data: every signed-in principal may see them (``g/*``). Both
backends turn the grant into a filter inside the index query, so totals, facets, suggestions and
paging see only what it allows.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.model import EntityType, ResourcePath

GLOSSARY_KEY = "g/*"
#: characters a key may not hold (the Solr terms parser's separator); such resources are never granted
FORBIDDEN_KEY_CHARS = ("\t", "\n", "\x1f")
#: joins an ancestor key and a column name in leaf terms
LEAF_SEPARATOR = "\x1f"


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


def leaf_terms(ancestor_keys: tuple[str, ...], column: str) -> list[str]:
    """The ``acl_leaf`` terms of a column below these ancestors (catalog, schema, table keys)."""
    name = column.lower()
    return [f"{key}{LEAF_SEPARATOR}{name}" for key in ancestor_keys]


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
    #: leaf terms of hidden columns under granted subtrees (``s/lake.crm\x1fssn``)
    hidden_columns: frozenset[str] = frozenset()

    def sees(self, keys: tuple[str, ...], column: str | None = None) -> bool:
        """Whether a resource with these tree keys (catalog first, itself last) is visible;
        ``column`` names it when it is a column."""
        if self.admin:
            return True
        if not keys or keys[-1] in self.hidden:
            return False
        if (
            column is not None
            and self.hidden_columns
            and any(term in self.hidden_columns for term in leaf_terms(keys[:-1], column))
        ):
            return False
        return keys[-1] in self.self_keys or any(k in self.tree for k in keys)


ADMIN_GRANT = AccessGrant(admin=True)
