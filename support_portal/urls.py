"""Every route of the app and the builders of links to them, in one place."""

LOGIN = "/login"
CLIENT = "/client"
CLIENT_TICKET = "/client/tickets/[number]"
CLIENT_SETTINGS = "/client/settings"
AGENT = "/agent"
AGENT_TICKET = "/agent/tickets/[number]"
# A team member's own notification settings (agents and managers).
STAFF_PROFILE = "/profile"
MANAGER = "/manager"
MANAGER_NOTIFICATIONS = "/manager/notifications"
MANAGER_REPORTS = "/manager/reports"
MANAGER_SYSTEMIC = "/manager/systemic"
SESSION_COOKIE = "sp_session"
# Server routes that set and clear the session cookie (HttpOnly: page scripts never see it).
SIGN_IN_POST = "/auth/sign-in"
SIGNED_OUT = "/auth/signed-out"


def client_ticket(number: int | str) -> str:
    return f"/client/tickets/{number}"


def agent_ticket(number: int | str) -> str:
    return f"/agent/tickets/{number}"
