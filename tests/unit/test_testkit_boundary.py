"""Who may import whom around the test kit: the app never imports support_portal.testkit (a
deployed portal carries no factories or mocks in its import graph), and the benchmarks run
from the kit alone, without the tests package on the path."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "support_portal"
KIT = APP / "testkit"
BENCH = ROOT / "bench"


def _package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts if parts[-1] == "__init__" else parts[:-1]).removesuffix(".__init__")


def imported_modules(source: str, package: str) -> set[str]:
    """Every module some code imports, at any depth, relative imports resolved from `package`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def imports_of(path: Path) -> set[str]:
    return imported_modules(path.read_text(), _package_of(path))


def _reaches(modules: set[str], target: str) -> list[str]:
    return sorted(m for m in modules if m == target or m.startswith(f"{target}."))


def test_no_app_module_imports_the_test_kit() -> None:
    offenders = {
        str(path.relative_to(ROOT)): hits
        for path in sorted(APP.rglob("*.py"))
        if KIT not in path.parents
        if (hits := _reaches(imports_of(path), "support_portal.testkit"))
    }
    assert offenders == {}, f"app modules importing the test kit: {offenders}"


def test_the_boundary_check_sees_relative_and_nested_imports() -> None:
    # The check above is only as good as its reading of imports: prove it on the forms a
    # slip would take (a relative import inside a function, a plain one, a from-package one).
    sample = (
        "def f():\n"
        "    from ..testkit import factories\n"
        "import support_portal.testkit.files\n"
        "from support_portal.testkit.live_app import free_port\n"
    )
    modules = imported_modules(sample, "support_portal.services")
    assert _reaches(modules, "support_portal.testkit") == [
        "support_portal.testkit",
        "support_portal.testkit.factories",
        "support_portal.testkit.files",
        "support_portal.testkit.live_app",
        "support_portal.testkit.live_app.free_port",
    ]


def test_loading_the_app_loads_nothing_of_the_test_kit() -> None:
    code = (
        "import sys\n"
        "import support_portal.support_portal\n"
        "print(sorted(m for m in sys.modules if m.startswith('support_portal.testkit')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_no_benchmark_imports_the_tests_package() -> None:
    offenders = {
        path.name: hits
        for path in sorted(BENCH.glob("*.py"))
        if (hits := _reaches(imports_of(path), "tests"))
    }
    assert offenders == {}, f"benchmarks importing tests/: {offenders}"


def test_every_benchmark_module_imports_with_the_tests_package_out_of_reach() -> None:
    names = sorted(p.stem for p in BENCH.glob("*.py") if p.stem not in {"__main__"})
    code = (
        "import importlib, importlib.abc, sys\n"
        "class NoTests(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'tests' or name.startswith('tests.'):\n"
        "            raise ImportError(f'benchmarks must not need {name}')\n"
        "sys.meta_path.insert(0, NoTests())\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(f'bench.{name}')\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok")


def test_no_test_skips_for_want_of_a_module_that_exists_under_another_name() -> None:
    # `pytest.importorskip("tests.live_app")` skipped quietly once the driver moved into the
    # kit: a skip on a module name must name a module that is there.
    import importlib.util

    missing = {}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "importorskip"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and importlib.util.find_spec(node.args[0].value) is None
            ):
                missing[str(path.relative_to(ROOT))] = node.args[0].value
    assert missing == {}, f"skips waiting for modules that are not there: {missing}"


MOVED = {
    "tests.factories": "support_portal.testkit.factories",
    "tests.files": "support_portal.testkit.files",
    "tests.live_app": "support_portal.testkit.live_app",
    "tests.synthetic": "support_portal.testkit.synthetic",
}


def test_tests_import_the_shared_helpers_from_the_kit() -> None:
    stale = {
        str(path.relative_to(ROOT)): [f"{m} -> {MOVED[m]}" for m in hits]
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if (hits := sorted(set(MOVED) & imports_of(path)))
    }
    assert stale == {}, f"imports of helpers that live in the kit now: {stale}"
