"""The App: pages, API routes and lifespan tasks. Wiring only."""

from __future__ import annotations

import reflex as rx

from support_portal import urls
from support_portal.api.app import build_api
from support_portal.api.middleware import guard_uploads, security_headers
from support_portal.jobs.runner import run_in_background
from support_portal.pages.agent import agent_page
from support_portal.pages.agent_ticket import agent_ticket_page
from support_portal.pages.client import client_page
from support_portal.pages.client_settings import client_settings_page
from support_portal.pages.client_ticket import client_ticket_page
from support_portal.pages.login import login_page
from support_portal.pages.manager import manager_page
from support_portal.pages.manager_notifications import manager_notifications_page
from support_portal.pages.manager_reports import manager_reports_page
from support_portal.pages.manager_systemic import manager_systemic_page
from support_portal.pages.not_found import not_found_page
from support_portal.pages.staff_profile import staff_profile_page
from support_portal.realtime.feed import run_feed
from support_portal.realtime.updates import after_job_tick, run_board_clock
from support_portal.state.agent import AgentState
from support_portal.state.agent_ticket import AgentTicketState
from support_portal.state.board import BoardState
from support_portal.state.client import ClientSettingsState, ClientState, ClientTicketState
from support_portal.state.login import LoginState
from support_portal.state.manager_notifications import ManagerNotificationsState
from support_portal.state.not_found import NotFoundState
from support_portal.state.profile import StaffProfileState
from support_portal.state.reports import ReportsState
from support_portal.state.session import backend_error_toast
from support_portal.state.systemic import SystemicState


def index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh")


app = rx.App(
    # Our routes first, then middleware around everything the backend serves.
    api_transformer=[build_api(), guard_uploads, security_headers],
    backend_exception_handler=backend_error_toast,
    head_components=[
        rx.el.meta(name="viewport", content="width=device-width, initial-scale=1"),
        rx.script(src="/relative_time.js", defer=True),
    ],
)
app.add_page(index, route="/", title="Support Portal", on_load=LoginState.route_home)
app.add_page(
    login_page, route=urls.LOGIN, title="Sign in · Support Portal", on_load=LoginState.on_load
)
app.add_page(
    client_page,
    route=urls.CLIENT,
    title="My tickets · Support Portal",
    on_load=ClientState.on_load,
)
app.add_page(
    client_ticket_page,
    route=urls.CLIENT_TICKET,
    title="Ticket · Support Portal",
    on_load=ClientTicketState.on_load,
)
app.add_page(
    client_settings_page,
    route=urls.CLIENT_SETTINGS,
    title="Notification settings · Support Portal",
    on_load=ClientSettingsState.on_load,
)
app.add_page(
    agent_page,
    route=urls.AGENT,
    title="Agent console · Support Portal",
    on_load=AgentState.on_load,
)
app.add_page(
    agent_ticket_page,
    route=urls.AGENT_TICKET,
    title="Ticket · Support Portal",
    on_load=AgentTicketState.on_load,
)
app.add_page(
    manager_page, route=urls.MANAGER, title="Board · Support Portal", on_load=BoardState.on_load
)
app.add_page(
    manager_notifications_page,
    route=urls.MANAGER_NOTIFICATIONS,
    title="Notifications · Support Portal",
    on_load=ManagerNotificationsState.on_load,
)
app.add_page(
    manager_reports_page,
    route=urls.MANAGER_REPORTS,
    title="Reports · Support Portal",
    on_load=ReportsState.on_load,
)
app.add_page(
    manager_systemic_page,
    route=urls.MANAGER_SYSTEMIC,
    title="Systemic issues · Support Portal",
    on_load=SystemicState.on_load,
)
app.add_page(
    staff_profile_page,
    route=urls.STAFF_PROFILE,
    title="My notifications · Support Portal",
    on_load=StaffProfileState.on_load,
)
# Reflex serves this for every address no other page matches.
app.add_page(
    not_found_page,
    route="404",
    title="Page not found · Support Portal",
    on_load=NotFoundState.on_load,
)


async def _after_job_tick(done: dict[str, int]) -> None:
    with app.set_contexts():  # lifespan tasks run outside any event: reach tabs via the app
        await after_job_tick(done)


app.register_lifespan_task(run_in_background, after_tick=_after_job_tick)
app.register_lifespan_task(run_board_clock)
app.register_lifespan_task(run_feed)
