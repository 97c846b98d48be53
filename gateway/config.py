"""The one YAML file that configures a Lakegate server: settings, limits and catalogs.

Secrets are never written inline: a secret field holds a reference, either ``${ENV_VAR}`` or
``file:/path/to/secret``, resolved when the server starts. A bad file is reported with the file,
the key and what is wrong (:class:`ConfigError`), never with a secret's value.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from auth.authn.jwks import check_url
from auth.authn.jwt_bearer import DEFAULT_ALGORITHMS, JwtSettings
from gateway.config_hints import hint

#: ``${NAME}``: an environment variable named in the configuration
_ENV_VARIABLE = r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}"
_ENV_REF = re.compile(rf"^{_ENV_VARIABLE}$")
_FILE_REF = "file:"
FILE_FORMATS = ("parquet", "csv", "json", "avro")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


class Secret:
    """A secret read from a reference; its value never appears in repr, str or logs."""

    __slots__ = ("_ref", "_value")

    def __init__(self, ref: str, value: str) -> None:
        self._ref = ref
        self._value = value

    @property
    def reference(self) -> str:
        return self._ref

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self._ref!r})"

    __str__ = __repr__


def resolve_secret(ref: str, base_dir: Path) -> Secret:
    """Resolve ``${ENV}`` or ``file:PATH``; anything else is refused as an inline secret."""
    match = _ENV_REF.match(ref)
    if match:
        name = match.group(1)
        if name not in os.environ:
            raise ValueError(f"environment variable {name} is not set")
        return Secret(ref, os.environ[name])
    if ref.startswith(_FILE_REF):
        path = Path(ref[len(_FILE_REF) :]).expanduser()
        if not path.is_absolute():
            path = base_dir / path
        try:
            return Secret(ref, path.read_text(encoding="utf-8").strip())
        except OSError as exc:
            raise ValueError(f"cannot read secret file {path}: {exc.strerror}") from None
    raise ValueError("secrets must be references: write ${ENV_VAR} or file:/path, not the value itself")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QueryLimits(_Model):
    timeout_seconds: float = Field(300.0, gt=0)
    max_rows: int = Field(1_000_000_000, gt=0)
    max_bytes: int = Field(64 * 2**30, gt=0)
    max_sql_bytes: int = Field(1_000_000, gt=0)
    # json and csv answers are for small results; bigger ones must use Arrow.
    max_text_rows: int = Field(100_000, gt=0)


class EngineSettings(_Model):
    threads: int | None = Field(None, gt=0)
    memory_limit: str | None = None
    batch_rows: int = Field(122_880, gt=0)
    max_concurrent_queries: int = Field(16, gt=0)


#: the placeholders a resource group's name may hold: one subgroup per user or per source
GROUP_TEMPLATES = ("${USER}", "${SOURCE}")


class ResourceGroupSpec(_Model):
    """One resource group, as in Trino's resource groups: at most ``hard_concurrency_limit``
    of its queries run and ``max_queued`` wait; a name of ``${USER}`` or ``${SOURCE}`` makes
    one such group per user or per source. Only groups without subgroups take queries."""

    name: str = Field(min_length=1, pattern=r"^(\$\{USER\}|\$\{SOURCE\}|[A-Za-z0-9_-]+)$")
    hard_concurrency_limit: int = Field(gt=0)
    max_queued: int = Field(ge=0)
    subgroups: list[ResourceGroupSpec] = []


class GroupSelector(_Model):
    """Sends the queries it matches to a resource group (the first selector that matches wins;
    a field left out matches anything). ``user``, ``group`` and ``source`` are regular
    expressions matched in full; ``resource_group`` is a dotted path, which may hold the
    templates ``${USER}`` and ``${SOURCE}``."""

    user: str | None = None
    group: str | None = None
    source: str | None = None
    resource_group: str

    @field_validator("user", "group", "source")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value


class AdmissionSettings(_Model):
    """Queue instead of refuse. Without ``root_groups`` every user gets a subgroup of one
    ``global`` group as large as ``engine.max_concurrent_queries``, queues are served fairly
    across users, and a full queue (``max_queued_per_user``) is the only refusal."""

    queue_timeout_seconds: float = Field(300.0, gt=0)
    max_queued: int = Field(1000, ge=0)
    max_queued_per_user: int = Field(100, ge=0)
    root_groups: list[ResourceGroupSpec] | None = None
    selectors: list[GroupSelector] = []

    @model_validator(mode="after")
    def _check(self) -> AdmissionSettings:
        if self.root_groups is None:
            if self.selectors:
                raise ValueError("selectors need root_groups to select from")
            return self
        if not self.selectors:
            raise ValueError("root_groups need selectors that send queries to them")
        leaves: set[str] = set()

        def walk(groups: list[ResourceGroupSpec], prefix: str) -> None:
            names = [g.name for g in groups]
            if len(set(names)) != len(names):
                raise ValueError(f"resource group names repeat under {prefix or 'the root'}")
            for group in groups:
                path = f"{prefix}{group.name}"
                if group.subgroups:
                    walk(group.subgroups, path + ".")
                else:
                    leaves.add(path)

        walk(self.root_groups, "")
        for selector in self.selectors:
            if selector.resource_group not in leaves:
                raise ValueError(
                    f"selector resource_group {selector.resource_group!r} is not a group without "
                    f"subgroups; valid values: {', '.join(sorted(leaves))}"
                )
        return self


class TracingSettings(_Model):
    """OpenTelemetry traces of each query, exported by OTLP over HTTP."""

    #: e.g. http://otel-collector:4318/v1/traces
    otlp_endpoint: str | None = Field(None, pattern=r"^https?://[^@\s]+$")
    service_name: str = "lakegate"


class TlsSettings(_Model):
    """HTTPS: the Trino clients and JDBC driver send credentials only over TLS."""

    certfile: str
    keyfile: str
    key_password: str | None = None  # a secret reference


class UiOidc(_Model):
    """Sign-in with the issuer of ``auth.jwt`` (authorization code with PKCE). ID tokens are
    verified with that issuer's keys, for this client's id, and name the user as its bearer
    tokens do (``user_claim``, ``groups_claim``)."""

    client_id: str = Field(min_length=1, max_length=256)
    client_secret: str | None = None  # a secret reference; none for a public client (PKCE alone)
    scopes: list[str] = ["openid", "profile"]
    #: what the issuer sends the browser back to; default: this server's /auth/oidc/callback
    redirect_url: str | None = None


class UiSettings(_Model):
    """The web UI's sign-in sessions (server-side; the cookie holds only a random id)."""

    #: a session unused this long is signed out
    session_idle_minutes: float = Field(30.0, gt=0, le=7 * 24 * 60)
    #: and every session ends this long after sign-in, used or not
    session_absolute_hours: float = Field(8.0, gt=0, le=30 * 24)
    max_sessions: int = Field(10_000, gt=0)
    #: each instance caches a session it read this long: a sign-out on another instance takes
    #: effect here within it (0: read the state store at every request)
    session_cache_seconds: float = Field(5.0, ge=0, le=300)
    oidc: UiOidc | None = None


