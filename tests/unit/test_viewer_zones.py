"""A person reads one time everywhere: their own zone, else their organization's, else the
fallback; a stored name that is not a real zone is passed over, never an error."""

from __future__ import annotations

from datetime import datetime

from support_portal.domain.zones import viewer_zone
from support_portal.services import client_views, escalations, notifications
from support_portal.testkit.factories import make_org, make_ticket, make_user, principal


def test_the_first_real_zone_wins_and_a_broken_one_is_passed_over():
    assert viewer_zone("Europe/Paris", "Asia/Tokyo") == "Europe/Paris"
    assert viewer_zone(None, "Asia/Tokyo") == "Asia/Tokyo"
    assert viewer_zone("Mars/Olympus_Mons", "Asia/Tokyo") == "Asia/Tokyo"
    assert viewer_zone("", None, fallback="America/New_York") == "America/New_York"


def test_a_client_whose_own_zone_is_broken_reads_every_time_in_their_organizations(session, clock):
    org = make_org(session, timezone="Australia/Sydney")
    client = make_user(session, "client", organization=org)
    client.timezone = "Mars/Olympus_Mons"  # an old import wrote a name no zone has
    agent = make_user(session, "agent")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock())
    escalations.schedule_zoom(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        meeting_url="https://zoom.us/j/81234567890",
        local_time=datetime(2026, 3, 5, 9, 30),
        attendees="Mia, Alex",
        now=clock(),
    )
    session.commit()

    [team_view] = escalations.escalation_views(
        session=session, principal=principal(agent), ticket=ticket
    )
    assert team_view["client_time"] == "Thu 05 Mar 2026, 09:30 AEDT"
    page = client_views.ticket_view(
        session=session, principal=principal(client), number=ticket.number, now=clock()
    )
    [zoom] = [i for i in page.items if i.kind == "zoom_scheduled"]
    assert "Thu 05 Mar 2026, 09:30 AEDT" in zoom.headline
    context = notifications.ticket_context(session, ticket, recipient=client, for_client=True)
    assert context["first_response_due"].endswith("AEDT")
