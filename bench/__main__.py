"""`make bench`: run every benchmark module, then print the table from bench/results.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.results import RESULTS

HERE = Path(__file__).parent
SKIP = {"__init__", "__main__", "results", "common"}


def main() -> int:
    failed = []
    modules = sorted(p.stem for p in HERE.glob("*.py") if p.stem not in SKIP)
    for name in modules:
        print(f"== bench.{name}", flush=True)
        if subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False).returncode:
            failed.append(name)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    print(f"\n{'benchmark':<28} {'figure':<36} value")
    for bench_name, figures in sorted(data.items()):
        for key, value in figures.items():
            if key in ("machine", "measured_at"):
                continue
            print(f"{bench_name:<28} {key:<36} {value}")
    if data:
        print(f"\nmachine: {next(iter(data.values())).get('machine')}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
