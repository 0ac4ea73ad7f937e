"""Message templates in files: `templates/<kind>.subject|txt|html|sms`.

Text and SMS are rendered without escaping; HTML with autoescape, so a ticket title with
markup in it arrives as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
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
        # The templates ship with the code: checking each file's mtime on every render
        # (Jinja's default) costs a stat per template on the ticket-creation path.
        auto_reload=False,
    )


@cache
def _template(name: str) -> Template:
    return _env().get_template(name)


def known_kinds() -> set[str]:
    return {p.name.split(".")[0] for p in TEMPLATE_DIR.glob("*.txt")}


class LazyRendering:
    """One kind and context, each form rendered on first use and only once.

    An email row needs subject, text and HTML; an SMS row subject and SMS. A person who gets
    both shares one instance, so nothing is rendered twice.
    """

    def __init__(self, kind: str, context: dict[str, Any]) -> None:
        self.kind = kind
        self.context = context

    @cached_property
    def subject(self) -> str:
        return _template(f"{self.kind}.subject").render(self.context).strip()

    @cached_property
    def text(self) -> str:
        return _template(f"{self.kind}.txt").render(self.context).strip() + "\n"

    @cached_property
    def html(self) -> str:
        # The kind's HTML comes from an autoescaping template, so its values are already
        # escaped; escaping it again in the layout would show its own tags to the reader as text.
        body = Markup(_template(f"{self.kind}.html").render(self.context))  # noqa: S704
        return _template("layout.html").render(body=body, subject=self.subject)

    @cached_property
    def sms(self) -> str:
        sms = " ".join(_template(f"{self.kind}.sms").render(self.context).split())
        return sms[:SMS_MAX]


def render(kind: str, context: dict[str, Any]) -> Rendered:
    r = LazyRendering(kind, context)
    return Rendered(r.subject, r.text, r.html, r.sms)
