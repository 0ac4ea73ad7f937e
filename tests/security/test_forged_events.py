"""State event handlers called the way a forged websocket event calls them.

Every public event handler of every State in `support_portal/state/` is callable from the
browser with any arguments. Each one is listed here: handlers that act on a chat, a ticket or
a file are called by people who must not reach it, with another organization's ids, and the
test checks that nothing of org B (or of someone else's chat) lands in any state var and
nothing changes in the database. A new handler fails `test_every_event_handler_is_classified`.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import reflex as rx
from reflex_base.event import EventSpec
from reflex_base.utils.format import format_event

import support_portal.state as state_pkg
from support_portal.clock import utcnow
from support_portal.services import auth
from support_portal.state.agent_console import AgentConsoleState
from support_portal.state.agent_ticket import AgentTicketState
from support_portal.state.board import BoardState
from support_portal.state.chat import ClientChatState
from support_portal.state.client import ClientTicketState
from support_portal.state.manager_notifications import ManagerNotificationsState
from support_portal.state.profile import StaffProfileState
from support_portal.state.reports import ReportsState
from support_portal.state.systemic import SystemicState
from support_portal.testkit.factories import PASSWORD
from tests.security.world import World, build_world, changed_tables, snapshot
from tests.session_cookie import with_session_cookie

DATA_URL = re.compile(r"data:[^;\"]+;base64,([A-Za-z0-9+/=]+)")
# Text that only org B's records (or chat A, for people outside it) contain.
B_SECRETS = ("Org B", "B private words", "B public news", "Bob of B", "Org B secret")
CHAT_A_SECRETS = ("A hello", "Alice of A")
# Ticket A as only org A's clients (public part) and the team (everything) see it.
TICKET_A_SECRETS = ("Org A secret", "Internal A note", "Alice of A")
TEAM_ONLY = ("Internal A note",)
# What only managers see: problems, candidates and reports across organizations.
AGENCY_SECRETS = ("Workflow engine outage", "Org A Dental", "Org B Fitness", "secret")


def _state_classes() -> dict[str, type[rx.State]]:
    found = {}
    for info in pkgutil.iter_modules(state_pkg.__path__):
        module = importlib.import_module(f"{state_pkg.__name__}.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, rx.state.BaseState)
                and cls.__module__ == module.__name__
                and not cls._mixin  # its handlers are copied into the states that use it
            ):
                found[name] = cls
    return found


def _public_handlers() -> list[str]:
    names = set()
    for cls_name, cls in _state_classes().items():
        for handler in cls.event_handlers:
            if handler != "setvar":
                names.add(f"{cls_name}.{handler}")
    return sorted(names)


@dataclass(frozen=True)
class Forgery:
    """As `role`, call `run(state, world)` on a fresh `cls` state; `secrets` must not appear."""

    cls: type[rx.State]
    role: str
    run: Callable[[Any, World], Awaitable[Any]]
    secrets: tuple[str, ...] | Callable[[World], tuple[str, ...]] = B_SECRETS


def _h(cls: type[rx.State], name: str) -> Callable[..., Any]:
    return cls.event_handlers[name].fn


async def _save_staff_profile(state: Any, world: World) -> Any:
    """A client (or nobody) fills the team's profile form and saves it."""
    state.notify_sms, state.phone = True, "+14155550166"
    return await _consume(_h(StaffProfileState, "save")(state))


