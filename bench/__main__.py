"""`make bench`: run every benchmark module, then print the table from bench/results.json.

`python -m bench` runs them all (each `bench/<name>.py` as `python -m bench.<name>`);
`python -m bench NAME ...` runs only those; `python -m bench --table` prints the table
without running anything, `--markdown` the same as a Markdown table (for README.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.results import RESULTS

HERE = Path(__file__).parent
SKIP = {"__init__", "__main__", "results", "common", "seed"}

# The figure that answers each target of issue 8 (and the ticket-creation goal).
TARGETS: dict[tuple[str, str], str] = {
    ("chat_latency", "p95_ms"): "p95 < 100 ms with 50 chats",
    ("chat_latency_redis", "p95_ms"): "- (PostgreSQL + Redis, one backend)",
    ("board", "browser_usable_ms_median"): "usable < 300 ms (django-helpdesk: 400-440 ms)",
    ("board", "new_tab_usable_ms_median"): "- (a new tab of the empty sign-in page: see below)",
    ("board", "drop_to_new_column_ms_median"): "- (the card moves on drop, before the save)",
    ("sla_sweep", "sweep_with_due_ms"): "< 2000 ms",
    ("outbox_throughput", "notifications_per_second"): ">= 100 /s",
    ("similarity", "runs[10000].seconds"): "< 3 s",
    ("ticket_creation", "tickets_per_second"): "> 200 /s",
}
META = {"machine", "measured_at"}


def flatten(figures: dict[str, Any]) -> list[tuple[str, Any]]:
    """(figure, value) pairs; a list of runs becomes runs[<size>].<key>."""
    rows: list[tuple[str, Any]] = []
    for key, value in figures.items():
        if key in META:
            continue
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            for run in value:
                label = run.get("tickets", run.get("n", len(rows)))
                rows += [(f"{key}[{label}].{k}", v) for k, v in run.items()]
        else:
            rows.append((key, value))
    return rows


def load() -> dict[str, dict[str, Any]]:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def print_table(data: dict[str, dict[str, Any]]) -> None:
    print(f"\n{'benchmark':<20} {'figure':<40} {'value':<14} target")
    for bench_name, figures in sorted(data.items()):
        for key, value in flatten(figures):
            target = TARGETS.get((bench_name, key), "")
            print(f"{bench_name:<20} {key:<40} {value!s:<14} {target}")
    machines = {f.get("machine") for f in data.values() if f.get("machine")}
    for machine in sorted(machines):
        print(f"machine: {machine}")


def print_markdown(data: dict[str, dict[str, Any]]) -> None:
    """The headline figure of each benchmark against its target."""
    print("| benchmark | figure | target | measured | machine |")
    print("| --- | --- | --- | --- | --- |")
    for (bench_name, key), target in TARGETS.items():
        figures = data.get(bench_name)
        if not figures:
            continue
        value = dict(flatten(figures)).get(key)
        if value is None:
            continue
        machine = figures.get("machine") or "not recorded"
        if figures.get("measured_at"):
            machine += f", {str(figures['measured_at'])[:16].replace('T', ' ')} UTC"
        print(f"| {bench_name} | {key} | {target} | {value} | {machine} |")


def main(argv: list[str]) -> int:
    if "--markdown" in argv:
        print_markdown(load())
        return 0
    if "--table" in argv:
        print_table(load())
        return 0
    failed = []
    modules = [a for a in argv if not a.startswith("-")] or sorted(
        p.stem for p in HERE.glob("*.py") if p.stem not in SKIP
    )
    for name in modules:
        print(f"== bench.{name}", flush=True)
        if subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False).returncode:
            failed.append(name)
    print_table(load())
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
