"""The store's schema, as ordered migrations: version N is applied once, in its own transaction.

Every statement runs on SQLite and on PostgreSQL alike (TEXT, INTEGER, BIGINT, DOUBLE PRECISION;
JSON kept as text). Add a migration at the end; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the entity model
    (
        """CREATE TABLE catalog_entities (
            guid TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            qualified_name TEXT NOT NULL,
            name TEXT NOT NULL,
            source TEXT NOT NULL,
            unit TEXT NOT NULL,
            catalog_name TEXT,
            schema_name TEXT,
            table_name TEXT,
            column_name TEXT,
            parent_guid TEXT,
            comment TEXT,
            data_type TEXT,
            position INTEGER,
            nullable INTEGER,
            storage_format TEXT,
            location TEXT,
            row_count BIGINT,
            size_bytes BIGINT,
            view_sql TEXT,
            created_at DOUBLE PRECISION,
            fingerprint TEXT NOT NULL,
            status TEXT NOT NULL,
            first_seen DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX catalog_entities_unit ON catalog_entities (unit, status)",
        "CREATE INDEX catalog_entities_parent ON catalog_entities (parent_guid)",
        """CREATE TABLE catalog_units (
            unit TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            harvested_at DOUBLE PRECISION NOT NULL
        )""",
        """CREATE TABLE catalog_curations (
            guid TEXT PRIMARY KEY,
            description TEXT,
            owners TEXT NOT NULL,
            deprecated INTEGER NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            updated_by TEXT
        )""",
        """CREATE TABLE catalog_classifications (
            guid TEXT NOT NULL,
            name TEXT NOT NULL,
            attributes TEXT NOT NULL,
            propagate INTEGER NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            updated_by TEXT,
            PRIMARY KEY (guid, name)
        )""",
        """CREATE TABLE catalog_terms (
            guid TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            glossary TEXT NOT NULL,
            short_description TEXT,
            long_description TEXT,
            synonyms TEXT NOT NULL,
            UNIQUE (glossary, name)
        )""",
        """CREATE TABLE catalog_term_assignments (
            entity_guid TEXT NOT NULL,
            term_guid TEXT NOT NULL,
            PRIMARY KEY (entity_guid, term_guid)
        )""",
        """CREATE TABLE catalog_processes (
            guid TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            sql_text TEXT,
            created_by TEXT,
            created_at DOUBLE PRECISION NOT NULL
        )""",
        """CREATE TABLE catalog_lineage (
            process_guid TEXT NOT NULL,
            input_guid TEXT NOT NULL,
            output_guid TEXT NOT NULL,
            PRIMARY KEY (process_guid, input_guid, output_guid)
        )""",
        """CREATE TABLE catalog_harvest_runs (
            unit TEXT NOT NULL,
            instance TEXT NOT NULL,
            started_at DOUBLE PRECISION NOT NULL,
            duration_ms DOUBLE PRECISION NOT NULL,
            status TEXT NOT NULL,
            message TEXT,
            added INTEGER NOT NULL,
            changed INTEGER NOT NULL,
            removed INTEGER NOT NULL
        )""",
        "CREATE INDEX catalog_harvest_runs_time ON catalog_harvest_runs (started_at)",
        # one row: bumped by every write, so every instance sees when anything changed
        "CREATE TABLE catalog_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)",
        "INSERT INTO catalog_version (id, version) VALUES (1, 0)",
    ),
    # 2: derived datasets of the workspace catalogs (gateway.datasets): their definitions and the
    # state of their materialisation
    (
        """CREATE TABLE lakegate_datasets (
            dataset_key TEXT PRIMARY KEY,
            catalog_name TEXT NOT NULL,
            schema_name TEXT NOT NULL,
            table_name TEXT NOT NULL,
            kind TEXT NOT NULL,
            sql_text TEXT NOT NULL,
            session_catalog TEXT,
            session_schema TEXT,
            owner TEXT NOT NULL,
            owner_groups TEXT NOT NULL,
            security TEXT NOT NULL,
            comment TEXT,
            column_comments TEXT NOT NULL,
            columns TEXT NOT NULL,
            version INTEGER NOT NULL,
            data_file TEXT,
            row_count BIGINT,
            size_bytes BIGINT,
            duration_ms DOUBLE PRECISION,
            refreshed_at DOUBLE PRECISION,
            last_error TEXT,
            refresh_seconds DOUBLE PRECISION,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        )""",
    ),
    # 3: state every gateway instance shares (gateway.ui.sessions, gateway.kill_requests): the web
    # UI's sign-in sessions, keyed by the SHA-256 of the cookie's session id (never the id
    # itself), and kill requests for a query that another instance runs
    (
        """CREATE TABLE lakegate_ui_sessions (
            session_hash TEXT PRIMARY KEY,
            user_name TEXT NOT NULL,
            groups TEXT NOT NULL,
            authenticated_by TEXT NOT NULL,
            method TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            last_seen DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX lakegate_ui_sessions_seen ON lakegate_ui_sessions (last_seen)",
        """CREATE TABLE lakegate_kill_requests (
            request_id TEXT PRIMARY KEY,
            query_id TEXT NOT NULL,
            node_id TEXT NOT NULL,
            requested_by TEXT NOT NULL,
            admin INTEGER NOT NULL,
            message TEXT NOT NULL,
            requested_at DOUBLE PRECISION NOT NULL,
            outcome TEXT
        )""",
        "CREATE INDEX lakegate_kill_requests_node ON lakegate_kill_requests (node_id, outcome)",
    ),
    # 4: the gateway instances of a cluster (gateway.instances): each one's node id, the address
    # the others reach it at, and its heartbeat, so a request for a query another instance owns
    # is forwarded to it (gateway.owner_forwarding)
    (
        """CREATE TABLE lakegate_instances (
            node_id TEXT PRIMARY KEY,
            address TEXT NOT NULL,
            state TEXT NOT NULL,
            started_at DOUBLE PRECISION NOT NULL,
            heartbeat_at DOUBLE PRECISION NOT NULL
        )""",
    ),
)

LATEST = len(MIGRATIONS)
