"""The layers stay apart: screens and Reflex states hold no transactions and no queries.

Each use case is a service that commits its own unit of work; a state calls it through
`state.session.in_db`, and pages and components draw only what a state holds. This check
reads the source (no import needed), so a commit, a query or a database import that comes
back into `state/`, `realtime/`, `pages/` or `components/` fails here with its file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "support_portal"
# What only services and jobs may touch: the ORM, the engine and the tables.
DATABASE_MODULES = ("sqlmodel", "sqlalchemy", "support_portal.models", "support_portal.db")
# Screens read view data from states; they reach no use case or rule of their own.
SCREEN_MODULES = (*DATABASE_MODULES, "support_portal.services")
# Calls that run SQL or end a transaction, whatever they are called on.
UNIT_OF_WORK_CALLS = {"commit", "flush", "rollback", "exec", "query", "scalars"}
# Calls that read or write rows when made on a session (a Redis pipeline also `execute`s).
SESSION_CALLS = {"get", "add", "add_all", "delete", "refresh", "merge", "scalar", "execute"}
SESSION_NAMES = {"s", "session", "db", "uow"}

FOLDERS = {
    "state": DATABASE_MODULES,
    "realtime": DATABASE_MODULES,
    "pages": SCREEN_MODULES,
    "components": SCREEN_MODULES,
}


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [node.module]
    return []


def problems_in(source: str, *, forbidden: tuple[str, ...], where: str = "<source>") -> list[str]:
    """Every import of `forbidden`, transaction or query call, and invented principal."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = f"{where}:{getattr(node, 'lineno', 0)}"
        for module in _imported(node):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                found.append(f"{line} imports {module}")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            receiver = func.value.id if isinstance(func.value, ast.Name) else ""
            if func.attr in UNIT_OF_WORK_CALLS:
                found.append(f"{line} calls .{func.attr}()")
            elif func.attr in SESSION_CALLS and receiver in SESSION_NAMES:
                found.append(f"{line} calls {receiver}.{func.attr}()")
        elif isinstance(func, ast.Name) and func.id == "Principal":
            # Who acts comes from the signed-in session, never from a principal made up here.
            found.append(f"{line} builds a Principal")
    return found


def _files() -> list[tuple[Path, tuple[str, ...]]]:
    return [
        (path, forbidden)
        for folder, forbidden in FOLDERS.items()
        for path in sorted((ROOT / folder).rglob("*.py"))
    ]


@pytest.mark.parametrize(
    ("path", "forbidden"),
    _files(),
    ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path) else "",
)
def test_states_and_screens_hold_no_transaction_no_query_and_no_database_import(path, forbidden):
    where = str(path.relative_to(ROOT.parent))
    assert problems_in(path.read_text(), forbidden=forbidden, where=where) == []


def test_the_check_catches_a_state_that_commits_and_queries_itself():
    offending = """
from sqlmodel import select
from support_portal.models import Ticket
from support_portal.services.authz import Principal


async def handler(self):
    def work(s):
        ticket = s.get(Ticket, 1)
        rows = s.exec(select(Ticket)).all()
        s.commit()
    viewer = Principal(user_id=None, role="manager", organization_id=None)
"""
    found = problems_in(offending, forbidden=DATABASE_MODULES)
    assert sorted(p.split(" ", 1)[1] for p in found) == [
        "builds a Principal",
        "calls .commit()",
        "calls .exec()",
        "calls s.get()",
        "imports sqlmodel",
        "imports support_portal.models",
    ]


def test_the_check_catches_a_page_that_reaches_into_the_services():
    page = "from support_portal.services.reports import CHARTS\n"
    assert problems_in(page, forbidden=SCREEN_MODULES) == [
        "<source>:1 imports support_portal.services.reports"
    ]
    assert problems_in(page, forbidden=DATABASE_MODULES) == []


def test_the_check_reads_every_folder_it_guards():
    folders = {path.relative_to(ROOT).parts[0] for path, _ in _files()}
    assert folders == set(FOLDERS)


def _functions_of(package: str) -> list[tuple[str, object]]:
    import importlib
    import inspect
    import pkgutil

    pkg = importlib.import_module(package)
    found = []
    for info in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"{package}.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__:
                found.append((f"{info.name}.{name}", fn))
    return found


def test_every_service_and_job_takes_the_time_from_its_caller():
    """`now` is a required argument, so a test moves the clock by passing it, and no rule
    reads the wall clock behind its caller's back."""
    import inspect

    defaulted = [
        name
        for package in ("support_portal.services", "support_portal.jobs")
        for name, fn in _functions_of(package)
        if (param := inspect.signature(fn).parameters.get("now")) is not None  # type: ignore[arg-type]
        and param.default is not inspect.Parameter.empty
    ]
    assert defaulted == []


def test_only_the_job_runner_reads_the_wall_clock_below_the_entry_points():
    readers = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for folder in ("services", "jobs", "domain", "notify")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "runner.py"  # the jobs' entry point: it passes the time to every job
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name | ast.Attribute)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None))
        in ("utcnow", "now", "today")
    ]
    assert readers == []
