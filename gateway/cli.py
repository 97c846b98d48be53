"""The ``lakegate`` command: serve, demo, query, catalogs, openapi."""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any

DEFAULT_URL = os.environ.get("LAKEGATE_URL", "http://127.0.0.1:8080")


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # sqlglot logs every SHOW it parses as a generic command; that is expected here.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.app import create_app
    from gateway.config import ConfigError, load_config
    from gateway.lifecycle import serve
    from gateway.observability.log_format import configure_logging
    from gateway.worker_processes import stop_with_parent, worker_spec
    from gateway.worker_share import worker_config, workers_problem

    _configure_logging(args.log_level)
    instant = None
    try:
        if args.config is not None and args.paths:
            raise ConfigError("give either --config or paths to serve, not both")
        if args.config is None:
            if not args.paths:
                raise ConfigError("give --config FILE, or the files and folders to serve")
            instant = _instant(args)
            config = instant[0]
        else:
            config = load_config(args.config)
    except ConfigError as exc:
        print(f"lakegate: configuration error\n{exc}", file=sys.stderr)
        return 2
    workers = args.workers or config.server.workers
    spec = worker_spec()
    if spec is not None:  # one of the workers a supervisor started: its share of the config
        stop_with_parent()
        sockets: list[socket.socket] = [
            socket.socket(fileno=spec.shared_fd),
            socket.socket(fileno=spec.private_fd),
        ]
        config = worker_config(
            config,
            index=spec.index,
            workers=spec.workers,
            node_id=spec.node_id,
            private_port=sockets[1].getsockname()[1],
        )
    elif workers > 1:
        problem = workers_problem(config, workers)
        if instant is not None:
            problem = "serving paths (no --config) runs one process"
        if problem is not None:
            where = f"{args.config}: --workers {workers}"
            print(f"lakegate: configuration error\n{where}: {problem}", file=sys.stderr)
            return 2
        configure_logging(args.log_level, config.server.log_format)
        return _supervise(args, config, workers)
    try:
        # Building the app reads the users, tokens and policy files and every catalog's storage.
        app = create_app(config)
    except ConfigError as exc:
        print(f"lakegate: configuration error\n{args.config or 'the given paths'}: {exc}", file=sys.stderr)
        return 2
    configure_logging(args.log_level, config.server.log_format)
    server_config = uvicorn.Config(
        app,
        host=args.host or config.server.host,
        port=args.port or config.server.port,
        log_level=args.log_level.lower(),
        log_config=None,  # keep Lakegate's handlers (text or JSON lines)
        loop="uvloop",
        http="httptools",
        access_log=args.access_log,
        **tls_options(config),
    )
    if instant is not None:
        _announce(instant[1], open_browser=not args.no_browser)
    serve(server_config, app.state.gateway, config.server.drain_seconds, sockets=sockets if spec else None)
    return 0


def _supervise(args: argparse.Namespace, config: Any, workers: int) -> int:
    """``--workers N``: bind the port, start N workers on it (gateway/worker_processes.py)."""
    from gateway.queries import random_node_id
    from gateway.worker_processes import Supervisor
    from gateway.worker_share import private_host

    command = [sys.executable, "-m", "gateway.cli", "serve", "--config", str(Path(args.config).resolve())]
    command += ["--log-level", args.log_level] + (["--access-log"] if args.access_log else [])
    try:
        supervisor = Supervisor(
            command,
            workers=workers,
            host=args.host or config.server.host,
            port=args.port or config.server.port,
            private_host=private_host(config),
            node_base=config.server.node_id or random_node_id(),
            scheme="https" if config.server.tls is not None else "http",
        )
    except OSError as exc:
        print(f"lakegate: cannot listen: {exc.strerror or exc}", file=sys.stderr)
        return 2
    supervisor.install_signals()
    return supervisor.run()


def _instant(args: argparse.Namespace) -> tuple[Any, str]:
    """``lakegate serve PATH…``: the config for the paths on loopback, and the sign-in address."""
    import tempfile
    from pathlib import Path

    from gateway.config import ConfigError, parse_config
    from gateway.instant import LOOPBACK, free_port, instant_config, sign_in_url

    if args.host not in (None, LOOPBACK, "localhost"):
        raise ConfigError(
            f"serving paths without a config listens on {LOOPBACK} only; write a config for --host"
        )
    args.host = LOOPBACK
    port = args.port or free_port()
    args.port = port
    state = Path(tempfile.mkdtemp(prefix="lakegate-instant-"))
    served = instant_config([Path(p) for p in args.paths], state, port)
    config = parse_config(served.config, state / "lakegate.yaml")
    print(f"Lakegate serves {served.tables} table(s) or database(s) to {served.user}, on this machine only.")
    return config, sign_in_url(port, served.token)


