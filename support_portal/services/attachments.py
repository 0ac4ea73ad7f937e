"""Attachments: checked by content, stored under random names outside the web root, and
handed out only to people who may see the ticket or chat they belong to.

Every file takes the same way in, whether a person uploads it or it arrives with a client's
email reply (`services.inbound`): `store_attachment` judges it by its bytes, applies the size
limit and stores it."""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from support_portal.domain.attachment_rules import AttachmentRefused, check_file
from support_portal.models import Attachment, ChatSession, Ticket
from support_portal.services.authz import (
    Principal,
    can_see_ticket,
    may_see_chat,
    may_take_part_in_chat,
)
from support_portal.services.errors import Forbidden, NotFound, ValidationFailed
from support_portal.settings import get_settings


def storage_dir() -> Path:
    path = get_settings().data_dir / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _can_see(session: Session, principal: Principal, att: Attachment) -> bool:
    if att.ticket_id is not None:
        ticket = session.get(Ticket, att.ticket_id)
        if ticket is None or not can_see_ticket(principal, ticket):
            return False
        return att.is_public or principal.is_team
    if att.chat_id is not None:
        return may_see_chat(principal, session.get(ChatSession, att.chat_id))
    # Not yet linked to anything: only its uploader.
    return att.uploaded_by_id == principal.user_id


def store_attachment(
    *,
    session: Session,
    principal: Principal,
    filename: str,
    data: bytes,
    ticket_id: int | None = None,
    chat_id: int | None = None,
    is_public: bool = True,
    now: datetime,
) -> Attachment:
    """Check and store one file; refused files raise ValidationFailed({"file": reason})."""
    if ticket_id is not None:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or not can_see_ticket(principal, ticket):
            raise NotFound("Ticket not found.")
    if chat_id is not None:
        chat = session.get(ChatSession, chat_id)
        # Adding a file is writing in the chat: only those who take part in it may.
        if not may_see_chat(principal, chat):
            raise NotFound("Chat not found.")
        if not may_take_part_in_chat(principal, chat):
            raise Forbidden("Accept the chat before adding files to it.")
    max_bytes = int(get_settings().max_upload_mb * 1024 * 1024)
    try:
        name, content_type = check_file(filename, data, max_bytes=max_bytes)
    except AttachmentRefused as exc:
        raise ValidationFailed({"file": str(exc)}, str(exc)) from exc
    stored_name = secrets.token_hex(16)
    target = storage_dir() / stored_name
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    att = Attachment(
        ticket_id=ticket_id,
        chat_id=chat_id,
        uploaded_by_id=principal.user_id,
        original_name=name,
        stored_name=stored_name,
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        is_public=is_public or not principal.is_team,
        created_at=now,
    )
    session.add(att)
    session.flush()
    return att


def attach_to_ticket(
    *,
    session: Session,
    principal: Principal,
    attachment_ids: list[int],
    ticket: Ticket,
    event_id: int | None = None,
) -> list[Attachment]:
    """Link files uploaded before the ticket existed (conversion form) or with an event."""
    if not can_see_ticket(principal, ticket):
        raise NotFound("Ticket not found.")
    if not attachment_ids:
        return []
    rows = session.exec(select(Attachment).where(col(Attachment.id).in_(attachment_ids))).all()
    if len(rows) != len(set(attachment_ids)):
        raise NotFound("Attachment not found.")
    for att in rows:
        if att.uploaded_by_id != principal.user_id or att.ticket_id not in (None, ticket.id):
            raise NotFound("Attachment not found.")
        att.ticket_id = ticket.id
        if event_id is not None:
            att.event_id = event_id
    return list(rows)


def open_attachment(
    *, session: Session, principal: Principal, attachment_id: int
) -> tuple[Attachment, Path]:
    """The attachment and its file, if this person may see it; NotFound otherwise."""
    att = session.get(Attachment, attachment_id)
    if att is None or not _can_see(session, principal, att):
        raise NotFound("File not found.")
    path = storage_dir() / att.stored_name
    if not path.is_file():
        raise NotFound("File not found.")
    return att, path


def ticket_attachments(
    *, session: Session, principal: Principal, ticket: Ticket
) -> list[Attachment]:
    if not can_see_ticket(principal, ticket):
        raise NotFound("Ticket not found.")
    q = select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(Attachment.id)
    rows = session.exec(q).all()
    return [a for a in rows if a.is_public or principal.is_team]


def download_url(attachment_id: int) -> str:
    return f"/files/{attachment_id}"
