"""Links people paste: Loom walkthroughs, Zoom meetings, and plain web links.

Only http(s) addresses are accepted, so a `javascript:` or `data:` link can never reach a page.
Nothing is fetched: a link is recognised by its address alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

LinkKind = Literal["loom", "zoom", "link"]

_LOOM_PATH = re.compile(r"^/(share|embed)/([0-9a-f]{32})/?$", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"\b[a-z][a-z0-9+.\-]*://[^\s<>\"']+", re.IGNORECASE)


class LinkRefused(ValueError):
    pass


@dataclass(frozen=True)
class Link:
    url: str
    kind: LinkKind
    video_id: str | None = None


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _is_host(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def check_url(url: str) -> str:
    """A web address that is safe to show as a link; anything else is refused."""
    url = url.strip()
    if not url:
        raise LinkRefused("Paste a link.")
    if len(url) > 500:
        raise LinkRefused("That link is too long.")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unclosed "[" of an IPv6 host
        raise LinkRefused("That does not look like a web address.") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise LinkRefused("Only web links (http or https) can be added.")
    if not parts.hostname or any(c.isspace() for c in url):
        raise LinkRefused("That does not look like a web address.")
    return url


def classify(url: str) -> Link:
    url = check_url(url)
    host, path = _host(url), urlsplit(url).path
    if _is_host(host, "loom.com") and (m := _LOOM_PATH.match(path)):
        return Link(url=url, kind="loom", video_id=m.group(2).lower())
    if _is_host(host, "zoom.us") or _is_host(host, "zoom.com"):
        return Link(url=url, kind="zoom")
    return Link(url=url, kind="link")


def check_zoom_url(url: str) -> str:
    link = classify(url)
    if link.kind != "zoom" or urlsplit(link.url).scheme != "https":
        raise LinkRefused("Give the Zoom meeting link (https://...zoom.us/j/...).")
    return link.url


@dataclass(frozen=True)
class Segment:
    text: str
    kind: Literal["text", "loom", "link"]


def split_links(text: str) -> list[Segment]:
    """Text cut into plain parts and link parts, for rendering links safely in messages.

    Addresses with a scheme other than http(s) stay plain text.
    """
    out: list[Segment] = []
    pos = 0
    for m in _URL_IN_TEXT.finditer(text):
        raw = m.group(0).rstrip(".,;:!?)")
        try:
            link = classify(raw)
        except LinkRefused:
            continue
        if m.start() > pos:
            out.append(Segment(text[pos : m.start()], "text"))
        out.append(Segment(link.url, "loom" if link.kind == "loom" else "link"))
        pos = m.start() + len(raw)
    if pos < len(text):
        out.append(Segment(text[pos:], "text"))
    return out


def link_segments(text: str) -> list[dict[str, str]]:
    """`split_links` as plain view data a page can render without parsing anything itself."""
    return [{"kind": s.kind, "text": s.text} for s in split_links(text)]
