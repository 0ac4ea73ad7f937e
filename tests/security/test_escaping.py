"""Script and HTML typed into any text field arrive in notification emails as text.

Titles, bodies, names and reasons are written by clients, agents and outside tools; every HTML
email escapes them exactly once, so the reader sees the characters and no mail client runs them.
"""

from __future__ import annotations

import pytest
from jinja2 import meta
from sqlmodel import select

from support_portal.clock import utcnow
from support_portal.models import Notification
from support_portal.notify.templates import TEMPLATE_DIR, _env, known_kinds, render
from support_portal.services import tickets
from support_portal.testkit.factories import good_draft, make_org, make_user, principal

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = "<script>window.__xss=1</script>"
PAYLOAD = f"Title {IMG} {SCRIPT}"


def _context_of_payloads(kind: str) -> dict[str, object]:
    env = _env()
    names: set[str] = set()
    for suffix in ("subject", "txt", "html", "sms"):
        source = (TEMPLATE_DIR / f"{kind}.{suffix}").read_text()
        names |= meta.find_undeclared_variables(env.parse(source))
    return {name: PAYLOAD for name in names}


def test_html_templates_are_autoescaped_and_text_ones_are_not():
    env = _env()
    assert env.autoescape("public_update.html") is True
    assert env.autoescape("public_update.txt") is False


@pytest.mark.parametrize("kind", sorted(known_kinds()))
def test_every_html_email_shows_markup_in_its_values_as_text(kind):
    html = render(kind, _context_of_payloads(kind)).html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    # Escaped once: a reader sees "<script>", not "&lt;script&gt;".
    assert "&amp;lt;" not in html


@pytest.mark.parametrize("kind", sorted(known_kinds()))
def test_the_templates_own_markup_stays_markup(kind):
    html = render(kind, _context_of_payloads(kind)).html
    body = html.split("<body", 1)[1]
    assert "&lt;p&gt;" not in body and "&lt;a " not in body


def test_a_ticket_titled_with_script_is_mailed_as_text(session):
    org = make_org(session)
    client = make_user(session, "client", organization=org, name=f"Mallory {IMG}")
    agent = make_user(session, "agent")
    ticket = tickets.create_ticket(
        session=session,
        principal=principal(agent),
        draft=good_draft(title=f"Broken {SCRIPT}"),
        organization_id=org.id,
        requester_id=client.id,
        now=utcnow(),
    )
    tickets.post_update(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        body=f"Update {IMG}",
        now=utcnow(),
    )
    rows = session.exec(select(Notification).where(Notification.channel == "email")).all()
    assert rows, "the ticket queued no email"
    for row in rows:
        assert "<script" not in row.body_html and "<img" not in row.body_html
    mailed = "\n".join(r.body_html for r in rows)
    assert "Broken &lt;script&gt;" in mailed
    assert "Update &lt;img src=x onerror=window.__xss=1&gt;" in mailed
