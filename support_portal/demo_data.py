"""Demo data that makes a first start feel alive: an agency, three clients, chats, tickets.

Built through the services, with the clock moved back, so every ticket has the timeline,
SLA targets and outbox rows a real one would have.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from support_portal.clock import utcnow
from support_portal.domain.chat_rules import ChatStatus
from support_portal.domain.lifecycle import Status
from support_portal.domain.ticket_quality import TicketDraft
from support_portal.models import ChatMessage, ChatSession, Notification, User
from support_portal.services import tickets
from support_portal.services.accounts import create_organization, create_user
from support_portal.services.authz import Principal

DEMO_PASSWORD = "demo-password"  # noqa: S105  (published in the README)

STAFF = [
    ("manager@agency.example", "Morgan Reyes", "manager"),
    ("alex@agency.example", "Alex Kim", "agent"),
    ("sam@agency.example", "Sam Patel", "agent"),
]

CLIENTS = [
    (
        "Bright Smiles Dental",
        "America/Chicago",
        "loc_bsd_01",
        [
            ("dana@brightsmiles.example", "Dana Brooks"),
            ("lee@brightsmiles.example", "Lee Carter"),
        ],
    ),
    (
        "Harbor Fitness",
        "Europe/London",
        "loc_hf_02",
        [
            ("olivia@harborfitness.example", "Olivia Shaw"),
            ("tom@harborfitness.example", "Tom Hughes"),
        ],
    ),
    (
        "Summit Realty",
        "Australia/Sydney",
        "loc_sr_03",
        [
            ("mia@summitrealty.example", "Mia Nguyen"),
            ("jack@summitrealty.example", "Jack Wilson"),
        ],
    ),
]

# (title, tried, happened, steps, error, category, area, priority, target status)
TICKETS = [
    (
        "Appointment reminder workflow stopped sending SMS",
        "send the 24-hour appointment reminder SMS from the 'Appointment Reminders' workflow",
        "the workflow history shows the contacts enrolled but the SMS step is skipped with no message sent",
        "1. Book a test appointment for tomorrow\n2. Open workflow history\n3. SMS step shows 'skipped'",
        "Action skipped: no valid phone number",
        "Bug",
        "Workflows",
        "high",
        Status.IN_PROGRESS,
    ),
    (
        "New lead form submissions not creating opportunities",
        "capture website leads from the 'Free consultation' form into the sales pipeline",
        "form submissions appear under contacts but no opportunity is created in the pipeline stage",
        "Submit the consultation form on the landing page with a new email address",
        "",
        "Bug",
        "Forms & funnels",
        "urgent",
        Status.NEW,
    ),
    (
        "Google Calendar sync shows double bookings",
        "sync the team calendar with Google Calendar so booked slots are blocked",
        "slots already booked in Google still show as available and two clients booked the same time",
        "Book 10am in Google Calendar, then open the booking widget for the same day",
        "",
        "Bug",
        "Calendars",
        "high",
        Status.WAITING_ON_CLIENT,
    ),
    (
        "Pipeline stage automation moves deals to the wrong stage",
        "move an opportunity to 'Proposal sent' when the proposal email is opened",
        "the opportunity jumps to 'Closed lost' instead of 'Proposal sent'",
        "Send the proposal template to a test contact and open the email",
        "",
        "Configuration",
        "Automations",
        "normal",
        Status.RESOLVED,
    ),
    (
        "Missed-call text-back not sent after hours",
        "text back callers automatically when a call is missed outside opening hours",
        "callers who rang after 6pm received no text back; calls during the day work",
        "Call the business number after 6pm and let it ring out",
        "",
        "Bug",
        "Phone & SMS",
        "normal",
        Status.CLOSED,
    ),
    (
        "Invoice emails land in spam for Outlook users",
        "email monthly membership invoices to members from the billing workflow",
        "members on Outlook and Hotmail receive the invoice in their junk folder",
        "Send a test invoice to an outlook.com address",
        "",
        "Configuration",
        "Email",
        "normal",
        Status.IN_PROGRESS,
    ),
    (
        "How to add a second location to the booking calendar",
        "offer bookings at the new Northside studio in the same calendar widget",
        "only the main studio appears in the widget and there is no setting for a second location",
        "Open calendar settings and look for locations",
        "",
        "How-to question",
        "Calendars",
        "low",
        Status.RESOLVED,
    ),
    (
        "Zapier integration stopped posting new contacts to Slack",
        "post every new contact to the #leads Slack channel through Zapier",
        "the zap has not run since Monday and shows an authentication error",
        "Create a contact and check the Zapier task history",
        "401 Unauthorized: token expired",
        "Bug",
        "Integrations",
        "high",
        Status.NEW,
    ),
    (
        "Charged twice for the SMS add-on this month",
        "pay the monthly SMS add-on for the sub-account",
        "the card statement shows two identical charges on the same day",
        "",
        "Duplicate charge INV-20931",
        "Bug",
        "Billing",
        "normal",
        Status.WAITING_ON_CLIENT,
    ),
    (
        "Birthday campaign sends on the wrong day",
        "send a birthday offer on each member's birthday at 9am",
        "messages arrive one day early for members in our time zone",
        "Set a test contact's birthday to tomorrow and watch the campaign",
        "",
        "Bug",
        "Automations",
        "normal",
        Status.IN_PROGRESS,
    ),
    (
        "Funnel checkout page shows a blank payment form",
        "sell the 6-week challenge through the checkout step of the funnel",
        "the payment form area stays blank on mobile Safari so nobody can pay",
        "Open the funnel checkout on an iPhone in Safari",
        "Refused to load the script because of Content Security Policy",
        "Bug",
        "Forms & funnels",
        "urgent",
        Status.IN_PROGRESS,
    ),
    (
        "Request: round-robin assignment for new leads",
        "share new property enquiries evenly between the three agents",
        "every enquiry is assigned to the account owner and the others get none",
        "Submit two enquiries in a row and check the assigned user",
        "",
        "Feature request",
        "Workflows",
        "low",
        Status.NEW,
    ),
    (
        "Open-house reminder workflow enrolls contacts twice",
        "remind registered buyers about Saturday's open house once",
        "buyers received the same reminder two or three times",
        "Register for an open house from the listing page, then check the workflow enrollment",
        "",
        "Bug",
        "Workflows",
        "normal",
        Status.RESOLVED,
    ),
    (
        "Two-way SMS replies not showing in conversations",
        "read and answer client replies to our SMS in the conversations inbox",
        "replies from clients never appear in the inbox although they say they replied",
        "Send an SMS from conversations to a mobile and reply from the phone",
        "",
        "Bug",
        "Phone & SMS",
        "high",
        Status.WAITING_ON_CLIENT,
    ),
    (
        "Email domain verification stuck on pending",
        "send emails from our own domain summitrealty.example",
        "the DNS records were added a week ago but the domain still shows 'pending verification'",
        "Open email settings, dedicated domain, press 'Verify'",
        "DKIM record not found",
        "Configuration",
        "Email",
        "normal",
        Status.CLOSED,
    ),
    (
        "Pipeline report totals do not match opportunities",
        "report this month's won revenue from the sales pipeline dashboard",
        "the dashboard total is lower than the sum of won opportunities in the list view",
        "Compare the dashboard widget with the filtered list of won opportunities",
        "",
        "Bug",
        "Pipelines",
        "normal",
        Status.NEW,
    ),
    (
        "Appointment confirmation workflow sends no email",
        "email a confirmation when a patient books an appointment online",
        "the booking works but the confirmation email step fails for every patient",
        "Book through the online widget and check workflow history",
        "Email step failed: template not found",
        "Bug",
        "Workflows",
        "high",
        Status.IN_PROGRESS,
    ),
    (
        "Class booking form not saving phone numbers",
        "collect members' mobile numbers on the class booking form",
        "the phone field is empty on the contact record after booking",
        "Book a class with a mobile number and open the contact",
        "",
        "Bug",
        "Forms & funnels",
        "normal",
        Status.CLOSED,
    ),
    (
        "How to pause all automations during the holidays",
        "pause every outbound automation between Christmas and New Year",
        "there is only a per-workflow toggle and we have 40 workflows",
        "Open automations and look for a global pause",
        "",
        "How-to question",
        "Automations",
        "low",
        Status.WAITING_ON_CLIENT,
    ),
    (
        "Stripe integration disconnected after password change",
        "keep taking deposits through the connected Stripe account",
        "payments fail at checkout since we changed the Stripe password",
        "Try a test deposit in the deposit funnel",
        "Stripe: No such API key",
        "Bug",
        "Integrations",
        "urgent",
        Status.RESOLVED,
    ),
]

CHAT_LINES = [
    ("client", "Hi, {problem}. Can you help?"),
    ("agent", "Hi {client}, sorry about that. Which workflow or page is this on?"),
    ("client", "It is the one we use every day: {area}. It started this week."),
    ("agent", "Thanks. I tried it on your sub-account and can see the same thing."),
    ("agent", "This needs a closer look from our team, so I'm opening a ticket for it."),
]


def has_data(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(User)).one() > 0


def seed_demo(session: Session, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    staff = {
        email: create_user(
            session=session, email=email, name=name, role=role, password=DEMO_PASSWORD
        )
        for email, name, role in STAFF
    }
    manager = Principal.of(staff["manager@agency.example"])
    agents = [Principal.of(staff["alex@agency.example"]), Principal.of(staff["sam@agency.example"])]
    clients: list[tuple[int, User]] = []
    for org_name, tz, sub, people in CLIENTS:
        org = create_organization(
            session=session, name=org_name, timezone=tz, crm_subaccount_id=sub
        )
        for email, name in people:
            user = create_user(
                session=session,
                email=email,
                name=name,
                role="client",
                password=DEMO_PASSWORD,
                organization=org,
            )
            clients.append((org.id, user))  # type: ignore[arg-type]

    for i, (title, tried, happened, steps, error, cat, area, prio, target) in enumerate(TICKETS):
        org_id, client = clients[i % len(clients)]
        agent = agents[i % 2]
        # Resolved tickets are recent, so the auto-close job leaves them for the client to confirm.
        days = 2 if target == Status.RESOLVED else 11 - (i % 9)
        start = now - timedelta(days=days, hours=(i * 5) % 11)
        chat = _demo_chat(
            session,
            client=client,
            org_id=org_id,
            agent=agent,
            start=start,
            problem=happened,
            area=area,
        )
        transcript = [
            {"sender": m.sender_role, "body": m.body, "at": m.created_at.isoformat()}
            for m in session.exec(select(ChatMessage).where(ChatMessage.chat_id == chat.id)).all()
        ]
        t0 = start + timedelta(minutes=18)
        draft = TicketDraft(
            title=title,
            tried_to_do=tried,
            happened_instead=happened,
            started_when="This week",
            recent_changes="",
            steps_to_reproduce=steps,
            error_messages=error,
            category=cat,
            affected_area=area,
            priority=prio,
            support_path=[{"channel": "chat", "outcome": "Reproduced; needs investigation"}],
        )
        ticket = tickets.create_ticket(
            session=session,
            principal=agent,
            draft=draft,
            organization_id=org_id,
            requester_id=client.id,
            source_chat_id=chat.id,
            transcript=transcript,
            now=t0,  # type: ignore[arg-type]
        )
        chat.ticket_id = ticket.id
        chat.status = ChatStatus.CONVERTED.value
        chat.ended_at = t0
        _walk_to(
            session,
            ticket=ticket,
            target=target,
            agent=agent,
            manager=manager,
            client=Principal.of(client),
            t=t0,
            i=i,
        )
    # The demo's history is not news: mark its outbox as already sent.
    for row in session.exec(select(Notification)).all():
        row.status = "sent"
        row.sent_at = row.created_at
        row.attempts = 1
    _waiting_chats(session, clients, now)
    session.flush()


def _demo_chat(
    session: Session,
    *,
    client: User,
    org_id: int,
    agent: Principal,
    start: datetime,
    problem: str,
    area: str,
) -> ChatSession:
    chat = ChatSession(
        organization_id=org_id,
        client_id=client.id,
        agent_id=agent.user_id,  # type: ignore[arg-type]
        status=ChatStatus.ACTIVE.value,
        topic=problem[:120],
        created_at=start,
        accepted_at=start + timedelta(minutes=1),
    )
    session.add(chat)
    session.flush()
    for j, (role, line) in enumerate(CHAT_LINES):
        at = start + timedelta(minutes=1 + j * 3)
        session.add(
            ChatMessage(
                chat_id=chat.id,
                sender_id=client.id if role == "client" else agent.user_id,  # type: ignore[arg-type]
                sender_role=role,
                created_at=at,
                body=line.format(problem=problem, client=client.name.split()[0], area=area),
            )
        )
        chat.last_message_at = at
    return chat


def _walk_to(
    session: Session,
    *,
    ticket,
    target: Status,
    agent: Principal,
    manager: Principal,
    client: Principal,
    t: datetime,
    i: int,
) -> None:
    if target == Status.NEW:
        return
    t += timedelta(hours=1)
    tickets.assign(
        session=session, principal=manager, ticket=ticket, assignee_id=agent.user_id, now=t
    )
    t += timedelta(hours=2)
    tickets.change_status(
        session=session, principal=agent, ticket=ticket, to=Status.IN_PROGRESS, now=t
    )
    t += timedelta(hours=3)
    tickets.post_update(
        session=session,
        principal=agent,
        ticket=ticket,
        body="I reproduced this on your sub-account and I'm tracing the cause.",
        now=t,
    )
    tickets.post_update(
        session=session,
        principal=agent,
        ticket=ticket,
        internal=True,
        body="Looks related to last week's platform release; checking logs.",
        now=t + timedelta(minutes=5),
    )
    if target == Status.IN_PROGRESS:
        return
    if target == Status.WAITING_ON_CLIENT:
        tickets.change_status(
            session=session,
            principal=agent,
            ticket=ticket,
            to=Status.WAITING_ON_CLIENT,
            now=t + timedelta(hours=1),
            reason="Please send a screenshot of the settings page.",
        )
        return
    t += timedelta(hours=20)
    tickets.change_status(
        session=session,
        principal=agent,
        ticket=ticket,
        to=Status.RESOLVED,
        now=t,
        reason="Fixed the configuration and tested it end to end.",
    )
    if target == Status.CLOSED:
        tickets.confirm_fix(
            session=session, principal=client, ticket=ticket, now=t + timedelta(hours=5)
        )


def _waiting_chats(session: Session, clients: list[tuple[int, User]], now: datetime) -> None:
    """Two chats waiting in the queue, one of them already past the escalation threshold."""
    for minutes, (org_id, client), text in (
        (3, clients[1], "Our calendar widget shows the wrong time zone for bookings."),
        (22, clients[4], "Contacts imported from CSV are missing their tags."),
    ):
        start = now - timedelta(minutes=minutes)
        chat = ChatSession(
            organization_id=org_id,
            client_id=client.id,
            status=ChatStatus.WAITING.value,
            topic=text,
            created_at=start,
            last_message_at=start,
        )
        session.add(chat)
        session.flush()
        session.add(
            ChatMessage(
                chat_id=chat.id,
                sender_id=client.id,
                sender_role="client",
                body=text,
                created_at=start,
            )
        )
