"""Several gateway instances behind nginx: new work goes to any instance, a query's follow-ups to
the instance that runs it.

Each instance has a ``server.node_id``, and every query id it makes ends with it
(``20261205_081500_00042_n2``). The balancer reads the id from the paths that name a query (the
Trino door's ``nextUri`` pages and their DELETE, the native ``/v1/queries/{id}`` status and
cancel) and sends those requests to the owner, as trino-gateway does; everything else is spread
over the instances that are up (least connections, passive health checks). A running query lives
in its owner's memory, so when the owner dies its queries fail, with a clear error, and the
others carry on. What is shared lives in PostgreSQL (audit log, metadata catalog, the web UI's
sessions): the status of a finished query is answered by any instance when its owner is gone. A
``kill_query`` (whose query id is inside the SQL, out of the balancer's sight) reaches the owner
through the state store (gateway/kill_requests.py).

``lakegate balancer-config --instance n1=10.0.0.5:8080 --instance n2=10.0.0.6:8080`` prints the
configuration (an ``nginx.conf`` of its own, or with ``--http-block`` the part for an existing
``http {}``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

NODE_ID = re.compile(r"^[a-z0-9]{1,16}$")
_ADDRESS = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")
#: the query id's shape (gateway/queries.py), its last part the owner's node id
_QUERY_ID = r"[0-9]{8}_[0-9]{6}_[0-9]{5}_(?<node>[a-z0-9]{1,16})"

_GONE = {
    "type": "urn:lakegate:error:instance-unavailable",
    "title": "Instance unavailable",
    "status": 503,
    "detail": "the gateway instance that ran this query is gone, and the query with it; run it again",
    "code": "ENGINE_UNAVAILABLE",
}


@dataclass(frozen=True, slots=True)
class Instance:
    node_id: str
    address: str  # host:port


def parse_instance(text: str) -> Instance:
    """``NODE_ID=HOST:PORT``."""
    node, sep, address = text.partition("=")
    if not sep or not NODE_ID.match(node) or not _ADDRESS.match(address):
        raise ValueError(f"an instance is NODE_ID=HOST:PORT with a node id of a-z and 0-9, not {text!r}")
    return Instance(node, address)


_PROXYING = [
    "    client_max_body_size 16m;",
    "    proxy_http_version 1.1;",
    '    proxy_set_header Connection "";',
    "    proxy_set_header Host $http_host;",
    "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "    proxy_set_header X-Forwarded-Proto $scheme;",
    "    # results stream through as they are made; a client that leaves cancels its query",
    "    proxy_buffering off;",
    "    proxy_request_buffering off;",
    "    proxy_read_timeout 600s;",
    "    proxy_send_timeout 600s;",
    "    # new work that could not reach an instance is tried on the next (queries are read-only)",
    "    proxy_next_upstream error timeout non_idempotent;",
]


def http_block(instances: list[Instance], listen: str, *, owner_routing: bool = True) -> str:
    """The ``http {}`` contents: upstreams, the owner map, and the server. Without
    ``owner_routing`` every request goes to any instance (round robin), and the instances
    forward a query's follow-ups to its owner themselves (``server.cluster``)."""
    if not instances:
        raise ValueError("at least one instance")
    nodes = [i.node_id for i in instances]
    if len(set(nodes)) != len(nodes):
        raise ValueError("node ids must differ")
    if not owner_routing:
        return _round_robin(instances, listen)
    lines = ["upstream lakegate_any {", "    least_conn;"]
    lines += [f"    server {i.address} max_fails=1 fail_timeout=10s;" for i in instances]
    lines += ["    keepalive 32;", "}"]
    for instance in instances:
        lines += [f"upstream lakegate_{instance.node_id} {{", f"    server {instance.address};", "}"]
    lines += [
        "# the node id at the end of a query id names the instance that owns the query",
        "map $uri $lakegate_owner {",
        '    default "";',
        f'    "~^/v1/statement/(?:executing|queued)/{_QUERY_ID}/" $node;',
        f'    "~^/v1/queries/{_QUERY_ID}$" $node;',
        "}",
        "map $lakegate_owner $lakegate_upstream {",
        "    default lakegate_any;",
    ]
    lines += [f"    {node} lakegate_{node};" for node in nodes]
    gone = json.dumps(_GONE).replace("'", "\\'")
    lines += [
        "}",
        "server {",
        f"    listen {listen};",
        *_PROXYING,
        "    location / {",
        "        proxy_pass http://$lakegate_upstream;",
        "        proxy_intercept_errors off;",
        "    }",
        "    # a query's pages: its owner, or a clear error when the owner is gone",
        "    location ~ ^/v1/statement/(?:executing|queued)/ {",
        "        proxy_pass http://$lakegate_upstream;",
        "        error_page 502 504 = @owner_gone;",
        "    }",
        "    # a query's status: its owner; when the owner is gone, any instance answers from the",
        "    # shared audit log",
        "    location ~ ^/v1/queries/[^/]+$ {",
        "        proxy_pass http://$lakegate_upstream;",
        "        error_page 502 504 = @any_instance;",
        "    }",
        "    location @any_instance {",
        "        proxy_pass http://lakegate_any;",
        "    }",
        "    location @owner_gone {",
        "        default_type application/problem+json;",
        f"        return 503 '{gone}';",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def _round_robin(instances: list[Instance], listen: str) -> str:
    lines = ["# every request to any instance: each forwards a query's follow-ups to its owner"]
    lines += ["upstream lakegate_any {"]
    lines += [f"    server {i.address} max_fails=1 fail_timeout=10s;" for i in instances]
    lines += ["    keepalive 32;", "}", "server {", f"    listen {listen};", *_PROXYING]
    lines += ["    location / {", "        proxy_pass http://lakegate_any;", "    }", "}"]
    return "\n".join(lines) + "\n"


def nginx_conf(
    instances: list[Instance],
    listen: str,
    paths: Mapping[str, str] | None = None,
    *,
    owner_routing: bool = True,
) -> str:
    """A whole ``nginx.conf`` running in the foreground; ``paths`` may set ``pid``,
    ``error_log`` and ``temp`` (a folder for nginx's temporary files)."""
    paths = paths or {}
    head = ["daemon off;", "worker_processes auto;"]
    if "pid" in paths:
        head.append(f"pid {paths['pid']};")
    head.append(f"error_log {paths.get('error_log', 'stderr')} warn;")
    head += ["events { worker_connections 4096; }", "http {", "    access_log off;"]
    if "temp" in paths:
        temp = paths["temp"]
        head += [
            f"    client_body_temp_path {temp}/body;",
            f"    proxy_temp_path {temp}/proxy;",
            f"    fastcgi_temp_path {temp}/fastcgi;",
            f"    uwsgi_temp_path {temp}/uwsgi;",
            f"    scgi_temp_path {temp}/scgi;",
        ]
    block = http_block(instances, listen, owner_routing=owner_routing)
    body = ["    " + line if line else line for line in block.splitlines()]
    return "\n".join([*head, *body, "}"]) + "\n"
