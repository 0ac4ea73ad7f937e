"""The real app, started once per test session on a free port with its own database,
and Chromium driven by Playwright. Console output and websocket frames of every page are
recorded and written next to a failing test's report."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support_portal.testkit import live_app

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "test-results"
DEMO_PASSWORD = "demo-password"

# Settings of the app under test: short thresholds so tests see what hours would show.
APP_ENV = {
    "CHAT_ESCALATION_MINUTES": "0.1",
    "JOBS_INTERVAL_SECONDS": "1",
    "LOGIN_MAX_FAILURES": "50",
    # Twilio webhooks are accepted when signed with this token (no SMS is sent: no account).
    "TWILIO_AUTH_TOKEN": "twilio-auth-token-for-browser-tests",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _chromium() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {
        **browser_type_launch_args,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ],
    }
    if path := _chromium():
        args["executable_path"] = path
    return args


@pytest.fixture(scope="session")
def app_env(tmp_path_factory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("app")
    env = {
        **os.environ,
        "DB_URL": f"sqlite:///{tmp / 'e2e.db'}",
        "DATA_DIR": str(tmp / "data"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        **APP_ENV,
    }
    # The app under test runs embedded (in-memory state) unless a test sets otherwise.
    for key in ("REDIS_URL", "REFLEX_REDIS_URL", "REFLEX_DB_URL"):
        env.pop(key, None)
    return env


@pytest.fixture(scope="session")
def app_url(app_env, tmp_path_factory) -> Iterator[str]:
    # `python -m` runs this checkout's code even when another one is installed in the venv.
    cli = [sys.executable, "-m", "support_portal.cli"]
    subprocess.run([*cli, "migrate"], env=app_env, check=True, cwd=ROOT, capture_output=True)
    subprocess.run([*cli, "seed-demo"], env=app_env, check=True, cwd=ROOT, capture_output=True)
    log_path = tmp_path_factory.mktemp("logs") / "reflex.log"
    with live_app.backend(app_env, log_path, frontend=True) as url:
        yield url


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def new_page(browser, app_url, request):
    """Open a fresh, isolated browser (own cookies) whose console and websocket are recorded."""
    contexts = []
    logs: list[str] = []

    def open_page(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=app_url)
        contexts.append(context)
        page = context.new_page()
        tag = f"page{len(contexts)}"
        page.on("console", lambda m: logs.append(f"[{tag} console {m.type}] {m.text}"))
        page.on("pageerror", lambda e: logs.append(f"[{tag} pageerror] {e}"))

        def on_ws(ws):
            ws.on("framesent", lambda p: logs.append(f"[{tag} ws >] {str(p)[:500]}"))
            ws.on("framereceived", lambda p: logs.append(f"[{tag} ws <] {str(p)[:500]}"))

        page.on("websocket", on_ws)
        page.set_default_timeout(15_000)
        return page

    yield open_page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        out = RESULTS / request.node.name.replace("/", "_")
        out.mkdir(parents=True, exist_ok=True)
        (out / "browser.log").write_text("\n".join(logs))
        for i, context in enumerate(contexts):
            for j, page in enumerate(context.pages):
                # A page that already closed has nothing to show.
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(out / f"context{i}-page{j}.png"), full_page=True)
    for context in contexts:
        context.close()


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