_ENV_IN_TEXT = re.compile(_ENV_VARIABLE)
_INTERNAL_ADDRESS = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


def expand_env(text: str) -> str:
    """``${NAME}`` inside a (non-secret) setting, replaced by the environment variable's value."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ValueError(f"environment variable {name} is not set")
        return os.environ[name]

    return _ENV_IN_TEXT.sub(value, text)


class ClusterSettings(_Model):
    """Several instances sharing the state store (gateway/instances.py): each registers the
    address the others reach it at, and a request for a query another instance owns (a Trino
    page, a status, a cancel) is forwarded to that instance (gateway/owner_forwarding.py)."""

    #: ``http://HOST:PORT`` (or ``HOST:PORT``) at which the other instances reach this one;
    #: ``${POD_IP}`` and other environment variables are expanded
    internal_address: str
    heartbeat_seconds: float = Field(2.0, gt=0, le=60)
    #: an instance whose heartbeat is older than this is gone, and its running queries with it
    stale_seconds: float = Field(10.0, gt=0, le=600)
    #: how long a forwarded request may take to connect to its owner before the owner counts as gone
    connect_timeout_seconds: float = Field(2.0, gt=0, le=60)
    #: https:// internal addresses: the CA bundle that signed the instances' certificates
    #: (relative to the config file; default: the system's)
    ca_file: str | None = None

    @field_validator("internal_address")
    @classmethod
    def _address(cls, value: str) -> str:
        address = expand_env(value)
        if "://" not in address:
            address = f"http://{address}"
        address = address.rstrip("/")
        if not _INTERNAL_ADDRESS.match(address):
            raise ValueError(f"an internal address is http://HOST:PORT, not {address!r}")
        return address

    @model_validator(mode="after")
    def _stale_after_heartbeats(self) -> ClusterSettings:
        if self.stale_seconds < 2 * self.heartbeat_seconds:
            raise ValueError("stale_seconds must be at least twice heartbeat_seconds")
        return self


class ServerSettings(_Model):
    host: str = "127.0.0.1"
    port: int = Field(8080, gt=0, lt=65536)
    # Development mode: the user name comes from the X-Lakegate-User header, unauthenticated.
    dev_mode: bool = False
    plan_cache_size: int = Field(4096, ge=0)
    query_history_size: int = Field(1000, gt=0)
    #: this instance's name, at the end of every query id it makes, so that a balancer sends a
    #: query's follow-ups to it (gateway/balancer.py); random when unset
    node_id: str | None = Field(None, pattern=r"^[a-z0-9]{1,16}$")
    #: several instances: each registers itself and forwards a query's follow-ups to its owner
    cluster: ClusterSettings | None = None
    #: worker processes sharing the port (``lakegate serve --workers N``): more than one needs the
    #: shared state in PostgreSQL, and every limit is split among them (gateway/worker_share.py)
    workers: int = Field(1, ge=1, le=64)
    #: log lines as text, or one JSON object per line (for log shippers)
    log_format: Literal["text", "json"] = "text"
    #: after SIGTERM, how long running queries may finish before they are canceled
    drain_seconds: float = Field(30.0, ge=0, le=3600)
    limits: QueryLimits = QueryLimits()
    engine: EngineSettings = EngineSettings()
    admission: AdmissionSettings = AdmissionSettings()
    tracing: TracingSettings | None = None
    tls: TlsSettings | None = None
    ui: UiSettings = UiSettings()


class JwtAuth(_Model):
    """OAuth2/OIDC bearer JWTs, verified against the issuer's public keys (a JWKS)."""

    issuer: str
    audience: str
    # Exactly one: a local JWKS file (offline), or {issuer}/.well-known/openid-configuration.
    jwks_file: str | None = None
    discovery_url: str | None = None
    algorithms: list[str] = list(DEFAULT_ALGORITHMS)
    user_claim: str = "preferred_username"  # falls back to sub
    groups_claim: str = "groups"
    clock_skew_seconds: float = Field(60.0, ge=0, le=600)
    jwks_cache_seconds: float = Field(300.0, gt=0)
    # An unknown kid refreshes the keys at most this often.
    jwks_refresh_interval_seconds: float = Field(30.0, ge=0)

    @model_validator(mode="after")
    def _check(self) -> JwtAuth:
        if (self.jwks_file is None) == (self.discovery_url is None):
            raise ValueError(
                "set exactly one of jwks_file and discovery_url "
                "(usually {issuer}/.well-known/openid-configuration)"
            )
        if self.discovery_url is not None:
            try:
                check_url(self.discovery_url)
            except ValueError as exc:
                raise ValueError(f"discovery_url {exc}") from None
        JwtSettings(self.issuer, self.audience, tuple(self.algorithms))  # refuses HS* and none
        return self


