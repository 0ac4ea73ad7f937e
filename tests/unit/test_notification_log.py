"""What managers see of the outbox."""

from __future__ import annotations

import pytest

from support_portal.notify.channels import PermanentFailure, RecordingChannel
from support_portal.notify.dispatcher import dispatch_due
from support_portal.services.errors import Forbidden
from support_portal.services.notification_log import recent_notifications
from support_portal.testkit.factories import make_ticket, make_user, principal


def test_a_manager_sees_each_notification_with_its_ticket_status_and_error(session, clock):
    manager = make_user(session, "manager")
    client = make_user(session, "client", phone="+14155552671", notify_sms=True)
    ticket = make_ticket(session, requester=client, now=clock.now)
    session.commit()
    sms = RecordingChannel("sms", fail_always=PermanentFailure(21211, "invalid number"))
    dispatch_due(session, now=clock.now, channels={"email": RecordingChannel(), "sms": sms})
    lines = recent_notifications(session=session, principal=principal(manager))
    assert {line.ticket_number for line in lines} == {f"#{ticket.number}"}
    failed = [line for line in lines if line.channel == "sms"]
    assert failed[0].status == "failed" and "invalid number" in failed[0].last_error
    assert all(line.provider_message_id for line in lines if line.status == "sent")
    only_failed = recent_notifications(
        session=session, principal=principal(manager), status="failed"
    )
    assert [line.channel for line in only_failed] == ["sms"]


@pytest.mark.parametrize("role", ["agent", "client"])
def test_nobody_but_a_manager_may_see_the_notification_log(session, role):
    with pytest.raises(Forbidden):
        recent_notifications(session=session, principal=principal(make_user(session, role)))
