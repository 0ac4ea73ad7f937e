"""The client's pages: their tickets, one ticket's timeline and actions, their settings."""

from __future__ import annotations

import reflex as rx

from support_portal import urls
from support_portal.clock import utcnow
from support_portal.domain.roles import Role
from support_portal.realtime import topics
from support_portal.realtime.ticket_live import TicketLive, live_topic
from support_portal.realtime.updates import ticket_changed_later
from support_portal.services import (
    client_actions,
    client_views,
    escalations,
    tickets,
)
from support_portal.services.authz import Principal
from support_portal.services.client_views import FileLink, TicketRow, TicketView, TimelineItem
from support_portal.services.errors import NotFound, ServiceError, ValidationFailed
from support_portal.state.profile import NotificationSettings
from support_portal.state.session import SessionState, in_db

DETAILS_UPLOAD_ID = "details-files"
# The view data the client's pages draw, as the services build it.
__all__ = [
    "ClientSettingsState",
    "ClientState",
    "ClientTicketState",
    "FileLink",
    "TicketRow",
    "TimelineItem",
]


def list_topic(user_id: int) -> str:
    """A client's open ticket lists (per viewer: times read in their own time zone)."""
    return f"tickets:viewer:{int(user_id)}"


async def push_ticket_lists(ticket_id: int) -> int:
    """Rebuild the open ticket list of every client of the ticket's organization.

    Call after committing a change to the ticket, never from a handler of such a page.
    Each tab's list is rebuilt for its own user, whose sign-in is checked again.
    """
    viewers = await in_db(lambda s: client_views.client_viewers(session=s, ticket_id=ticket_id))

    async def refresh(page: ClientState) -> None:
        if page.loaded:
            await page._fill()

    updated = 0
    for viewer in viewers:
        if viewer.user_id is not None:
            updated += await topics.publish(list_topic(viewer.user_id), ClientState, refresh)
    return updated


class ClientState(SessionState):
    """`/client`: every ticket of the client's organization."""

    tickets: list[TicketRow] = []
    loaded: bool = False

    async def _fill(self) -> bool:
        principal = await self._require(Role.CLIENT)
        if principal is None:
            return False
        self.tickets = await in_db(
            lambda s: client_views.list_my_tickets(session=s, principal=principal, now=utcnow())
        )
        self.loaded = True
        return True

    @rx.event
    async def on_load(self):
        if not await self._fill():
            return self._turn_away(await self._current())
        if self._principal is not None and self._principal.user_id is not None:
            # The list shows only the organization's own tickets, read as this user.
            await self._join_topic(list_topic(self._principal.user_id))
        return None