class BasicAuth(_Model):
    """HTTP Basic against a users file of salted hashes (``lakegate hash-password``)."""

    users_file: str
    # Successful checks are remembered this long (BI tools send Basic on every request).
    cache_seconds: float = Field(60.0, ge=0)


class ApiTokenEntry(_Model):
    name: str
    user: str
    groups: list[str] = []
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")  # of the token; the token itself is never stored
    revoked: bool = False


class ApiTokensAuth(_Model):
    """Static API tokens (``Bearer lg_...``): listed here, in a YAML file, or both."""

    file: str | None = None
    entries: list[ApiTokenEntry] = []

    @model_validator(mode="after")
    def _check(self) -> ApiTokensAuth:
        if self.file is None and not self.entries:
            raise ValueError("set file, entries or both")
        return self


class AuthSettings(_Model):
    """How requests authenticate; development mode stays ``server.dev_mode``."""

    jwt: JwtAuth | None = None
    basic: BasicAuth | None = None
    tokens: ApiTokensAuth | None = None


class FileTable(_Model):
    schema_: str = Field(alias="schema")
    name: str
    path: str
    format: Literal["parquet", "csv", "json", "avro"] | None = None
    comment: str | None = None
    columns: dict[str, str] = {}

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FilesCatalog(_Model):
    """Lake files: declared one by one, or discovered as ``root/<schema>/<table>.<ext>``
    (or ``root/<schema>/<table>/`` holding files of one format)."""

    connector: Literal["files"]
    root: str | None = None
    tables: list[FileTable] = []
    comment: str | None = None


