"""The audit database restarted under load: every answered query still has its record (the
answer is withheld while the record cannot be written: fail closed), no client sees a 500, and
the gateway writes again once the database is back, without a restart."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx
import psycopg
import yaml

from tests.postgres_cluster import private_postgres
from tests.server import served_process

CLIENTS = 6


def test_every_answered_query_is_recorded_across_a_database_restart(demo_dir: Path, tmp_path: Path) -> None:
    with private_postgres(tmp_path) as postgres:
        raw = yaml.safe_load((demo_dir / "lakegate.yaml").read_text())
        raw["server"] = {**raw["server"], "dev_mode": True}
        raw["audit"] = {"store": "postgres", "dsn": "${LAKEGATE_TEST_AUDIT_DSN}"}
        raw["catalog"] = {**raw.get("catalog", {}), "path": str(tmp_path / "catalog.sqlite")}
        config = demo_dir / f"lakegate-pgrestart-{tmp_path.name}.yaml"  # relative paths: the demo's
        config.write_text(yaml.safe_dump(raw))
        env = {**os.environ, "LAKEGATE_TEST_AUDIT_DSN": postgres.dsn}
        answered: list[str] = []
        statuses: list[int] = []
        lock = threading.Lock()
        stop = threading.Event()
        try:
            with served_process(config, env=env) as (url, _):

                def client(worker: int) -> None:
                    n = worker
                    with httpx.Client(base_url=url, timeout=30, headers={"X-Lakegate-User": "root"}) as http:
                        while not stop.is_set():
                            n += CLIENTS
                            try:
                                response = http.post(
                                    "/v1/query",
                                    json={"sql": f"SELECT {n} AS n"},
                                    headers={"Accept": "application/json"},
                                )
                            except httpx.HTTPError:
                                continue
                            with lock:
                                statuses.append(response.status_code)
                                if response.status_code == 200 and response.json()["data"] == [[n]]:
                                    answered.append(response.headers["x-lakegate-query-id"])

                workers = [threading.Thread(target=client, args=(w,)) for w in range(CLIENTS)]
                for worker in workers:
                    worker.start()
                time.sleep(3)
                before_restart = len(answered)
                postgres.restart()
                time.sleep(4)
                stop.set()
                for worker in workers:
                    worker.join(timeout=60)
                # once the database is back, queries are answered (and recorded) again
                after = httpx.post(
                    f"{url}/v1/query",
                    json={"sql": "SELECT 'after' AS s"},
                    headers={"Accept": "application/json", "X-Lakegate-User": "root"},
                    timeout=30,
                )
                assert after.status_code == 200, after.text
                answered.append(after.headers["x-lakegate-query-id"])
        finally:
            config.unlink(missing_ok=True)
        with psycopg.connect(postgres.dsn) as db:
            recorded = {
                row[0] for row in db.execute("SELECT query_id FROM lakegate_audit WHERE query_id IS NOT NULL")
            }
    assert before_restart > 0
    assert 500 not in statuses, "a client saw an internal error"
    assert set(statuses) <= {200, 503}, sorted(set(statuses))
    missing = set(answered) - recorded
    assert not missing, f"{len(missing)} of {len(answered)} answered queries have no audit record"
