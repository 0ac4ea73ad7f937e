"""Who can act: the three roles of people, plus the system's own jobs."""

from enum import StrEnum


class Role(StrEnum):
    CLIENT = "client"
    AGENT = "agent"
    MANAGER = "manager"


class Actor(StrEnum):
    """Who makes a change to a ticket: a person in a role, or a scheduled job."""

    CLIENT = "client"
    AGENT = "agent"
    MANAGER = "manager"
    SYSTEM = "system"


HOME_PAGE: dict[Role, str] = {
    Role.CLIENT: "/client",
    Role.AGENT: "/agent",
    Role.MANAGER: "/manager",
}