class SqliteCatalog(_Model):
    connector: Literal["sqlite"]
    path: str
    comment: str | None = None


class PostgresCatalog(_Model):
    connector: Literal["postgres"]
    host: str = "127.0.0.1"
    port: int = 5432
    database: str
    user: str
    password: str | None = None  # a secret reference
    schemas: list[str] | None = None  # only these schemas are exposed
    comment: str | None = None

    @field_validator("password")
    @classmethod
    def _must_be_reference(cls, value: str | None) -> str | None:
        if value is not None and not (_ENV_REF.match(value) or value.startswith(_FILE_REF)):
            raise ValueError(
                "secrets must be references: write ${ENV_VAR} or file:/path, not the value itself"
            )
        return value


class TrinoCatalog(_Model):
    """A catalog of the Trino clusters (``trino:``), under a logical name."""

    connector: Literal["trino"]
    catalog: str | None = None  # its name on the clusters; the logical name if not given
    comment: str | None = None


CatalogConfig = Annotated[
    FilesCatalog | SqliteCatalog | PostgresCatalog | TrinoCatalog, Field(discriminator="connector")
]


def _secret_reference(value: str | None) -> str | None:
    if value is not None and not (_ENV_REF.match(value) or value.startswith(_FILE_REF)):
        raise ValueError("secrets must be references: write ${ENV_VAR} or file:/path, not the value itself")
    return value


