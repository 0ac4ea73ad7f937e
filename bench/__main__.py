"""`python -m bench` (`make bench`): runs every benchmark module in this folder.

Each module has `main(argv)` and merges its figures into bench/results.json.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

for path in sorted(Path(__file__).parent.glob("*.py")):
    if path.stem.startswith("_"):
        continue
    print(f"== {path.stem}")
    importlib.import_module(f"bench.{path.stem}").main([])
