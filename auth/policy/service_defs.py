"""Built-in Hive and Trino service definitions, and the helpers that read any service definition.

The definitions follow Ranger's shipped ``ranger-servicedef-hive.json`` and ``ranger-servicedef-trino.json``:
resource hierarchies, access types (``all`` implies every other type), mask types with their transformers,
and the ``dataMaskDef``/``rowFilterDef`` overrides (Hive turns wildcards off for masks and row filters).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from auth.policy.model import (
    POLICY_TYPE_DATAMASK,
    POLICY_TYPE_ROWFILTER,
    AccessTypeDef,
    ConditionDef,
    MaskTypeDef,
    PolicyTypeDef,
    ResourceDef,
    ServiceDef,
)

CASE_INSENSITIVE = {"wildCard": "true", "ignoreCase": "true"}
CASE_SENSITIVE = {"wildCard": "true", "ignoreCase": "false"}
NO_WILDCARD = {"wildCard": "false"}


URL_MATCHER = "org.apache.ranger.plugin.resourcematcher.RangerURLResourceMatcher"


def _res(
    name: str,
    level: int,
    parent: str | None = None,
    options: Mapping[str, str] | None = None,
    matcher: str = "",
) -> ResourceDef:
    return ResourceDef(
        name=name,
        level=level,
        parent=parent,
        matcher_options=dict(options or CASE_INSENSITIVE),
        matcher=matcher,
    )


def _all_type(categories: Mapping[str, str]) -> tuple[AccessTypeDef, ...]:
    """Access types with their categories, and ``all`` implying every one of them."""
    names = tuple(categories)
    return (
        *(AccessTypeDef(n, category=c) for n, c in categories.items()),
        AccessTypeDef("all", implied_grants=names),
    )


TRINO_MASK_TYPES = (
    MaskTypeDef(
        "MASK",
        1,
        "Redact",
        "cast(regexp_replace(regexp_replace(regexp_replace({col},'([A-Z])', 'X'),'([a-z])','x'),"
        "'([0-9])','0') as {type})",
    ),
    MaskTypeDef(
        "MASK_SHOW_LAST_4",
        2,
        "Partial mask: show last 4",
        "cast(regexp_replace({col}, '(.*)(.{4}$)', x -> regexp_replace(x[1], '.', 'X') || x[2]) as {type})",
    ),
    MaskTypeDef(
        "MASK_SHOW_FIRST_4",
        3,
        "Partial mask: show first 4",
        "cast(regexp_replace({col}, '(^.{4})(.*)', x -> x[1] || regexp_replace(x[2], '.', 'X')) as {type})",
    ),
    MaskTypeDef("MASK_HASH", 4, "Hash", "cast(to_hex(sha256(to_utf8({col}))) as {type})"),
    MaskTypeDef("MASK_NULL", 5, "Nullify", None),
    MaskTypeDef("MASK_NONE", 6, "Unmasked (retain original value)", None),
    MaskTypeDef("MASK_DATE_SHOW_YEAR", 12, "Date: show only year", "date_trunc('year', {col})"),
    MaskTypeDef("CUSTOM", 13, "Custom", None),
)

HIVE_MASK_TYPES = (
    MaskTypeDef("MASK", 1, "Redact", "mask({col})"),
    MaskTypeDef(
        "MASK_SHOW_LAST_4",
        2,
        "Partial mask: show last 4",
        "mask_show_last_n({col}, 4, 'x', 'x', 'x', -1, '1')",
    ),
    MaskTypeDef(
        "MASK_SHOW_FIRST_4",
        3,
        "Partial mask: show first 4",
        "mask_show_first_n({col}, 4, 'x', 'x', 'x', -1, '1')",
    ),
    MaskTypeDef("MASK_HASH", 4, "Hash", "mask_hash({col})"),
    MaskTypeDef("MASK_NULL", 5, "Nullify", None),
    MaskTypeDef("MASK_NONE", 6, "Unmasked (retain original value)", None),
    MaskTypeDef(
        "MASK_DATE_SHOW_YEAR", 12, "Date: show only year", "mask({col}, 'x', 'x', 'x', -1, '1', 1, 0, -1)"
    ),
    MaskTypeDef("CUSTOM", 13, "Custom", None),
)

_SELECT = (AccessTypeDef("select"),)

TRINO_SERVICE_DEF = ServiceDef(
    name="trino",
    id=203,
    resources=(
        _res("catalog", 10),
        _res("schema", 20, "catalog"),
        _res("table", 30, "schema"),
        _res("column", 40, "table"),
        _res("procedure", 30, "schema"),
        _res("schemafunction", 30, "schema"),
        _res("sessionproperty", 20, "catalog"),
        _res("trinouser", 10),
        _res("systemproperty", 10),
        _res("function", 10),
        _res("queryid", 10),
        _res("sysinfo", 10),
        _res("role", 10),
    ),
    access_types=_all_type(
        {
            "select": "READ",
            "insert": "UPDATE",
            "create": "CREATE",
            "drop": "DELETE",
            "delete": "DELETE",
            "use": "READ",
            "alter": "CREATE",
            "grant": "MANAGE",
            "revoke": "MANAGE",
            "show": "READ",
            "impersonate": "READ",
            "execute": "READ",
            "read_sysinfo": "MANAGE",
            "write_sysinfo": "MANAGE",
        }
    ),
    data_mask_def=PolicyTypeDef(
        resources=(
            _res("catalog", 10),
            _res("schema", 20, "catalog"),
            _res("table", 30, "schema"),
            _res("column", 40, "table"),
        ),
        access_types=_SELECT,
        mask_types=TRINO_MASK_TYPES,
    ),
    row_filter_def=PolicyTypeDef(
        resources=(_res("catalog", 10), _res("schema", 20, "catalog"), _res("table", 30, "schema")),
        access_types=_SELECT,
    ),
)

HIVE_SERVICE_DEF = ServiceDef(
    name="hive",
    id=3,
    resources=(
        _res("database", 10),
        _res("table", 20, "database"),
        _res("udf", 20, "database"),
        _res("column", 30, "table"),
        _res("url", 10, options=CASE_SENSITIVE, matcher=URL_MATCHER),
        _res("hiveservice", 10, options=CASE_SENSITIVE),
        _res("global", 10, options=CASE_SENSITIVE),
    ),
    access_types=_all_type(
        {
            "select": "READ",
            "update": "UPDATE",
            "create": "CREATE",
            "drop": "DELETE",
            "alter": "CREATE",
            "index": "MANAGE",
            "lock": "MANAGE",
            "read": "READ",
            "write": "UPDATE",
            "repladmin": "MANAGE",
            "serviceadmin": "MANAGE",
            "tempudfadmin": "MANAGE",
            "refresh": "MANAGE",
        }
    ),
    data_mask_def=PolicyTypeDef(
        resources=(
            ResourceDef("database", 10, None, NO_WILDCARD),
            ResourceDef("table", 20, "database", NO_WILDCARD),
            ResourceDef("column", 30, "table", NO_WILDCARD),
        ),
        access_types=_SELECT,
        mask_types=HIVE_MASK_TYPES,
    ),
    row_filter_def=PolicyTypeDef(
        resources=(
            ResourceDef("database", 10, None, NO_WILDCARD),
            ResourceDef("table", 20, "database", NO_WILDCARD),
        ),
        access_types=_SELECT,
    ),
)

BUILTIN_SERVICE_DEFS: Mapping[str, ServiceDef] = {"trino": TRINO_SERVICE_DEF, "hive": HIVE_SERVICE_DEF}


def resources_for(service_def: ServiceDef, policy_type: int) -> tuple[ResourceDef, ...]:
    """The resource definitions that apply to one policy type.

    Mask and row-filter definitions list only the resources they allow; each one takes the main definition
    and lays the override's matcher options on top (``ServiceDefUtil.normalize`` in Ranger).
    """
    override = {
        POLICY_TYPE_DATAMASK: service_def.data_mask_def,
        POLICY_TYPE_ROWFILTER: service_def.row_filter_def,
    }
    type_def = override.get(policy_type)
    if type_def is None or not type_def.resources:
        return service_def.resources
    base = {r.name: r for r in service_def.resources}
    merged: list[ResourceDef] = []
    for res in type_def.resources:
        main = base.get(res.name)
        if main is None:
            merged.append(res)
            continue
        merged.append(
            ResourceDef(
                name=main.name,
                level=main.level,
                parent=main.parent,
                matcher_options={**main.matcher_options, **res.matcher_options},
                is_valid_leaf=main.is_valid_leaf,
                matcher=res.matcher or main.matcher,
            )
        )
    return tuple(merged)


def hierarchies(resources: Iterable[ResourceDef]) -> tuple[tuple[str, ...], ...]:
    """Every root-to-leaf path of the resource tree, e.g. ``(catalog, schema, table, column)``."""
    defs = list(resources)
    names = {r.name for r in defs}
    children: dict[str | None, list[str]] = {}
    for res in defs:
        parent = res.parent if res.parent in names else None
        children.setdefault(parent, []).append(res.name)
    paths: list[tuple[str, ...]] = []

    def walk(path: tuple[str, ...]) -> None:
        kids = children.get(path[-1], [])
        if not kids:
            paths.append(path)
        for kid in kids:
            walk((*path, kid))

    for root in children.get(None, []):
        walk((root,))
    return tuple(paths)


# Marker access types (RANGER-4035): a policy item granting ``_READ`` grants every access type of category
# READ, ``_ALL`` every access type of the definition (in the order of ``ServiceDefUtil.ACCESS_TYPE_MARKERS``).
MARKER_CATEGORIES = {
    "_CREATE": "CREATE",
    "_READ": "READ",
    "_UPDATE": "UPDATE",
    "_DELETE": "DELETE",
    "_MANAGE": "MANAGE",
    "_ALL": None,
}


def marker_access_types(service_def: ServiceDef) -> tuple[AccessTypeDef, ...]:
    """The definition's marker access types: as sent with it, else derived from its access types' categories
    (``ServiceDefUtil.getMarkerAccessTypes``: a marker implies each access type of its category and that
    type's own implied grants; ``_ALL`` implies every access type)."""
    if service_def.marker_access_types is not None:
        return service_def.marker_access_types
    grants: dict[str, dict[str, None]] = {marker: {} for marker in MARKER_CATEGORIES}
    for access in service_def.access_types:
        if not access.name or access.name in MARKER_CATEGORIES:
            continue
        implied = dict.fromkeys((access.name, *access.implied_grants))
        grants["_ALL"].update(implied)
        for marker, category in MARKER_CATEGORIES.items():
            if category is not None and access.category == category:
                grants[marker].update(implied)
    return tuple(AccessTypeDef(marker, tuple(names)) for marker, names in grants.items())


def implied_grants(*service_defs: ServiceDef) -> dict[str, frozenset[str]]:
    """Lower-cased ``accessType -> impliedGrants`` over one or more definitions, markers included."""
    out: dict[str, set[str]] = {}
    for sdef in service_defs:
        for access in (*sdef.access_types, *marker_access_types(sdef)):
            if access.implied_grants:
                out.setdefault(access.name.lower(), set()).update(g.lower() for g in access.implied_grants)
    return {k: frozenset(v) for k, v in out.items()}


def strip_component(access_type: str, component: str) -> str | None:
    """``hive:select`` -> ``select`` for component ``hive``; ``None`` for another component's type."""
    prefix, sep, rest = access_type.partition(":")
    if not sep:
        return access_type
    return rest if prefix.lower() == component.lower() else None


def normalize_tag_service_def(tag_def: ServiceDef, component: str) -> ServiceDef:
    """Keep only this component's access types in a tag definition, without their ``component:`` prefix."""

    def normalized(defs: Iterable[AccessTypeDef]) -> tuple[AccessTypeDef, ...]:
        out: list[AccessTypeDef] = []
        for access in defs:
            name = strip_component(access.name, component)
            if name is None:
                continue
            grants = tuple(g for g in (strip_component(i, component) for i in access.implied_grants) if g)
            out.append(AccessTypeDef(name, grants, access.category))
        return tuple(out)

    access_types = normalized(tag_def.access_types)
    # Markers are derived before the other components' access types are dropped, as Ranger Admin does.
    markers = normalized(marker_access_types(tag_def))
    return ServiceDef(
        name=tag_def.name,
        id=tag_def.id,
        resources=tag_def.resources,
        access_types=access_types,
        policy_conditions=tag_def.policy_conditions,
        data_mask_def=tag_def.data_mask_def,
        row_filter_def=tag_def.row_filter_def,
        options=tag_def.options,
        marker_access_types=markers,
    )


TAG_SERVICE_DEF = ServiceDef(
    name="tag",
    id=100,
    resources=(ResourceDef("tag", 1, None, {"wildCard": "false", "ignoreCase": "false"}),),
    # As ranger-servicedef-tag.json: a policy item may hold a script over the tag's attributes.
    policy_conditions=(
        ConditionDef(
            "expression",
            "org.apache.ranger.plugin.conditionevaluator.RangerScriptConditionEvaluator",
            {"engineName": "JavaScript"},
        ),
    ),
)