# Handlers with no ids to forge: what they act on comes from the server side.
NO_IDS = {
    "AgentState.on_load": "role guard only",
    "ClientState.on_load": "role guard only",
    "LoginState.on_load": "redirects a signed-in user home",
    "LoginState.route_home": "redirects by the server-side role",
    "LoginState.set_email": "sets the form's own field",
    "SessionState.sign_out": "ends the caller's own session (e2e test_isolation)",
    "AgentConsoleState.cancel_convert": "hides the caller's own form",
    "AgentConsoleState.clear_link": "clears the caller's own choice",
    "AgentConsoleState.load": "lists the caller's own chats; joins only the server-kept chat",
    "ClientChatState.load": "joins the caller's own latest chat, found by the service",
    "ClientChatState.start_chat": "opens a chat for the caller's own organization",
    "ClientTicketState.set_details_text": "sets the form's own field",
    "ClientTicketState.set_reopen_reason": "sets the form's own field",
    "ClientTicketState.toggle_reopen": "shows or hides the form",
    "ClientSettingsState.on_load": "reads the caller's own preferences",
    "ClientSettingsState.save": "saves the caller's own preferences (matrix: update_preferences)",
    "ClientSettingsState.set_notify_email": "sets the form's own field",
    "ClientSettingsState.set_notify_sms": "sets the form's own field",
    "ClientSettingsState.set_phone": "sets the form's own field",
    "StaffProfileState.on_load": "reads the caller's own preferences; team only",
    "StaffProfileState.set_notify_email": "sets the form's own field",
    "StaffProfileState.set_notify_sms": "sets the form's own field",
    "StaffProfileState.set_phone": "sets the form's own field",
    "AgentTicketState.set_note_text": "sets the form's own field",
    "AgentTicketState.set_update_text": "sets the form's own field",
    "AgentTicketState.set_status_note": "sets the form's own field",
    "AgentTicketState.set_reopen_reason": "sets the form's own field",
    "ChatMemberState.set_draft": "sets the form's own field",
    "NotFoundState.on_load": "names the caller's own home page",
}


async def _typed_then(s, field: str, text: str, handler: str):
    """The page's boxes hold their text in the state; the submit sends none of its own."""
    setattr(s, field, text)
    return await _consume(_h(AgentTicketState, handler)(s, {}))


async def _reopen_with_reason(s):
    s.reopen_reason = "Forged reason"
    return await _h(AgentTicketState, "reopen")(s)


def _f(cls: type[rx.State], role: str, name: str, *args: Callable[[World], Any]) -> Forgery:
    """A forgery calling `cls.name` with arguments built from the world."""
    return Forgery(cls, role, lambda s, w: _h(cls, name)(s, *(a(w) for a in args)), AGENCY_SECRETS)


def _client_ticket(role: str, name: str, *args: Any, secrets=TICKET_A_SECRETS) -> Forgery:
    """`ClientTicketState.name` on /client/tickets/<ticket A>, by someone outside org A."""

    async def run(s, w):
        s.details_text = "Forged details"
        s.reopen_reason = "Forged reason"
        return await _consume(_h(ClientTicketState, name)(s, *args))

    return Forgery(ClientTicketState, role, run, secrets)


def _board(role: str, name: str, *args: Callable[[World], Any]) -> Forgery:
    return _f(BoardState, role, name, *args)


def _drag_and_drop(s, w):
    async def run():
        _h(BoardState, "drag_start")(s, w.ticket_a.id, w.ticket_a.version, "new")
        return await _consume(_h(BoardState, "drop_on")(s, "resolved"))

    return run()


ZOOM_FORM = {
    "meeting_url": "https://zoom.us/j/1234567890",
    "scheduled_at": "2099-01-01T10:00",
    "attendees": "Forger",
}


def _converting(role: str, name: str, *args: Any) -> Forgery:
    """A console handler called as if the conversion form were open."""

    async def run(s, w):
        s.converting = True
        return await _consume(_h(AgentConsoleState, name)(s, *args))

    return Forgery(AgentConsoleState, role, run, AGENCY_SECRETS)


