"""Who is acting, and the checks every service makes before touching anything."""

from __future__ import annotations

from dataclasses import dataclass

from support_portal.domain.chat_rules import ChatStatus
from support_portal.domain.roles import Actor, Role
from support_portal.models import ChatSession, Ticket, User
from support_portal.services.errors import Forbidden, NotFound


@dataclass(frozen=True)
class Principal:
    """The signed-in person, as services see them. Built from the database, never the browser."""

    user_id: int | None
    role: Role | Actor
    organization_id: int | None
    name: str = ""
    email: str = ""

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(
            user_id=user.id,  # type: ignore[arg-type]
            role=Role(user.role),
            organization_id=user.organization_id,
            name=user.name,
            email=user.email,
        )

    @property
    def actor(self) -> Actor:
        return Actor(self.role.value)

    @property
    def is_team(self) -> bool:
        return self.role in (Role.AGENT, Role.MANAGER)

    @property
    def is_system(self) -> bool:
        return self.role == Actor.SYSTEM


# The scheduled jobs acting on their own (auto-close): no user, sees every ticket, and may make
# only the transitions the lifecycle grants `Actor.SYSTEM`.
SYSTEM = Principal(user_id=None, role=Actor.SYSTEM, organization_id=None, name="Support Portal")


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise Forbidden("You do not have access to this.")


def require_team(principal: Principal) -> None:
    require_role(principal, Role.AGENT, Role.MANAGER)


def can_see_ticket(principal: Principal, ticket: Ticket) -> bool:
    if principal.is_team or principal.is_system:
        return True
    return ticket.organization_id == principal.organization_id


def ensure_can_see_ticket(principal: Principal, ticket: Ticket | None) -> Ticket:
    """A ticket the actor may not see is reported exactly like one that does not exist."""
    if ticket is None or not can_see_ticket(principal, ticket):
        raise NotFound("Ticket not found.")
    return ticket


def may_take_part_in_chat(principal: Principal, chat: ChatSession | None) -> bool:
    """Write in a chat's live room and add files to it: the chat's client, the agent who took
    it, and any manager."""
    if chat is None:
        return False
    if principal.role == Role.CLIENT:
        return chat.client_id == principal.user_id
    if principal.role == Role.MANAGER:
        return True
    return principal.role == Role.AGENT and chat.agent_id == principal.user_id


def may_see_chat(principal: Principal, chat: ChatSession | None) -> bool:
    """Read a chat's messages and files: whoever takes part in it, and any team member while
    it waits to be taken (to decide whether to take it). Once an agent holds it, or it has
    ended, other agents no longer read it."""
    if chat is None:
        return False
    if may_take_part_in_chat(principal, chat):
        return True
    return principal.is_team and chat.status == ChatStatus.WAITING.value
