"""A batch of the outbox is sent by several threads at once, each row exactly once, and each
row costs a fixed number of SQL statements (counts, not time)."""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlmodel import Session, select

from support_portal.models import Notification
from support_portal.notify.channels import OutgoingMessage, RecordingChannel, SendResult
from support_portal.notify.dispatcher import dispatch_due
from support_portal.testkit.factories import make_ticket, make_user


class Overlapping(RecordingChannel):
    """Records sends; the first two wait for each other, which only works if they overlap."""

    def __init__(self, name: str, meeting: threading.Barrier, lock: threading.Lock) -> None:
        super().__init__(name)
        self.meeting = meeting
        self.lock = lock
        self.met = False

    def send(self, message: OutgoingMessage) -> SendResult:
        if not self.met:
            try:
                self.meeting.wait(timeout=20)
                self.met = True
            except threading.BrokenBarrierError:
                pass
        with self.lock:
            return super().send(message)


def queue_notifications(session: Session, clock, tickets: int) -> int:  # noqa: ANN001
    client = make_user(session, "client", phone="+14155552671", notify_sms=True)
    for _ in range(tickets):
        make_ticket(session, requester=client, now=clock.now)
    session.commit()
    return len(session.exec(select(Notification)).all())


def test_a_batch_is_sent_side_by_side_and_every_row_exactly_once(session, clock):
    total = queue_notifications(session, clock, 6)  # 18 rows: team email, client email and SMS each
    meeting, lock = threading.Barrier(2), threading.Lock()
    channels = {
        "email": Overlapping("email", meeting, lock),
        "sms": Overlapping("sms", meeting, lock),
    }

    handled = dispatch_due(session, now=clock.advance(minutes=1), channels=channels, concurrency=4)

    sent = [m.notification_id for ch in channels.values() for m in ch.sent]
    assert handled == total == len(sent) == len(set(sent))
    assert channels["email"].met or channels["sms"].met, "no two sends were in flight together"
    session.expire_all()
    assert {r.status for r in session.exec(select(Notification))} == {"sent"}
    assert dispatch_due(session, now=clock.advance(minutes=1), channels=channels) == 0


def test_each_notification_sent_costs_two_statements_after_a_three_statement_claim(session, clock):
    total = queue_notifications(session, clock, 4)
    engine = session.get_bind()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    channels = {"email": RecordingChannel("email"), "sms": RecordingChannel("sms")}
    event.listen(engine, "before_cursor_execute", count)
    try:
        handled = dispatch_due(session, now=clock.advance(minutes=1), channels=channels)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert handled == total == 12
    # claim: select due ids, one UPDATE, read back ours; per row: load it with its recipient
    # and ticket, then record the outcome.
    assert len(statements) == 3 + 2 * total, "\n".join(statements)