class TrinoClusterSpec(_Model):
    """One Trino coordinator; Lakegate signs in as ``user`` and runs queries as the end user."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")
    url: str = Field(pattern=r"^https?://[^/@\s]+/?$")  # http(s)://host[:port]: no path, no credentials
    group: str = "adhoc"  # its routing group
    user: str  # the service user, allowed to impersonate end users
    password: str | None = None  # a secret reference (Basic)
    token: str | None = None  # a secret reference (Bearer)
    verify: bool | str = True  # TLS certificate check, or a CA bundle file
    # Send the credential over plain http: only behind a TLS-terminating proxy or mesh.
    allow_insecure_auth: bool = False

    @field_validator("password", "token")
    @classmethod
    def _must_be_reference(cls, value: str | None) -> str | None:
        return _secret_reference(value)

    @model_validator(mode="after")
    def _check(self) -> TrinoClusterSpec:
        if self.password is not None and self.token is not None:
            raise ValueError("give a password or a token, not both")
        credential = self.password is not None or self.token is not None
        if credential and self.url.startswith("http://") and not self.allow_insecure_auth:
            raise ValueError("credentials are only sent over https (or set allow_insecure_auth)")
        return self


class TrinoRoutingRule(_Model):
    """Send matching queries to ``group``: every criterion given must match (a list: any value)."""

    group: str
    users: list[str] = []
    groups: list[str] = []
    sources: list[str] = []
    client_tags: list[str] = []
    catalogs: list[str] = []  # logical catalog names the query reads


class TrinoRouting(_Model):
    default_group: str = "adhoc"
    rules: list[TrinoRoutingRule] = []  # the first that matches wins


class TrinoClusters(_Model):
    """The Trino clusters serving ``connector: trino`` catalogs, in routing groups."""

    clusters: list[TrinoClusterSpec] = Field(min_length=1)
    routing: TrinoRouting = TrinoRouting()
    health_check_seconds: float = Field(30.0, gt=0)
    connect_timeout_seconds: float = Field(2.0, gt=0)
    request_timeout_seconds: float = Field(10.0, gt=0)
    max_attempts: int = Field(2, ge=1, le=5)  # per HTTP request, retries included

    @model_validator(mode="after")
    def _check(self) -> TrinoClusters:
        names = [c.name for c in self.clusters]
        if len(set(names)) != len(names):
            raise ValueError("cluster names must be unique")
        groups = {c.group for c in self.clusters}
        for group in [self.routing.default_group, *(r.group for r in self.routing.rules)]:
            if group not in groups:
                raise ValueError(f"routing group {group!r} has no cluster")
        return self


class Principals(_Model):
    users: list[str] = []
    groups: list[str] = []


class PolicySettings(_Model):
    """Ranger-style policies: a Ranger policies JSON file (reloaded when it changes)."""

    file: str
    service_type: Literal["trino", "hive"] = "trino"
    #: classifications for tag-based policies: "catalog.schema.table[.column]" -> tags
    tags: dict[str, list[str]] = {}
    #: who may read the audit log and every user's queries
    admins: Principals = Principals()
    reload_seconds: float = Field(5.0, ge=0)


class AuditSettings(_Model):
    store: Literal["sqlite", "postgres"] = "sqlite"
    path: str = "audit.sqlite"  # sqlite
    dsn: str | None = None  # postgres: a secret reference holding a libpq connection string
    record_sql: Literal["text", "hash"] = "text"


class SearchSettings(_Model):
    """Where metadata search runs: the embedded index, or an Apache Solr core."""

    backend: Literal["tantivy", "solr"] = "tantivy"
    #: tantivy: a folder for the index (none: in memory, rebuilt from the catalog at start-up)
    index_path: str | None = None
    #: solr: the core's URL, e.g. http://solr:8983/solr/lakegate (configset: catalog/search/solr/conf)
    solr_url: str | None = Field(None, pattern=r"^https?://[^@\s]+$")

    @model_validator(mode="after")
    def _check(self) -> SearchSettings:
        if self.backend == "solr" and not self.solr_url:
            raise ValueError("the solr backend needs solr_url (a core URL)")
        return self


class CatalogSettings(_Model):
    """The metadata catalog's state store and harvesting schedule."""

    store: Literal["sqlite", "postgres"] = "sqlite"
    path: str = "catalog.sqlite"  # sqlite
    dsn: str | None = None  # postgres: a secret reference holding a libpq connection string
    pg_schema: str = Field("lakegate_catalog", pattern=r"^[a-z_][a-z0-9_]{0,50}$")  # postgres
    #: the instance name in qualified names (``catalog.schema.table@instance``), as Atlas's
    instance: str = Field("lakegate", pattern=r"^[A-Za-z0-9_.\-]{1,64}$")
    #: harvest every connector this often (0: only at start-up and on demand)
    refresh_seconds: float = Field(3600.0, ge=0)
    #: a failing source (missing, down) is harvested again after this long, doubling each time
    #: up to retry_max_seconds, until it answers
    retry_seconds: float = Field(5.0, gt=0)
    retry_max_seconds: float = Field(300.0, gt=0)
    #: a curation seed (descriptions, owners, classifications, glossary, registered queries),
    #: applied at start-up where stewards have not curated yet; `lakegate demo` writes catalog.yaml
    seed: str | None = None
    search: SearchSettings = SearchSettings()

    @field_validator("dsn")
    @classmethod
    def _dsn_reference(cls, value: str | None) -> str | None:
        return _secret_reference(value)

    @model_validator(mode="after")
    def _check(self) -> CatalogSettings:
        if self.store == "postgres" and self.dsn is None:
            raise ValueError("catalog.dsn is required with store: postgres (a ${ENV} or file: reference)")
        return self


