"""Browser tests find controls as a person does, by role and name, and wait on what they expect
to see: a CSS class is the styling library's detail (it changes with a theme upgrade) and a
fixed pause is either too short on a busy machine or wasted time on an idle one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

E2E = Path(__file__).resolve().parents[1] / "e2e"

# Playwright calls that take a selector string.
SELECTOR_CALLS = {"locator", "query_selector", "query_selector_all", "wait_for_selector"}
# Calls that pause for a fixed time instead of waiting for a condition.
PAUSES = {"wait_for_timeout", "sleep"}
# A class in a CSS selector: `.name` (not inside a quoted attribute value), or [class...].
_QUOTED = re.compile(r"""'[^']*'|"[^"]*\"""")
_CLASS = re.compile(r"(?:^|[\s>+~,(\w\])])\.-?[A-Za-z_][\w-]*|\[\s*class\b")


def uses_a_class(selector: str) -> bool:
    return bool(_CLASS.search(_QUOTED.sub("''", selector)))


def problems_in(source: str, filename: str = "<test>") -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        # `asyncio.sleep(0)` yields to the event loop once; it waits for nothing.
        yields = name == "sleep" and [ast.dump(a) for a in node.args] == [ast.dump(ast.Constant(0))]
        if name in PAUSES and not yields:
            found.append(f"{filename}:{node.lineno}: {name}() pauses; wait on a condition")
        first = node.args[0] if node.args else None
        if (
            name in SELECTOR_CALLS
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and uses_a_class(first.value)
        ):
            found.append(
                f"{filename}:{node.lineno}: {name}({first.value!r}) finds by CSS class;"
                " use get_by_role/get_by_label with a name"
            )
    return found


def test_no_browser_test_finds_by_css_class_or_pauses() -> None:
    found = [
        problem
        for path in sorted(E2E.rglob("*.py"))
        for problem in problems_in(path.read_text(), str(path.relative_to(E2E.parent)))
    ]
    assert found == [], "\n".join(found)


def test_the_scan_catches_each_form_it_forbids() -> None:
    sample = "\n".join(
        [
            "page.wait_for_timeout(500)",
            "time.sleep(1)",
            'page.locator(".rt-Card")',
            "page.locator('div.recharts-surface')",
            "card.locator(\"[class*='Card']\")",
            'page.query_selector("ol > li.item")',
        ]
    )
    assert len(problems_in(sample)) == 6


def test_the_scan_lets_roles_names_and_attribute_values_through() -> None:
    sample = "\n".join(
        [
            'page.get_by_role("button", name="Sign in.")',
            "timeline.locator(\"a[href^='javascript']\")",
            "page.locator(\"img[src='x.png']\")",
            'page.locator("ol time[data-ticks]")',
            'page.locator("#convert-screenshots input[type=file]")',
            'select.locator("option:checked")',
            "await asyncio.sleep(0)",
        ]
    )
    assert problems_in(sample) == []
