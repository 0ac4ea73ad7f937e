"""The providers' published OpenAPI specs served by Stoplight Prism, for the contract tests and
the outbox benchmark.

Prism runs with `--errors`, so a request that breaks the spec gets an error instead of a mock
answer. The `*_spec_with_errors` copies add the responses the providers document but the specs
lack (Twilio 400 with codes 21211/21610, 429 and 500; SendGrid 429 and `X-Message-Id`), chosen per
request with Prism's `Prefer: code=..., example=...` header.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from support_portal.testkit.live_app import free_port

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / ".tools" / "node_modules" / ".bin" / "prism"
TWILIO_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
ACCOUNT = "AC" + "a" * 32


def _contracts_dir() -> Path:
    # The specs sit beside the checkout (../shared/contracts), or a level up from a worktree.
    if explicit := os.environ.get("CONTRACTS_DIR"):
        return Path(explicit)
    candidates = (ROOT.parent / "shared" / "contracts", ROOT.parents[1] / "shared" / "contracts")
    return next((c for c in candidates if c.is_dir()), candidates[0])


CONTRACTS = _contracts_dir()


def _twilio_error(status: int, code: int, message: str) -> dict:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def twilio_spec_with_errors() -> dict:
    spec = json.loads((CONTRACTS / "twilio_api_v2010.json").read_text())
    responses = spec["paths"][TWILIO_PATH]["post"]["responses"]
    error_schema = {
        "type": "object",
        "properties": {
            "code": {"type": "integer"},
            "message": {"type": "string"},
            "more_info": {"type": "string"},
            "status": {"type": "integer"},
        },
    }

    def error(status: int, examples: dict[str, dict]) -> dict:
        return {
            "description": f"Error {status}",
            "content": {
                "application/json": {
                    "schema": error_schema,
                    "examples": {k: {"value": v} for k, v in examples.items()},
                }
            },
        }

    responses["400"] = error(
        400,
        {
            "invalid_number": _twilio_error(400, 21211, "The 'To' number is not a valid number."),
            "unsubscribed": _twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"),
        },
    )
    responses["429"] = error(429, {"too_many": _twilio_error(429, 20429, "Too Many Requests")})
    responses["500"] = error(500, {"internal": _twilio_error(500, 20500, "Internal Server Error")})
    return spec


def sendgrid_spec_with_errors() -> dict:
    spec = json.loads((CONTRACTS / "tsg_mail_v3.json").read_text())
    post = spec["paths"]["/v3/mail/send"]["post"]
    post["responses"]["202"] = {
        "description": "Accepted",
        "headers": {
            "X-Message-Id": {"schema": {"type": "string"}, "example": "W1bCRUMxRyeyLo0Y3aYJWA"}
        },
    }
    limited = copy.deepcopy(spec["components"]["responses"]["PostMailSend500"])
    limited["description"] = "Too many requests"
    post["responses"]["429"] = limited
    return spec


def serve(prism: Path, spec: dict, tmp: Path, name: str) -> Iterator[str]:
    """Prism serving `spec` on a free port: yields its URL, stops it (and its fork) after."""
    path = tmp / name
    path.write_text(json.dumps(spec))
    port = free_port()
    log = open(tmp / f"{name}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(prism), "mock", "--errors", "-h", "127.0.0.1", "-p", str(port), str(path)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
        # Prism forks the server it runs: a group of its own lets the whole of it be stopped.
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError((tmp / f"{name}.log").read_text()[-3000:])
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("Prism did not start: " + (tmp / f"{name}.log").read_text())
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        log.close()