FORGERIES: dict[str, list[Forgery]] = {
    "AgentConsoleState.draft_changed": [
        _converting("outsider", "draft_changed", "title", "Org B secret billing failure")
    ],
    "AgentConsoleState.choose_link": [
        _converting("outsider", "choose_link", "problem:1"),
        _converting("agent", "choose_link", "ticket:1"),
    ],
    "AgentConsoleState.schedule_zoom": [
        _f(AgentConsoleState, "outsider", "schedule_zoom", lambda w: ZOOM_FORM),
        # Another agent names chat A in the form; the console uses only the chat it holds.
        _f(
            AgentConsoleState,
            "other_agent",
            "schedule_zoom",
            lambda w: {**ZOOM_FORM, "chat_id": str(w.chat_a.id)},
        ),
    ],
    "AgentTicketState.add_link": [
        _f(
            AgentTicketState,
            "outsider",
            "add_link",
            lambda w: {"url": "https://www.loom.com/share/" + "a" * 32, "title": "Forged"},
        )
    ],
    "AgentTicketState.schedule_zoom": [
        _f(AgentTicketState, "client", "schedule_zoom", lambda w: ZOOM_FORM)
    ],
    "AgentTicketState.record_outcome": [
        _f(
            AgentTicketState,
            "client",
            "record_outcome",
            lambda w: {
                "escalation_id": str(w.zoom_a.id),
                "outcome": "Forged",
                "resolve_ticket": "1",
            },
        )
    ],
    "ClientTicketState.add_link": [
        _client_ticket(
            "outsider", "add_link", {"url": "https://www.loom.com/share/" + "a" * 32, "title": "F"}
        )
    ],
    "BoardState.on_load": [_board("client", "on_load"), _board("agent", "on_load")],
    "BoardState.show_more": [_board("outsider", "show_more", lambda w: "new")],
    "BoardState.set_f_assignee": [_board("outsider", "set_f_assignee", lambda w: "")],
    "BoardState.set_f_organization": [
        _board("outsider", "set_f_organization", lambda w: str(w.org_a.id))
    ],
    "BoardState.set_f_priority": [_board("agent", "set_f_priority", lambda w: "")],
    "BoardState.set_f_search": [
        _board("client", "set_f_search", lambda w: ""),
        _board("nobody", "set_f_search", lambda w: ""),
    ],
    "BoardState.toggle_f_breached": [_board("outsider", "toggle_f_breached")],
    "BoardState.move_to": [
        _board(
            "agent",
            "move_to",
            lambda w: w.ticket_a.id,
            lambda w: w.ticket_a.version,
            lambda w: "resolved",
        )
    ],
    "BoardState.assign_to": [
        _board(
            "agent",
            "assign_to",
            lambda w: w.ticket_a.id,
            lambda w: w.ticket_a.version,
            lambda w: str(w.users["other_agent"].id),
        )
    ],
    "BoardState.prioritize": [
        _board(
            "client",
            "prioritize",
            lambda w: w.ticket_a.id,
            lambda w: w.ticket_a.version,
            lambda w: "urgent",
        )
    ],
    "BoardState.drag_start": [Forgery(BoardState, "outsider", _drag_and_drop, AGENCY_SECRETS)],
    "BoardState.drop_on": [Forgery(BoardState, "agent", _drag_and_drop, AGENCY_SECRETS)],
    "ClientTicketState.on_load": [
        _client_ticket("outsider", "on_load"),
        _client_ticket("agent", "on_load", secrets=TEAM_ONLY),
    ],
    "ClientTicketState.add_details": [_client_ticket("outsider", "add_details", [])],
    "ClientTicketState.confirm_fix": [
        _client_ticket("outsider", "confirm_fix"),
        _client_ticket("other_agent", "confirm_fix", secrets=TEAM_ONLY),
    ],
    "ClientTicketState.reopen": [_client_ticket("outsider", "reopen", {})],
    "SystemicState.on_load": [_f(SystemicState, "client", "on_load")],
    "SystemicState.declare_candidate": [
        _f(
            SystemicState,
            "agent",
            "declare_candidate",
            lambda w: {"candidate_id": str(w.candidate.id), "title": "Forged"},
        )
    ],
    "SystemicState.dismiss_candidate": [
        _f(SystemicState, "agent", "dismiss_candidate", lambda w: w.candidate.id)
    ],
    "SystemicState.declare_from_numbers": [
        _f(
            SystemicState,
            "outsider",
            "declare_from_numbers",
            lambda w: {"numbers": f"{w.ticket_a.number} {w.ticket_b.number}", "title": "F"},
        )
    ],
    "SystemicState.post_update": [
        _f(
            SystemicState,
            "agent",
            "post_update",
            lambda w: {"problem_id": str(w.problem.id), "body": "Forged news"},
        )
    ],
    "SystemicState.resolve": [
        _f(SystemicState, "client", "resolve", lambda w: {"problem_id": str(w.problem.id)})
    ],
    "SystemicState.link": [
        _f(SystemicState, "outsider", "link", lambda w: w.problem.id, lambda w: w.ticket_a2.id)
    ],
    "ReportsState.on_load": [_f(ReportsState, "agent", "on_load")],
    "ReportsState.set_start": [_f(ReportsState, "client", "set_start", lambda w: "2000-01-01")],
    "ReportsState.set_end": [_f(ReportsState, "agent", "set_end", lambda w: "2100-01-01")],
    "ReportsState.download_csv": [
        _f(ReportsState, "agent", "download_csv", lambda w: "by_organization"),
        _f(ReportsState, "outsider", "download_csv", lambda w: "by_organization"),
    ],
    "AgentConsoleState.take": [
        Forgery(
            AgentConsoleState,
            role,
            lambda s, w: _h(AgentConsoleState, "take")(s, w.ticket_a.number, w.ticket_a.version),
            secrets,
        )
        for role, secrets in (
            ("client", TEAM_ONLY),
            ("outsider", TICKET_A_SECRETS),
            ("nobody", TICKET_A_SECRETS),
        )
    ],
    "StaffProfileState.save": [
        Forgery(StaffProfileState, role, _save_staff_profile) for role in ("client", "nobody")
    ],
    "AgentConsoleState.accept": [
        Forgery(
            AgentConsoleState,
            "outsider",
            lambda s, w: _h(AgentConsoleState, "accept")(s, w.waiting_a.id),
        ),
    ],
    "AgentConsoleState.open_chat": [
        Forgery(
            AgentConsoleState,
            "other_agent",
            lambda s, w: _h(AgentConsoleState, "open_chat")(s, w.chat_a.id),
            CHAT_A_SECRETS,
        ),
        Forgery(
            AgentConsoleState,
            "outsider",
            lambda s, w: _h(AgentConsoleState, "open_chat")(s, w.chat_a.id),
            CHAT_A_SECRETS,
        ),
    ],
    "AgentConsoleState.send": [
        Forgery(
            AgentConsoleState,
            "other_agent",
            lambda s, w: _h(AgentConsoleState, "send")(
                s, {"message": "forged", "chat_id": w.chat_a.id, "client_msg_id": "x1"}
            ),
            CHAT_A_SECRETS,
        ),
    ],
    "AgentConsoleState.mark_resolved": [
        Forgery(
            AgentConsoleState, "outsider", lambda s, w: _h(AgentConsoleState, "mark_resolved")(s)
        ),
        Forgery(
            AgentConsoleState, "other_agent", lambda s, w: _h(AgentConsoleState, "mark_resolved")(s)
        ),
    ],
    "AgentConsoleState.start_convert": [
        Forgery(
            AgentConsoleState,
            "other_agent",
            lambda s, w: _h(AgentConsoleState, "start_convert")(s),
            CHAT_A_SECRETS,
        ),
    ],
    "AgentConsoleState.create_ticket": [
        Forgery(
            AgentConsoleState,
            "outsider",
            lambda s, w: _h(AgentConsoleState, "create_ticket")(
                s, {"title": "Forged", "chat_id": w.chat_b.id}
            ),
        ),
        Forgery(
            AgentConsoleState,
            "other_agent",
            lambda s, w: _h(AgentConsoleState, "create_ticket")(
                s, {"title": "Forged ticket from someone else's chat", "chat_id": w.chat_a.id}
            ),
            CHAT_A_SECRETS,
        ),
    ],
    "AgentConsoleState.upload_screenshots": [
        Forgery(
            AgentConsoleState,
            "outsider",
            lambda s, w: _h(AgentConsoleState, "upload_screenshots")(s, []),
        ),
    ],
    "AgentTicketState.on_load": [
        Forgery(
            AgentTicketState,
            "outsider",
            lambda s, w: _h(AgentTicketState, "on_load")(s),
            TICKET_A_SECRETS,
        ),
        Forgery(
            AgentTicketState, "client", lambda s, w: _h(AgentTicketState, "on_load")(s), TEAM_ONLY
        ),
    ],
    "AgentTicketState.post_update": [
        Forgery(
            AgentTicketState,
            "outsider",
            lambda s, w: _typed_then(s, "update_text", "forged", "post_update"),
            TICKET_A_SECRETS,
        ),
    ],
    "AgentTicketState.add_note": [
        Forgery(
            AgentTicketState,
            "client",
            lambda s, w: _typed_then(s, "note_text", "forged", "add_note"),
            TEAM_ONLY,
        ),
    ],
    "AgentTicketState.move_to": [
        Forgery(
            AgentTicketState,
            "outsider",
            lambda s, w: _h(AgentTicketState, "move_to")(s, "resolved"),
            TICKET_A_SECRETS,
        ),
    ],
    "AgentTicketState.reopen": [
        Forgery(
            AgentTicketState,
            "outsider",
            lambda s, w: _reopen_with_reason(s),
            TICKET_A_SECRETS,
        ),
    ],
    "ClientChatState.send": [
        Forgery(
            ClientChatState,
            "outsider",
            lambda s, w: _h(ClientChatState, "send")(
                s, {"message": "forged", "chat_id": w.chat_a.id, "client_msg_id": "x2"}
            ),
            CHAT_A_SECRETS,
        ),
    ],
    "ManagerNotificationsState.on_load": [
        Forgery(
            ManagerNotificationsState,
            "client",
            lambda s, w: _h(ManagerNotificationsState, "on_load")(s),
        ),
    ],
    "ManagerNotificationsState.refresh": [
        Forgery(
            ManagerNotificationsState,
            "outsider",
            lambda s, w: _h(ManagerNotificationsState, "refresh")(s),
            lambda w: (w.users["client"].email, w.client_b.email),
        ),
    ],
    "ManagerNotificationsState.set_status_filter": [
        Forgery(
            ManagerNotificationsState,
            "agent",
            lambda s, w: _h(ManagerNotificationsState, "set_status_filter")(s, "pending"),
            lambda w: (w.users["client"].email, w.client_b.email),
        ),
    ],
}


