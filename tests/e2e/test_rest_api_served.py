"""The REST API is served by the running app, beside the Reflex pages, on the same port."""

from __future__ import annotations

import subprocess
import sys

import httpx

from support_portal.api.schemas import EXAMPLE_TICKET
from tests.e2e.conftest import ROOT


def test_an_outside_tool_creates_and_reads_a_ticket_on_the_running_app(app_url, app_env):
    created_key = subprocess.run(
        [
            sys.executable,
            "-m",
            "support_portal.cli",
            "create-api-key",
            "Front chat",
            "--manager",
            "manager@agency.example",
        ],
        env=app_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    key = created_key.stdout.strip().splitlines()[-1]

    assert httpx.get(f"{app_url}/api/v1/health").json() == {"status": "ok"}
    refused = httpx.post(f"{app_url}/api/v1/tickets", json=EXAMPLE_TICKET)
    assert refused.status_code == 401

    created = httpx.post(
        f"{app_url}/api/v1/tickets", json=EXAMPLE_TICKET, headers={"X-API-Key": key}
    )
    assert created.status_code == 201, created.text
    ticket = httpx.get(
        f"{app_url}{created.json()['url']}", headers={"Authorization": f"Bearer {key}"}
    ).json()
    assert ticket["organization"] == "Bright Smiles Dental" and ticket["source"] == "api"
