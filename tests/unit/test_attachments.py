"""Attachments are judged by content, stored outside the web root under random names, and
handed only to people who may see their ticket."""

from __future__ import annotations

import pytest

from support_portal.clock import utcnow
from support_portal.domain.attachment_rules import AttachmentRefused, check_file
from support_portal.services import attachments
from support_portal.services.errors import NotFound, ValidationFailed
from support_portal.settings import get_settings
from support_portal.testkit.factories import make_org, make_ticket, make_user, principal
from support_portal.testkit.files import LOG, PDF, PNG

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("shot.png", PNG, "image/png"),
        ("invoice.pdf", PDF, "application/pdf"),
        ("server.log", LOG, "text/plain; charset=utf-8"),
        ("notes.txt", b"hello", "text/plain; charset=utf-8"),
    ],
)
def test_allowed_files_pass_with_the_type_of_their_content(name, data, content_type):
    assert check_file(name, data, max_bytes=MB) == (name, content_type)


def test_a_file_whose_content_does_not_match_its_name_is_refused():
    with pytest.raises(AttachmentRefused, match="does not contain what its name says"):
        check_file("screenshot.png", PDF, max_bytes=MB)
    with pytest.raises(AttachmentRefused, match="does not contain what its name says"):
        check_file("notes.txt", PNG, max_bytes=MB)


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "a/b.png", "..\\evil.log", "x\x00.png"])
def test_a_name_with_path_segments_is_refused(name):
    with pytest.raises(AttachmentRefused, match="path segments"):
        check_file(name, LOG, max_bytes=MB)


def test_an_oversized_file_is_refused_with_the_limit_named():
    with pytest.raises(AttachmentRefused, match="larger than the 1 MB limit"):
        check_file("big.log", b"x" * (MB + 1), max_bytes=MB)


def test_an_executable_is_refused_whatever_it_is_called():
    with pytest.raises(AttachmentRefused, match="only PNG"):
        check_file("tool.exe", b"MZ\x90\x00", max_bytes=MB)
    with pytest.raises(AttachmentRefused):
        check_file("tool.png", b"MZ\x90\x00\x03\x00\x00\x00", max_bytes=MB)


def test_stored_files_live_outside_the_web_root_under_random_names(session):
    ticket = make_ticket(session)
    agent = make_user(session, "agent")
    att = attachments.store_attachment(
        session=session,
        principal=principal(agent),
        filename="shot.png",
        data=PNG,
        ticket_id=ticket.id,
        now=utcnow(),
    )
    path = attachments.storage_dir() / att.stored_name
    assert path.read_bytes() == PNG
    assert "shot" not in att.stored_name and len(att.stored_name) == 32
    assert get_settings().data_dir in path.parents


def test_the_service_refuses_an_oversized_upload_with_a_field_message(session, settings_env):
    settings_env(MAX_UPLOAD_MB="0.001")
    agent = make_user(session, "agent")
    with pytest.raises(ValidationFailed) as err:
        attachments.store_attachment(
            session=session,
            principal=principal(agent),
            filename="big.log",
            data=b"x" * 5000,
            now=utcnow(),
        )
    assert "limit" in err.value.errors["file"]


def test_only_people_who_may_see_the_ticket_can_open_its_file(session):
    client = make_user(session, "client")
    ticket = make_ticket(session, requester=client)
    outsider = make_user(session, "client", organization=make_org(session))
    att = attachments.store_attachment(
        session=session,
        principal=principal(client),
        filename="shot.png",
        data=PNG,
        ticket_id=ticket.id,
        now=utcnow(),
    )
    session.commit()
    got, path = attachments.open_attachment(
        session=session, principal=principal(client), attachment_id=att.id
    )
    assert path.read_bytes() == PNG
    with pytest.raises(NotFound):
        attachments.open_attachment(
            session=session, principal=principal(outsider), attachment_id=att.id
        )
    with pytest.raises(NotFound):
        attachments.store_attachment(
            session=session,
            principal=principal(outsider),
            filename="x.png",
            data=PNG,
            ticket_id=ticket.id,
            now=utcnow(),
        )


def test_an_internal_team_file_is_hidden_from_the_client(session):
    client = make_user(session, "client")
    agent = make_user(session, "agent")
    ticket = make_ticket(session, requester=client, agent=agent)
    att = attachments.store_attachment(
        session=session,
        principal=principal(agent),
        filename="trace.log",
        data=LOG,
        ticket_id=ticket.id,
        is_public=False,
        now=utcnow(),
    )
    with pytest.raises(NotFound):
        attachments.open_attachment(
            session=session, principal=principal(client), attachment_id=att.id
        )
    assert (
        attachments.ticket_attachments(session=session, principal=principal(client), ticket=ticket)
        == []
    )


def test_files_uploaded_before_the_ticket_are_linked_to_it_only_by_their_uploader(session):
    agent = make_user(session, "agent")
    other = make_user(session, "agent")
    att = attachments.store_attachment(
        session=session, principal=principal(agent), filename="shot.png", data=PNG, now=utcnow()
    )
    ticket = make_ticket(session, agent=agent)
    with pytest.raises(NotFound):
        attachments.attach_to_ticket(
            session=session, principal=principal(other), attachment_ids=[att.id], ticket=ticket
        )
    attachments.attach_to_ticket(
        session=session, principal=principal(agent), attachment_ids=[att.id], ticket=ticket
    )
    assert att.ticket_id == ticket.id
