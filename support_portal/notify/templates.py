"""Message templates in files: `templates/<kind>.subject|txt|html|sms`.

Text and SMS are rendered without escaping; HTML with autoescape, so a ticket title with
markup in it arrives as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

TEMPLATE_DIR = Path(__file__).parent / "templates"
SMS_MAX = 320


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


def known_kinds() -> set[str]:
    return {p.name.split(".")[0] for p in TEMPLATE_DIR.glob("*.txt")}


def render(kind: str, context: dict[str, Any]) -> Rendered:
    env = _env()
    subject = env.get_template(f"{kind}.subject").render(context).strip()
    text = env.get_template(f"{kind}.txt").render(context).strip() + "\n"
    # The kind's HTML comes from an autoescaping template, so its values are already
    # escaped; escaping it again in the layout would show its own tags to the reader as text.
    body = Markup(env.get_template(f"{kind}.html").render(context))  # noqa: S704
    html = env.get_template("layout.html").render(body=body, subject=subject)
    sms = " ".join(env.get_template(f"{kind}.sms").render(context).split())
    return Rendered(subject, text, html, sms[:SMS_MAX])