def test_every_event_handler_is_classified():
    missing = [h for h in _public_handlers() if h not in FORGERIES and h not in NO_IDS]
    assert not missing, f"classify these event handlers in tests/security: {missing}"


def test_no_state_can_set_a_backend_var_or_identity_through_setvar():
    """`setvar` is public on every state; it may reach only explicit setters."""
    root = rx.State(_reflex_internal_init=True)
    for cls in _state_classes().values():
        state = root.get_substate(cls.get_full_name().split("."))
        for name in ("_principal", "_chat_id", "_version", "session_token", "user_role"):
            with pytest.raises(AttributeError):
                cls.setvar.fn(state, name, "forged")


@pytest.fixture
def world(session) -> World:
    return build_world(session)


def _fresh_state(cls: type[rx.State], token: str):
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split("."))
    with_session_cookie(state, token)
    return root, state


def _everything_in(root: rx.State) -> str:
    """Every var the browser could receive, and the backend vars too."""
    parts = [json.dumps(root.dict(), default=str)]
    stack = [root]
    while stack:
        st = stack.pop()
        parts.append(repr({k: v for k, v in vars(st).items() if k.startswith("_")}))
        stack.extend(st.substates.values())
    return "\n".join(parts)


def _as_sent(item: Any) -> str:
    """An event a handler returns, as the browser receives it (downloads decoded)."""
    if isinstance(item, list | tuple):
        return "\n".join(_as_sent(i) for i in item)
    if isinstance(item, EventSpec):
        text = format_event(item)
        decoded = [base64.b64decode(m).decode("utf-8", "replace") for m in DATA_URL.findall(text)]
        return "\n".join([text, *decoded])
    return repr(item)


