"""Files that arrive with an inbound email, stored like uploads: outside any public folder."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlmodel import Session

from support_portal.models import Attachment, Ticket
from support_portal.settings import get_settings


def attachments_dir():  # type: ignore[no-untyped-def]
    path = get_settings().data_dir / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _safe_name(name: str) -> str:
    name = re.sub(r"[^\w.\- ]+", "_", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip()
    return (name or "attachment")[:200]


def store_inbound_attachment(
    session: Session,
    *,
    ticket: Ticket,
    uploader_id: int | None,
    filename: str,
    content_type: str,
    data: bytes,
    now: datetime,
) -> Attachment | None:
    """Saves one file for the ticket; None when it is over the size limit (it is then skipped)."""
    if len(data) > get_settings().max_upload_mb * 1024 * 1024:
        return None
    stored = secrets.token_hex(16)
    (attachments_dir() / stored).write_bytes(data)
    attachment = Attachment(
        ticket_id=ticket.id,
        uploaded_by_id=uploader_id,
        original_name=_safe_name(filename),
        stored_name=stored,
        content_type=(content_type or "application/octet-stream")[:100],
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        is_public=True,
        created_at=now,
    )
    session.add(attachment)
    return attachment
