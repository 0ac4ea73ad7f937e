"""The fixed vocabularies of a ticket: categories, affected areas, priorities."""

from enum import StrEnum


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


PRIORITY_ORDER: dict[str, int] = {p.value: i for i, p in enumerate(Priority)}

CATEGORIES: tuple[str, ...] = (
    "Bug",
    "Configuration",
    "Feature request",
    "How-to question",
    "Other",
)

AFFECTED_AREAS: tuple[str, ...] = (
    "Workflows",
    "Automations",
    "Calendars",
    "Pipelines",
    "Forms & funnels",
    "Phone & SMS",
    "Email",
    "Integrations",
    "Billing",
    "Other",
)