async def _consume(result: Any) -> str:
    """Run the handler to the end; what it returned or yielded goes to the browser too."""
    out: list[Any] = []
    if inspect.isasyncgen(result):
        async for item in result:
            out.append(item)
    elif inspect.isawaitable(result):
        out.append(await result)
    return _as_sent(out)


CASES = [(key, i) for key, forgeries in FORGERIES.items() for i in range(len(forgeries))]


@pytest.mark.parametrize(("key", "index"), CASES, ids=[f"{k}-{i}" for k, i in CASES])
async def test_a_forged_event_reaches_nothing_and_changes_nothing(
    key, index, world, session, monkeypatch
):
    forgery = FORGERIES[key][index]
    token = ""  # "nobody": a browser that never signed in
    if forgery.role != "nobody":
        user = world.users[forgery.role]
        token, _ = auth.sign_in(session=session, email=user.email, password=PASSWORD, now=utcnow())
    # The page's path comes from the browser too: point it at org A's ticket.
    for cls in (AgentTicketState, ClientTicketState):
        monkeypatch.setattr(cls, "_number", lambda self: str(world.ticket_a.number))
    session.rollback()
    before = snapshot(session)
    session.rollback()
    root, state = _fresh_state(forgery.cls, token)
    returned = await _consume(forgery.run(state, world))
    changed = changed_tables(before, snapshot(session))
    assert not changed, f"{key} as {forgery.role} changed {changed}"
    seen = _everything_in(root) + returned
    secrets = forgery.secrets(world) if callable(forgery.secrets) else forgery.secrets
    leaked = [s for s in secrets if s in seen]
    assert not leaked, f"{key} as {forgery.role} put {leaked} into the state"


