"""Which Reflex state manager the app runs: memory when embedded, Redis when REDIS_URL is set.

A plain REDIS_URL is ignored by Reflex itself; rxconfig.py must hand it over, or several
workers would silently live in separate worlds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL")

PROBE = (
    "import rxconfig\n"
    "from reflex.istate.manager import StateManager\n"
    "print(type(StateManager.create()).__name__)\n"
)


def _manager(env_extra: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if "REDIS" not in k}
    env.update(env_extra)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def test_without_redis_the_app_keeps_state_in_memory():
    assert _manager({}) == "StateManagerMemory"


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
def test_with_redis_url_the_app_shares_state_through_redis():
    assert _manager({"REDIS_URL": REDIS_URL}) == "StateManagerRedis"


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
def test_with_redis_a_worker_holds_a_tabs_lock_briefly_unless_told_otherwise():
    probe = (
        "import rxconfig\n"
        "from reflex.istate.manager import StateManager\n"
        "m = StateManager.create()\n"
        "print(m._oplock_enabled, m.oplock_hold_time_ms)\n"
    )
    env = {k: v for k, v in os.environ.items() if "REDIS" not in k and "OPLOCK" not in k}
    env["REDIS_URL"] = REDIS_URL

    def run(extra: dict[str, str]) -> str:
        out = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=ROOT,
            env={**env, **extra},
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip().splitlines()[-1]

    assert run({}) == "True 5000"
    assert run({"REFLEX_OPLOCK_ENABLED": "false"}).startswith("False")