def _announce(url: str, *, open_browser: bool) -> None:
    print(f"Open this address to sign in (it holds your private token):\n    {url}", flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)


def tls_options(config: Any) -> dict[str, Any]:
    """uvicorn's TLS arguments from the config (empty: plain HTTP)."""
    tls = config.server.tls
    if tls is None:
        return {}
    options: dict[str, Any] = {
        "ssl_certfile": str(config.resolve_path(tls.certfile)),
        "ssl_keyfile": str(config.resolve_path(tls.keyfile)),
    }
    if tls.key_password:
        options["ssl_keyfile_password"] = config.secret(tls.key_password).reveal()
    return options


def cmd_demo(args: argparse.Namespace) -> int:
    from gateway.demo import generate_demo

    _configure_logging("INFO")
    path = generate_demo(Path(args.out), tpch_scale=args.tpch_scale)
    if args.catalog_size:
        from gateway.demo.synthetic_store import write_synthetic_catalog

        written, seconds = write_synthetic_catalog(Path(args.out) / "catalog.sqlite", args.catalog_size)
        print(f"{written:,} synthetic catalog entities written in {seconds:.1f} s")
    print(f"demo written; serve it with: lakegate serve --config {path}")
    return 0


def cmd_openapi(args: argparse.Namespace) -> int:
    from gateway.openapi_export import export_openapi

    text = export_openapi()
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


def _connect(args: argparse.Namespace) -> Any:
    import lakegate

    return lakegate.connect(
        args.url,
        user=args.user,
        password=os.environ.get("LAKEGATE_PASSWORD"),
        token=os.environ.get("LAKEGATE_TOKEN"),
        catalog=args.catalog,
        schema=args.schema,
        dialect=args.dialect,
    )


