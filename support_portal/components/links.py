"""Text with links in it, rendered from segments the server computed (domain.links).

The page never parses text: a segment is a Loom walkthrough, a plain web link, or text.
Links open in a new tab and nothing is fetched from them.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

NEW_TAB = {"target": "_blank", "rel": "noopener noreferrer"}


def external_link(text: Any, href: Any, **props: Any) -> rx.Component:
    return rx.el.a(text, href=href, **NEW_TAB, **props)


def walkthrough_chip(url: Any, title: Any) -> rx.Component:
    return rx.badge(
        rx.icon("video", size=14),
        external_link(title, url, aria_label="Walkthrough: " + title.to(str)),
        color_scheme="violet",
        variant="soft",
        class_name="walkthrough",
    )


def _segment(seg: Any) -> rx.Component:
    return rx.match(
        seg["kind"],
        ("loom", walkthrough_chip(seg["text"], seg["text"])),
        ("link", external_link(seg["text"], seg["text"], class_name="plain-link")),
        rx.el.span(seg["text"]),
    )


def rich_text(segments: Any, **props: Any) -> rx.Component:
    """Segments as one paragraph: text stays text, http(s) links become links."""
    return rx.text(
        rx.foreach(segments.to(list[dict[str, str]]), _segment),
        size="2",
        white_space="pre-wrap",
        **props,
    )
