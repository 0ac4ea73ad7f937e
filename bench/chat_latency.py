"""Chat delivery latency over real websockets, beside the app's own floor.

Starts the real backend (`reflex run --env prod --backend-only`) on a free port with its own
database, opens N client/agent pairs as socket clients speaking Reflex's protocol (see
testkit/live_app.py), has each client start a chat and each agent accept it through the live
queue, then lets them talk for BENCH_CHAT_SECONDS. Latency: from a send until the message is
in the other side's state update. Floor: the round trip of a trivial event (a text setter) on
the same server, so the ratio shows the chat's own overhead.

Target: p95 under 100 ms with 50 concurrent chats. SQLite by default; BENCH_DATABASE_URL
(PostgreSQL) and BENCH_REDIS_URL measure the scaled-out configuration.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from support_portal.testkit import live_app

N = int(os.environ.get("BENCH_CHATS", "50"))
SECONDS = float(os.environ.get("BENCH_CHAT_SECONDS", "30"))


def main() -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp())
    db_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/chat.db"
    extra = {"DATA_DIR": str(tmp / "data")}
    if redis := os.environ.get("BENCH_REDIS_URL"):
        extra["REDIS_URL"] = redis
    env = live_app.app_env(db_url, **extra)
    live_app.migrate(env)
    pairs = live_app.seed_pairs(db_url, N, prefix="bench")
    log = tmp / "reflex.log"
    with live_app.backend(env, log) as url:
        result = asyncio.run(live_app.run_chats(pairs, [url], [url], SECONDS))
    lat = [x * 1000 for x in result.latencies]
    floor = [x * 1000 for x in result.floor]

    def pct(values: list[float], q: float) -> float:
        return round(live_app.percentile(values, q), 1)

    figures: dict[str, object] = {
        "chats": N,
        "seconds": round(result.seconds, 1),
        "messages": len(result.sent),
        "undelivered": len(result.undelivered),
        "consoles_with_stale_queue": result.stale_queues,
        "messages_per_second": round(len(result.sent) / result.seconds, 1),
        "p50_ms": pct(lat, 0.5),
        "p95_ms": pct(lat, 0.95),
        "p99_ms": pct(lat, 0.99),
        "floor_p50_ms": pct(floor, 0.5),
        "floor_p95_ms": pct(floor, 0.95),
        "floor_p99_ms": pct(floor, 0.99),
        "ratio_p50": round(pct(lat, 0.5) / max(pct(floor, 0.5), 0.1), 1),
        "target_p95_ms": 100,
        "database": db_url.split(":", 1)[0],
        "state_manager": "redis" if redis else "memory",
    }
    return figures


if __name__ == "__main__":
    from bench.results import record

    figures = main()
    # The scaled-out configuration is kept beside the default one, not over it.
    record("chat_latency_redis" if figures["state_manager"] == "redis" else "chat_latency", figures)
    print(figures)