def _print_table(table: Any, out: Any) -> None:
    names = table.column_names
    columns = [[("NULL" if v is None else str(v)) for v in col.to_pylist()] for col in table.columns]
    widths = [max([len(n)] + [len(v) for v in col]) for n, col in zip(names, columns, strict=True)]
    out.write(" | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)) + "\n")
    out.write("-+-".join("-" * w for w in widths) + "\n")
    for row in zip(*columns, strict=True):
        out.write(" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + "\n")
    out.write(f"({table.num_rows} row{'s' if table.num_rows != 1 else ''})\n")


def cmd_query(args: argparse.Namespace) -> int:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    import lakegate

    try:
        with _connect(args) as connection:
            cursor = connection.cursor()
            cursor.execute(args.sql)
            table = cursor.fetch_arrow_table()
    except lakegate.Error as exc:
        print(f"lakegate: {exc}", file=sys.stderr)
        return 1
    if args.format == "table":
        _print_table(table, sys.stdout)
    elif args.format == "csv":
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table, sink)
        sys.stdout.buffer.write(sink.getvalue().to_pybytes())
    elif args.format == "json":
        columns = [c.to_pylist() for c in table.columns]
        rows = [dict(zip(table.column_names, r, strict=True)) for r in zip(*columns, strict=True)]
        print(json.dumps(rows, default=str, indent=2))
    else:
        with pa.ipc.new_stream(sys.stdout.buffer, table.schema) as writer:
            writer.write_table(table)
    return 0


def cmd_catalogs(args: argparse.Namespace) -> int:
    import lakegate

    try:
        with _connect(args) as connection:
            for catalog in connection.catalogs():
                print(catalog.name)
    except lakegate.Error as exc:
        print(f"lakegate: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_policy_eval(args: argparse.Namespace) -> int:
    from auth.policy.cli import evaluate_files

    try:
        result = evaluate_files(args.policies, args.request)
    except (OSError, ValueError) as exc:
        print(f"lakegate: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2))
    return 0


def cmd_hash_password(args: argparse.Namespace) -> int:
    import getpass

    from auth.authn.hashing import hash_password

    password = getpass.getpass("password: ") if args.password is None else args.password
    print(hash_password(password))
    return 0


def cmd_catalog_refresh(args: argparse.Namespace) -> int:
    """Ask the running server to refresh (so its planner sees new files at once); admins only."""
    import httpx

    from lakegate.http import Credentials

    credentials = Credentials(
        args.user, os.environ.get("LAKEGATE_PASSWORD"), os.environ.get("LAKEGATE_TOKEN")
    )
    url = args.url.rstrip("/") + "/v1/admin/catalog/refresh"
    try:
        response = httpx.post(url, headers=credentials.headers(), timeout=args.timeout)
    except httpx.HTTPError as exc:
        print(f"lakegate: cannot reach {args.url}: {type(exc).__name__}", file=sys.stderr)
        return 1
    if response.status_code != 200:
        try:
            detail = response.json().get("detail") or response.text
        except ValueError:
            detail = response.text
        print(f"lakegate: the refresh was refused ({response.status_code}): {detail}", file=sys.stderr)
        return 1
    result = response.json()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for source in result["sources"]:
            line = (
                f"{source['name']:<24} {source['status']:<8} +{source['added']} ~{source['changed']} "
                f"-{source['removed']} ({source['duration_ms']:.0f} ms)"
            )
            if source.get("message"):
                line += f"  {source['message']}"
            print(line)
        print(f"refreshed in {result['duration_ms']:.0f} ms")
    return 0 if result["ok"] else 3


def _catalog_store(config_path: str) -> Any:
    from catalog.store.factory import store_from_config
    from gateway.config import load_config

    return store_from_config(load_config(config_path))


def cmd_catalog_import_atlas(args: argparse.Namespace) -> int:
    """Import Apache Atlas's hive_* and trino_* entities into the catalog's store (the unit
    ``import:<source>``, replaced whole by each import; harvesting never touches it)."""
    from catalog.atlas.cli import import_atlas, open_atlas
    from catalog.atlas.port import AtlasError
    from catalog.atlas.store_sink import StoreSink
    from gateway.config import ConfigError

    try:
        store = _catalog_store(args.config)
    except ConfigError as exc:
        print(f"lakegate: configuration error\n{exc}", file=sys.stderr)
        return 2
    try:
        port = open_atlas(args.url, args.user, Path(args.password_file))
        report = import_atlas(port, StoreSink(store), source=args.source, hive_catalog=args.hive_catalog)
    except (AtlasError, OSError) as exc:
        print(f"lakegate: the Atlas import failed: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(
        f"imported from {args.url}: {report.entities} entities, {report.curated} curated, "
        f"{report.terms} glossary terms, {report.edges} lineage edges"
    )
    for skipped in report.skipped:
        print(f"skipped: {skipped}")
    return 0


def cmd_catalog_export_atlas(args: argparse.Namespace) -> int:
    """Push the catalog (Atlas's Trino model types, classifications, glossary, lineage) to Atlas."""
    from catalog.atlas.cli import export_atlas, open_atlas
    from catalog.atlas.port import AtlasError
    from catalog.service import CatalogService
    from gateway.config import ConfigError, load_config

    try:
        config = load_config(args.config)
        store = _catalog_store(args.config)
    except ConfigError as exc:
        print(f"lakegate: configuration error\n{exc}", file=sys.stderr)
        return 2
    try:
        port = open_atlas(args.url, args.user, Path(args.password_file))
        summary = export_atlas(port, CatalogService(store, instance=config.catalog.instance))
    except (AtlasError, OSError) as exc:
        print(f"lakegate: the Atlas export failed: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    sent = sum(summary.entities.values())
    print(
        f"exported to {args.url}: {sent} entities, {summary.classified_entities} classified, "
        f"{summary.term_assignments} term assignments, {summary.processes} processes, "
        f"{summary.column_lineages} column lineages"
    )
    for skipped in summary.skipped:
        print(f"skipped: {skipped}")
    return 0


def cmd_balancer_config(args: argparse.Namespace) -> int:
    from gateway.balancer import http_block, nginx_conf, parse_instance

    try:
        instances = [parse_instance(text) for text in args.instance]
        routing = not args.any_instance
        text = (
            http_block(instances, args.listen, owner_routing=routing)
            if args.http_block
            else nginx_conf(instances, args.listen, owner_routing=routing)
        )
    except ValueError as exc:
        print(f"lakegate balancer-config: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lakegate", description="Lakegate: one SQL door to all your data")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the gateway")
    serve.add_argument("--config", default=None, help="the lakegate.yaml to serve")
    serve.add_argument(
        "paths",
        nargs="*",
        help="without --config: files, folders or SQLite databases to serve on 127.0.0.1 to you alone",
    )
    serve.add_argument("--no-browser", action="store_true", help="with paths: do not open the UI")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.add_argument("--access-log", action="store_true", help="log every HTTP request")
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes on the port (default server.workers, 1); more need PostgreSQL state",
    )
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="write the demo data and its config")
    demo.add_argument("--out", required=True, help="folder to write into")
    demo.add_argument(
        "--tpch-scale", type=float, default=None, help="also write TPC-H at this scale (e.g. 1)"
    )
    demo.add_argument(
        "--catalog-size",
        type=int,
        default=0,
        help="also put this many synthetic entities into the catalog (metadata only, for search at scale)",
    )
    demo.set_defaults(func=cmd_demo)

    openapi = sub.add_parser("openapi", help="print or write the OpenAPI spec")
    openapi.add_argument("--out", default="-")
    openapi.set_defaults(func=cmd_openapi)

    policy = sub.add_parser("policy", help="Ranger policy tools")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    evaluate = policy_sub.add_parser("eval", help="evaluate access requests against Ranger policies")
    evaluate.add_argument("--policies", required=True, help="Ranger policies JSON")
    evaluate.add_argument("--request", required=True, help="one request or a list, as JSON")
    evaluate.set_defaults(func=cmd_policy_eval)

    hashing = sub.add_parser("hash-password", help="hash a password for the users file")
    hashing.add_argument("--password", default=None, help="(prompted for when left out)")
    hashing.set_defaults(func=cmd_hash_password)

    catalog = sub.add_parser("catalog", help="the metadata catalog")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    refresh = catalog_sub.add_parser(
        "refresh", help="harvest every source again on the running server (admins; exit 3: a source failed)"
    )
    refresh.add_argument("--url", default=DEFAULT_URL)
    refresh.add_argument("--user", default=os.environ.get("LAKEGATE_USER"))
    refresh.add_argument("--timeout", type=float, default=600.0)
    refresh.add_argument("--json", action="store_true", help="print the whole result as JSON")
    refresh.set_defaults(func=cmd_catalog_refresh)
    for verb, func, text in (
        ("import-atlas", cmd_catalog_import_atlas, "import Apache Atlas's hive_* and trino_* entities"),
        ("export-atlas", cmd_catalog_export_atlas, "push the catalog to Apache Atlas (Trino model)"),
    ):
        atlas = catalog_sub.add_parser(verb, help=text)
        atlas.add_argument("--config", required=True, help="the lakegate.yaml whose catalog store to use")
        atlas.add_argument("--url", required=True, help="Atlas, e.g. http://atlas:21000")
        atlas.add_argument("--user", required=True)
        atlas.add_argument(
            "--password-file", required=True, help="a file holding the password (never on the command line)"
        )
        if verb == "import-atlas":
            atlas.add_argument("--source", default="atlas", help="the imported entities' source name")
            atlas.add_argument("--hive-catalog", default="hive", help="the catalog name for hive_db entities")
        atlas.set_defaults(func=func)

    balancer = sub.add_parser(
        "balancer-config",
        help="print an nginx config for several instances (query follow-ups to their owner)",
    )
    balancer.add_argument(
        "--instance", action="append", required=True, metavar="NODE_ID=HOST:PORT", help="repeat per instance"
    )
    balancer.add_argument("--listen", default="8080", help="nginx's listen directive (default 8080)")
    balancer.add_argument("--http-block", action="store_true", help="only the part for an existing http {}")
    balancer.add_argument(
        "--any-instance",
        action="store_true",
        help="round robin, no routing by query id: the instances forward follow-ups (server.cluster)",
    )
    balancer.set_defaults(func=cmd_balancer_config)

    for name, func, text in (
        ("query", cmd_query, "run one SQL statement"),
        ("catalogs", cmd_catalogs, "list the catalogs"),
    ):
        command = sub.add_parser(name, help=text)
        if name == "query":
            command.add_argument("sql")
            command.add_argument("--format", choices=["table", "csv", "json", "arrow"], default="table")
        command.add_argument("--url", default=DEFAULT_URL)
        command.add_argument("--user", default=os.environ.get("LAKEGATE_USER"))
        command.add_argument("--catalog", default=None)
        command.add_argument("--schema", default=None)
        command.add_argument("--dialect", default=None)
        command.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
