"""The conformance table from a run's verdicts, and the known-wrong file.

    make conformance-table            # runs the suite against the real Trino, then this
    python -m tests.trino_oracle.report RESULTS.json --readme README.md [--known-wrong]

``--readme`` replaces the text between the README's conformance markers with the table;
``--known-wrong`` rewrites data/known_wrong.yaml from the verdicts (every case that is neither the
same answer nor a clear refusal), for when a fix lands.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tests.trino_oracle.cases import DATA

START = "<!-- conformance:start -->"
END = "<!-- conformance:end -->"
OUTCOMES = ("same", "refused", "error", "wrong")
DOOR_TITLES = {"native": "native API", "trino_door": "Trino door"}


def _group(source: str) -> str:
    kind, _, detail = source.partition(":")
    if kind == "doc":
        return f"docs: {detail}"
    if kind == "generated":
        return "generated: " + detail.split("+")[0].split("(")[0]
    return {"tpch": "TPC-H queries", "tpcds": "TPC-DS queries"}.get(kind, kind)


def table(results: dict[str, dict[str, Any]]) -> str:
    counts: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for key, verdict in results.items():
        door = key.split("/", 1)[0]
        counts[_group(verdict["source"])][door][verdict["outcome"]] += 1
        totals[door][verdict["outcome"]] += 1
    doors = [d for d in DOOR_TITLES if d in totals]
    header = "| cases | " + " | ".join(DOOR_TITLES[d] for d in doors) + " |"
    lines = [
        "Per door: same answer / refused clearly / failed with an unclear error / wrong answer.",
        "",
        header,
        "|---|" + "---|" * len(doors),
    ]

    def cells(by_door: dict[str, Counter[str]]) -> str:
        return " | ".join(" / ".join(str(by_door[d][o]) for o in OUTCOMES) for d in doors)

    for group in sorted(counts, key=lambda g: (not g.startswith("docs"), g.startswith("TPC"), g)):
        lines.append(f"| {group} | {cells(counts[group])} |")
    lines.append(f"| **all {sum(totals[doors[0]].values())} cases** | {cells(totals)} |")
    return "\n".join(lines)


def timings(results: dict[str, dict[str, Any]]) -> str:
    """Seconds per group of benchmark queries: the real Trino's run and each door's."""
    seconds: dict[str, Counter[str]] = defaultdict(Counter)
    for key, verdict in results.items():
        group = _group(verdict["source"])
        if not group.startswith("TPC"):
            continue
        seconds[group][key.split("/", 1)[0]] += verdict.get("seconds", 0.0)
        seconds[group]["trino"] += verdict.get("trino_seconds", 0.0)
    return "\n".join(
        f"{group}: Trino {by['trino']:.1f} s, "
        + ", ".join(f"{DOOR_TITLES[d]} {by[d]:.1f} s" for d in DOOR_TITLES if d in by)
        for group, by in sorted(seconds.items())
    )


def update_readme(readme: Path, text: str) -> None:
    content = readme.read_text()
    start, end = content.index(START) + len(START), content.index(END)
    readme.write_text(content[:start] + "\n" + text + "\n" + content[end:])


def write_known_wrong(results: dict[str, dict[str, Any]], path: Path) -> None:
    head = [line for line in path.read_text().splitlines() if line.startswith("#")]
    entries = {
        key: f"{verdict['outcome']}: {verdict['detail']}"[:300]
        for key, verdict in sorted(results.items())
        if verdict["outcome"] in ("wrong", "error")
    }
    body = "\n".join(
        f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" for key, value in entries.items()
    )
    path.write_text("\n".join(head) + "\n" + (body or "{}") + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("results", type=Path)
    parser.add_argument("--readme", type=Path)
    parser.add_argument("--known-wrong", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = json.loads(args.results.read_text())
    text = table(results)
    print(text)
    print(timings(results))
    if args.readme:
        update_readme(args.readme, text)
    if args.known_wrong:
        write_known_wrong(results, DATA / "known_wrong.yaml")


if __name__ == "__main__":
    main()
