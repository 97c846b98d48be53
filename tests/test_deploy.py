"""The deployment files in deploy/: Kubernetes manifests valid against Kubernetes' own schemas and
consistent with the server (probe paths, port, drain period, a config that parses); the Grafana
dashboard and the alert rules in valid PromQL over metrics the server really exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import kubernetes_validate
import promql_parser
import pytest
import yaml

from gateway.config import parse_config
from gateway.lifecycle import CONNECTION_GRACE_SECONDS
from tests.server import LiveServer

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
K8S_VERSION = "1.30.0"
_METRIC = re.compile(r"\b(lakegate_[a-z_]+)\b")


def _manifests() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                found.append((f"{path.name}:{doc['kind']}", doc))
    return found


def _of_kind(kind: str) -> dict[str, Any]:
    (doc,) = [d for _, d in _manifests() if d["kind"] == kind]
    return doc


@pytest.mark.parametrize(("name", "doc"), _manifests(), ids=[n for n, _ in _manifests()])
def test_each_manifest_is_valid_kubernetes(name: str, doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_manifests_hold_what_production_needs() -> None:
    kinds = {doc["kind"] for _, doc in _manifests()}
    assert {"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "ConfigMap"} <= kinds


def test_the_deployment_agrees_with_the_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    raw = yaml.safe_load(_of_kind("ConfigMap")["data"]["lakegate.yaml"])
    monkeypatch.setenv("LAKEGATE_AUDIT_DSN", "host=db dbname=audit")
    monkeypatch.setenv("LAKEGATE_CATALOG_DSN", "host=db dbname=catalog")
    monkeypatch.setenv("POD_IP", "10.1.2.3")
    config = parse_config(raw, tmp_path / "lakegate.yaml")
    pod = _of_kind("Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["ports"][0]["containerPort"] == config.server.port
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    # SIGTERM's drain must end before the kubelet's SIGKILL
    assert pod["terminationGracePeriodSeconds"] > config.server.drain_seconds + CONNECTION_GRACE_SECONDS
    assert all("value" not in e for e in container["env"]), "secrets never in the manifest"
    secrets = {
        e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"] if "secretKeyRef" in e["valueFrom"]
    }
    assert secrets == {"lakegate-secrets"}, "secrets come from a Secret, never from the manifest"
    # any pod answers any request (no affinity): each forwards a query's follow-ups to the pod
    # that runs it, at the pod's own address
    assert "sessionAffinity" not in _of_kind("Service")["spec"]
    assert config.server.cluster is not None
    assert config.server.cluster.internal_address == f"http://10.1.2.3:{config.server.port}"
    pod_ip = {e["name"]: e["valueFrom"] for e in container["env"]}["POD_IP"]
    assert pod_ip == {"fieldRef": {"fieldPath": "status.podIP"}}
    assert container["command"][:2] == ["lakegate", "serve"]


def _dashboard_exprs() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "lakegate.json").read_text())
    return [t["expr"] for p in dashboard["panels"] for t in p["targets"]]


def _alert_exprs() -> list[str]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yaml").read_text())
    return [r["expr"] for g in rules["groups"] for r in g["rules"]]


@pytest.mark.parametrize("expr", _dashboard_exprs() + _alert_exprs())
def test_dashboard_and_alerts_are_valid_promql(expr: str) -> None:
    promql_parser.parse(expr)


def test_dashboard_and_alerts_use_metrics_the_server_exports(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Lakegate-User": "root"}) as client:
        assert client.post("/v1/query", json={"sql": "SELECT 1"}).status_code == 200
        client.post("/v1/query", json={"sql": "SELECT * FROM no_such_table"})
        exported = client.get("/metrics").text
    names = {
        line.split("{")[0].split(" ")[0] for line in exported.splitlines() if line.startswith("lakegate_")
    }
    used = {m for expr in _dashboard_exprs() + _alert_exprs() for m in _METRIC.findall(expr)}
    assert used, "no Lakegate metric is used"
    assert used <= names, f"not exported: {sorted(used - names)}"
