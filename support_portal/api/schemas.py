"""The REST API's request and response bodies; their JSON schemas are the OpenAPI description.

Every string has a length limit and is checked for text a database cannot store (NUL
characters, unpaired surrogates), so bad input is a 422, never a 500.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from support_portal.domain.support_path import CHANNELS
from support_portal.domain.ticket_fields import AFFECTED_AREAS, CATEGORIES, Priority


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


Str = Annotated[str, AfterValidator(_storable)]


Category = Literal[CATEGORIES]  # type: ignore[valid-type]
AffectedArea = Literal[AFFECTED_AREAS]  # type: ignore[valid-type]
Channel = Literal[tuple(CHANNELS)]  # type: ignore[valid-type]
PriorityValue = Literal[tuple(p.value for p in Priority)]  # type: ignore[valid-type]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TranscriptMessage(_Body):
    """One message of the chat held in the outside tool."""

    sender: Str = Field(
        min_length=1,
        max_length=200,
        description="who wrote it, e.g. the client's or the agent's name",
    )
    body: Str = Field(max_length=10_000)
    at: AwareDatetime = Field(description="when it was sent, with a time zone offset")


class SupportStep(_Body):
    """A live channel tried before the ticket, and what it achieved."""

    channel: Channel = Field(description="the live channel tried before the ticket")
    outcome: Str = Field(max_length=500)


EXAMPLE_TICKET = {
    "client_email": "dana@brightsmiles.example",
    "title": "Appointment reminder workflow skips the SMS step",
    "tried_to_do": "send the 24-hour appointment reminder SMS from the reminders workflow",
    "happened_instead": "workflow history shows the SMS step skipped for every contact",
    "started_when": "Monday morning",
    "steps_to_reproduce": "Book a test appointment for tomorrow, then open the workflow history",
    "error_messages": "Action skipped: no valid phone number",
    "category": "Bug",
    "affected_area": "Workflows",
    "priority": "high",
    "transcript": [
        {"sender": "Dana", "body": "Reminders stopped going out", "at": "2026-03-03T14:50:00Z"},
        {"sender": "Alex", "body": "Checking the workflow now", "at": "2026-03-03T14:51:00Z"},
    ],
}


class TicketCreate(_Body):
    """A ticket from an outside chat. The same quality rule applies as in the agent console."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_TICKET]})

    client_email: Str = Field(
        min_length=1, max_length=320, description="an existing client user of an organization"
    )
    title: Str = Field(max_length=200, description="names the problem; at least 8 characters")
    tried_to_do: Str = Field(max_length=5000, description="what the client was trying to do")
    happened_instead: Str = Field(max_length=5000, description="what happened instead")
    started_when: Str = Field("", max_length=300)
    recent_changes: Str = Field("", max_length=5000)
    steps_to_reproduce: Str = Field(
        "", max_length=5000, description="steps or an error message is required"
    )
    error_messages: Str = Field("", max_length=5000)
    category: Category = "Other"
    affected_area: AffectedArea = "Other"
    priority: PriorityValue = "normal"
    affected_workflow_name: Str = Field("", max_length=200)
    affected_workflow_url: Str = Field("", max_length=500)
    support_path: list[SupportStep] = Field(default_factory=list, max_length=10)
    transcript: list[TranscriptMessage] = Field(default_factory=list, max_length=1000)


class TicketCreated(BaseModel):
    number: int
    status: str
    priority: str
    title: str
    created_at: datetime
    url: str = Field(description="where to read the ticket's status through this API")


class TimelineItem(BaseModel):
    kind: str
    at: datetime
    summary: str


class TicketStatus(BaseModel):
    number: int
    title: str
    status: str
    status_label: str
    priority: str
    category: str
    affected_area: str
    organization: str
    source: str
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    timeline: list[TimelineItem] = Field(description="the public events, oldest first")


class ApiErrorBody(BaseModel):
    error: str = Field(description="what went wrong, fit to show a person")
    errors: dict[str, str] = Field(
        default_factory=dict, description="field (dotted path for nested fields) -> message"
    )


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
