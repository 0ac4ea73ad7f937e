"""The outbox dispatcher with a recording fake channel, on SQLite (and PostgreSQL if set)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from support_portal import db as db_module
from support_portal.models import Notification, TicketEvent, User
from support_portal.notify.channels import PermanentFailure, RecordingChannel, TemporaryFailure
from support_portal.notify.dispatcher import LEASE, backoff, claim_due, dispatch_due
from support_portal.testkit.factories import make_ticket, make_user
from tests.conftest import PG_URL


def channels(**kw):
    return {"email": RecordingChannel("email", **kw), "sms": RecordingChannel("sms")}


def rows(session: Session) -> list[Notification]:
    session.expire_all()
    return list(session.exec(select(Notification).order_by(Notification.id)).all())


@pytest.fixture
def ticket(session, clock):
    client = make_user(session, "client", phone="+14155552671", notify_sms=True)
    t = make_ticket(session, requester=client, now=clock.now)
    session.commit()
    return t


def test_each_due_notification_is_sent_once_and_keeps_the_provider_id(session, clock, ticket):
    ch = channels()
    handled = dispatch_due(session, now=clock.now, channels=ch)
    assert handled == len(rows(session)) == 3  # team email, client email, client SMS
    assert all(r.status == "sent" and r.provider_message_id for r in rows(session))
    assert dispatch_due(session, now=clock.advance(hours=1), channels=ch) == 0
    assert len(ch["email"].sent) == 2 and len(ch["sms"].sent) == 1


def test_client_emails_carry_the_tickets_reply_address(session, clock, ticket, settings_env):
    settings_env(INBOUND_EMAIL_DOMAIN="in.example.com")
    ch = channels()
    dispatch_due(session, now=clock.now, channels=ch)
    assert {m.reply_to for m in ch["email"].sent} == {f"reply+{ticket.reply_token}@in.example.com"}


def test_a_temporary_failure_is_retried_later_with_backoff(session, clock, ticket):
    ch = channels(fail_always=TemporaryFailure("HTTP 429: slow down"))
    dispatch_due(session, now=clock.now, channels=ch)
    emails = [r for r in rows(session) if r.channel == "email"]
    assert all(r.status == "pending" and r.attempts == 1 for r in emails)
    assert all(r.next_attempt_at > clock.now for r in emails)
    assert "429" in emails[0].last_error
    # Not due yet: nothing is tried again at once.
    assert dispatch_due(session, now=clock.now + timedelta(seconds=1), channels=ch) == 0
    ch["email"].fail_always = None
    dispatch_due(session, now=clock.advance(minutes=2), channels=ch)
    assert [r.status for r in rows(session)] == ["sent"] * 3
    assert len(ch["email"].sent) == 2


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    first, third = backoff(1), backoff(3)
    assert timedelta(seconds=15) <= first <= timedelta(seconds=30)
    assert timedelta(seconds=60) <= third <= timedelta(seconds=120)
    assert backoff(50) <= timedelta(hours=1)
    assert len({backoff(4) for _ in range(20)}) > 1


def test_a_permanent_failure_is_not_retried_and_shows_on_the_ticket(session, clock, ticket):
    ch = channels()
    ch["sms"].fail_always = PermanentFailure(21211, "invalid number")
    dispatch_due(session, now=clock.now, channels=ch)
    sms = next(r for r in rows(session) if r.channel == "sms")
    assert sms.status == "failed" and sms.attempts == 1
    dispatch_due(session, now=clock.advance(days=1), channels=ch)
    assert next(r for r in rows(session) if r.channel == "sms").attempts == 1
    event = session.exec(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "notification_failed"
        )
    ).one()
    assert event.is_public
    assert event.data["message"] == "SMS to +14155552671 failed: invalid number"


def test_an_unsubscribed_number_is_marked_opted_out_and_not_sent_again(session, clock, ticket):
    ch = channels()
    ch["sms"].fail_always = PermanentFailure(21610, "the recipient unsubscribed")
    dispatch_due(session, now=clock.now, channels=ch)
    client = session.get(User, ticket.requester_id)
    session.refresh(client)
    assert client.sms_opted_out


def test_a_row_for_someone_who_opted_out_since_it_was_queued_is_skipped(session, clock, ticket):
    client = session.get(User, ticket.requester_id)
    client.sms_opted_out = True
    session.commit()
    ch = channels()
    dispatch_due(session, now=clock.now, channels=ch)
    assert ch["sms"].sent == []
    sms = next(r for r in rows(session) if r.channel == "sms")
    assert sms.status == "skipped" and "opted out" in sms.last_error


def test_after_the_last_attempt_a_row_fails_with_its_reason(session, clock, ticket, settings_env):
    settings_env(OUTBOX_MAX_ATTEMPTS="2")
    ch = channels(fail_always=TemporaryFailure("HTTP 503: down"))
    dispatch_due(session, now=clock.now, channels=ch)
    dispatch_due(session, now=clock.advance(hours=2), channels=ch)
    emails = [r for r in rows(session) if r.channel == "email"]
    assert all(r.status == "failed" and r.attempts == 2 for r in emails)
    assert all("503" in r.last_error for r in emails)


def test_rows_left_sending_by_a_dead_worker_are_taken_up_after_the_lease(session, clock, ticket):
    claimed = claim_due(session, now=clock.now, worker="dead-worker")
    assert len(claimed) == 3
    ch = channels()
    assert dispatch_due(session, now=clock.now + LEASE / 2, channels=ch) == 0
    assert dispatch_due(session, now=clock.now + LEASE + timedelta(seconds=1), channels=ch) == 3
    assert [r.status for r in rows(session)] == ["sent"] * 3


def test_a_provider_down_for_a_while_then_back_delivers_every_notification_once(
    session, clock, settings_env
):
    settings_env(OUTBOX_MAX_ATTEMPTS="20")
    for _ in range(4):
        make_ticket(session, now=clock.now)
    session.commit()
    ch = channels(fail_always=TemporaryFailure("connection refused"))
    ch["sms"].fail_always = TemporaryFailure("connection refused")
    for _ in range(6):  # down for about half an hour of passes
        dispatch_due(session, now=clock.advance(minutes=5), channels=ch)
    assert all(r.status == "pending" for r in rows(session))
    ch["email"].fail_always = None
    ch["sms"].fail_always = None
    for _ in range(20):
        dispatch_due(session, now=clock.advance(minutes=10), channels=ch)
    assert all(r.status == "sent" for r in rows(session))
    sent_ids = [m.notification_id for m in ch["email"].sent + ch["sms"].sent]
    assert sorted(sent_ids) == [r.id for r in rows(session)]


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_two_dispatchers_at_once_on_postgresql_send_every_row_exactly_once(db_url, clock, request):
    if not db_url.startswith("postgres"):
        pytest.skip("row locks are a PostgreSQL test")
    engine = db_module.get_engine(db_url)
    with Session(engine, expire_on_commit=False) as s:
        for _ in range(15):
            make_ticket(s, now=clock.now)
        s.commit()
        total = len(rows(s))
    shared = RecordingChannel("email")
    lock = threading.Lock()

    class Slow(RecordingChannel):
        def send(self, message):
            with lock:
                return shared.send(message)

    chans = {"email": Slow("email"), "sms": Slow("sms")}
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker():
        try:
            with Session(engine, expire_on_commit=False) as s:
                barrier.wait()
                while dispatch_due(s, now=clock.now, channels=chans, limit=3):
                    pass
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    ids = [m.notification_id for m in shared.sent]
    assert len(ids) == len(set(ids)) == total