class WorkspaceSettings(_Model):
    """A workspace catalog: the one place users may define datasets (views, materialised tables).

    Its materialised tables are Parquet files under ``path`` (a folder Lakegate manages; nothing
    else should write there); the definitions live in the catalog's state store."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    path: str
    comment: str | None = None
    #: how many seconds an old version of a materialised table is kept after a refresh replaced it
    #: (queries still reading it finish on it); at least the query timeout is sensible
    keep_old_versions_seconds: float = Field(600.0, ge=0)


class LakegateConfig(_Model):
    server: ServerSettings = ServerSettings()
    auth: AuthSettings = AuthSettings()
    catalogs: dict[str, CatalogConfig] = {}
    policies: PolicySettings | None = None
    audit: AuditSettings = AuditSettings()
    catalog: CatalogSettings = CatalogSettings()
    trino: TrinoClusters | None = None
    #: workspace catalogs, where users create views and materialised tables (all else is read-only)
    workspaces: list[WorkspaceSettings] = []
    # Directory the file was read from; relative paths are resolved against it.
    base_dir: Path = Path()

    @field_validator("catalogs")
    @classmethod
    def _catalog_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"catalog name {name!r} must be lower case letters, digits and _")
            if name in {"system", "information_schema"}:
                raise ValueError(f"catalog name {name!r} is reserved")
        return value

    @model_validator(mode="after")
    def _trino_catalogs(self) -> LakegateConfig:
        trino = [name for name, c in self.catalogs.items() if isinstance(c, TrinoCatalog)]
        if trino and self.trino is None:
            raise ValueError(f"catalog {trino[0]!r} is served by Trino: add trino.clusters")
        for rule in self.trino.routing.rules if self.trino else ():
            for name in rule.catalogs:
                if name not in trino:
                    raise ValueError(f"trino.routing.rules: {name!r} is not a Trino catalog")
        return self

    @model_validator(mode="after")
    def _workspace_names(self) -> LakegateConfig:
        seen: set[str] = set()
        for workspace in self.workspaces:
            if workspace.name in self.catalogs or workspace.name in seen:
                raise ValueError(f"workspaces: {workspace.name!r} is already a catalog name")
            if workspace.name in {"system", "information_schema"}:
                raise ValueError(f"workspaces: catalog name {workspace.name!r} is reserved")
            seen.add(workspace.name)
        return self

    @model_validator(mode="after")
    def _workers(self) -> LakegateConfig:
        from gateway.worker_share import workers_problem

        problem = workers_problem(self, self.server.workers)
        if problem is not None:
            raise ValueError(f"server.workers: {problem}")
        return self

    def resolve_path(self, path: str) -> Path:
        p = Path(path).expanduser()
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def secret(self, ref: str) -> Secret:
        return resolve_secret(ref, self.base_dir)


def _format_location(loc: tuple[int | str, ...]) -> str:
    parts = list(loc)
    # catalogs.<name>.<connector tag>.key: drop the union's tag, keep a catalog *named* postgres.
    if len(parts) > 2 and parts[0] == "catalogs" and parts[2] in {"files", "sqlite", "postgres", "trino"}:
        del parts[2]
    return ".".join(str(part) for part in parts) or "(top)"


def load_config(path: str | os.PathLike[str]) -> LakegateConfig:
    """Read and validate a config file; raise ConfigError naming the file, the key and the problem."""
    file = Path(path)
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{file}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    return parse_config(raw, file)


def parse_config(raw: Any, file: Path) -> LakegateConfig:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: the top level must be a mapping with 'server' and 'catalogs'")
    try:
        config = LakegateConfig.model_validate({**raw, "base_dir": file.resolve().parent})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            # Never echo input values: they may be secrets.
            problems.append(
                f"{file}: {_format_location(err['loc'])}: {err['msg']}{hint(LakegateConfig, err)}"
            )
        raise ConfigError("\n".join(problems)) from None
    _check_secrets(config, file)
    return config


def _check_secrets(config: LakegateConfig, file: Path) -> None:
    for name, catalog in config.catalogs.items():
        if isinstance(catalog, PostgresCatalog) and catalog.password is not None:
            try:
                config.secret(catalog.password)
            except ValueError as exc:
                raise ConfigError(f"{file}: catalogs.{name}.password: {exc}") from None
    if config.catalog.dsn is not None:
        try:
            config.secret(config.catalog.dsn)
        except ValueError as exc:
            raise ConfigError(f"{file}: catalog.dsn: {exc}") from None
    for i, cluster in enumerate(config.trino.clusters if config.trino else ()):
        for key, ref in (("password", cluster.password), ("token", cluster.token)):
            if ref is not None:
                try:
                    config.secret(ref)
                except ValueError as exc:
                    raise ConfigError(f"{file}: trino.clusters[{i}].{key}: {exc}") from None