async def test_the_same_calls_by_the_right_person_do_reach_the_data(world, session, monkeypatch):
    """The control: without it, a harness that signs nobody in would pass everything above."""
    monkeypatch.setattr(AgentTicketState, "_number", lambda self: str(world.ticket_b.number))
    token, _ = auth.sign_in(
        session=session, email=world.users["agent"].email, password=PASSWORD, now=utcnow()
    )
    root, state = _fresh_state(AgentTicketState, token)
    await _consume(_h(AgentTicketState, "on_load")(state))
    assert state.title == "Org B secret billing failure"
    state.update_text = "Real update"
    await _consume(_h(AgentTicketState, "post_update")(state, {}))
    assert "Real update" in _everything_in(root)

    token, _ = auth.sign_in(
        session=session, email=world.users["manager"].email, password=PASSWORD, now=utcnow()
    )
    root, state = _fresh_state(ManagerNotificationsState, token)
    await _consume(_h(ManagerNotificationsState, "refresh")(state))
    assert world.client_b.email in _everything_in(root)

    root, state = _fresh_state(BoardState, token)
    await _consume(_h(BoardState, "set_f_search")(state, "org a secret"))
    assert [c.title for c in state.new] == ["Org A secret workflow failure"]

    root, state = _fresh_state(ReportsState, token)
    today = date.today()
    state.start, state.end = (today - timedelta(days=30)).isoformat(), today.isoformat()
    returned = await _consume(_h(ReportsState, "download_csv")(state, "by_organization"))
    assert "Org B Fitness" in returned