class ClientTicketState(SessionState):
    """`/client/tickets/[number]`: the forms and flags of one ticket's page.

    The timeline itself lives in `TicketLive`, kept live once the service has said yes.
    """

    not_found: bool = False
    loaded: bool = False
    details_text: str = ""
    details_error: str = ""
    reopen_open: bool = False
    reopen_reason: str = ""
    reopen_error: str = ""
    action_error: str = ""
    link_error: str = ""
    busy: bool = False

    def _number(self) -> str:
        return str(self.rx_router_page.params.get("number", ""))

    async def _show(self, principal: Principal, ticket_id: int | None = None) -> int | None:
        """Build this viewer's view, join its live topic and fill it; None when not found."""
        number = self._number()
        try:
            view, tid = await in_db(
                lambda s: _view_and_id(s, principal, number)  # checks visibility
            )
        except NotFound:
            self.not_found = True
            await self._leave_live()
            (await self.get_state(TicketLive))._clear()
            return None
        self.not_found = False
        live = await self.get_state(TicketLive)
        if live._ticket_id != tid:
            await self._leave_live()
        await self._join_topic(live_topic(tid, principal.user_id))
        live._show(view, tid)
        return tid

    async def _leave_live(self) -> None:
        live = await self.get_state(TicketLive)
        if live._ticket_id and self._principal is not None:
            await topics.leave(self, live_topic(live._ticket_id, self._principal.user_id))

    @rx.event
    async def on_load(self):
        principal = await self._require(Role.CLIENT)
        if principal is None:
            return self._turn_away(await self._current())
        self.loaded = False
        self.details_text = self.details_error = ""
        self.reopen_open, self.reopen_reason, self.reopen_error = False, "", ""
        self.action_error = ""
        await self._show(principal)
        self.loaded = True
        return None

    @rx.event
    def set_details_text(self, value: str):
        self.details_text = value

    @rx.event
    def set_reopen_reason(self, value: str):
        self.reopen_reason = value

    @rx.event
    def toggle_reopen(self):
        self.reopen_open = not self.reopen_open
        self.reopen_error = ""

    async def _act(self, use_case, *, error_field: str, **args) -> bool:
        """Re-check the user, run one client use case on this ticket, refresh the page."""
        principal = await self._require(Role.CLIENT)
        if principal is None:
            return False
        number, now = self._number(), utcnow()
        try:
            tid = await in_db(
                lambda s: use_case(session=s, principal=principal, number=number, now=now, **args)
            )
        except ValidationFailed as exc:
            setattr(self, error_field, " ".join(exc.errors.values()))
            return False
        except ServiceError as exc:
            setattr(self, error_field, str(exc))
            return False
        setattr(self, error_field, "")
        await self._show(principal)
        ticket_changed_later(tid, skip_user_id=principal.user_id)
        return True

    @rx.event
    async def add_details(self, files: list[rx.UploadFile]):
        """Text and files in one go: the files are read here and stored privately, never
        in Reflex's public upload folder."""
        body = self.details_text
        uploads = [(f.filename or "file", await f.read()) for f in files]
        self.busy = True
        # The ticket the details landed on: a reply to a long-closed one starts a new one.
        landed: list[int] = []
        yield

        def add(**args) -> int:
            added = client_actions.add_details(**args)
            if added.follow_up_number is not None:
                landed.append(added.follow_up_number)
            return added.ticket_id

        done = await self._act(add, error_field="details_error", body=body, files=uploads)
        self.busy = False
        if done:
            self.details_text = ""
            yield rx.clear_selected_files(DETAILS_UPLOAD_ID)
            if landed:
                yield rx.toast.success(
                    f"This ticket was closed a while ago, so your reply started ticket "
                    f"#{landed[0]}; the team was told."
                )
                yield rx.redirect(urls.client_ticket(landed[0]))
            else:
                yield rx.toast.success("Thanks, your details were added and the team was told.")

    @rx.event
    async def add_link(self, form: dict):
        """A Loom walkthrough or another web link, added to the ticket by the client."""
        url, title = str(form.get("url", "")), str(form.get("title", ""))
        done = await self._act(
            escalations.add_link_on_page, error_field="link_error", url=url, title=title
        )
        if done:
            return [
                rx.set_value("client-link-url", ""),
                rx.set_value("client-link-title", ""),
                rx.toast.success("Thanks, your link was added and the team was told."),
            ]
        return None

    @rx.event
    async def confirm_fix(self):
        done = await self._act(client_actions.confirm_fix, error_field="action_error")
        if done:
            return rx.toast.success("Thanks for confirming. The ticket is closed.")
        return None

    @rx.event
    async def reopen(self, form: dict | None = None):
        reason = self.reopen_reason
        done = await self._act(client_actions.reopen, error_field="reopen_error", reason=reason)
        if done:
            self.reopen_open, self.reopen_reason = False, ""
            return rx.toast.success("The ticket is reopened and the team was told.")
        return None


def _view_and_id(session, principal: Principal, number: str) -> tuple[TicketView, int]:
    ticket = tickets.get_ticket(session=session, principal=principal, number=number)
    view = client_views.build_ticket_view(
        session=session, principal=principal, ticket=ticket, now=utcnow()
    )
    return view, ticket.id  # type: ignore[return-value]


class ClientSettingsState(NotificationSettings, SessionState):
    """`/client/settings`: email and SMS updates, and the phone number for SMS."""

    def _roles(self) -> tuple[Role, ...]:
        return (Role.CLIENT,)
