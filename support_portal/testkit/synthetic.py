"""A labelled synthetic set of tickets: true clusters of paraphrased tickets about one
problem each, from several organizations, hidden among unrelated tickets.

Shared by the precision/recall test and `bench/similarity.py`. Deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from support_portal.domain.similarity import TicketText

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Problem:
    area: str
    titles: tuple[str, ...]
    tried: tuple[str, ...]
    happened: tuple[str, ...]
    errors: tuple[str, ...]


PROBLEMS: tuple[Problem, ...] = (
    Problem(
        "Workflows",
        (
            "Appointment reminder workflow skips the SMS step",
            "Reminder SMS not sent by appointment workflow",
            "Our appointment reminders stopped texting patients",
            "Workflow reminder text message step is being skipped",
        ),
        (
            "send the 24 hour appointment reminder SMS from the reminder workflow",
            "have the workflow text clients a reminder the day before their appointment",
            "remind booked contacts by SMS one day ahead via the workflow",
        ),
        (
            "workflow history shows the SMS step skipped for every contact",
            "the reminder text step is skipped and nobody gets the message",
            "contacts go through the workflow but the SMS action is skipped",
        ),
        (
            "Action skipped: no valid phone number",
            "SMS action skipped - no valid phone number",
            "skipped: no valid phone number on contact",
        ),
    ),
    Problem(
        "Calendars",
        (
            "Calendar shows double bookings for the same slot",
            "Two clients booked into one calendar slot",
            "Booking calendar allows overlapping appointments",
        ),
        (
            "let clients book open slots on the booking calendar",
            "take online bookings through the calendar widget",
            "have customers pick a free time on our calendar",
        ),
        (
            "two appointments were booked into the same time slot",
            "the calendar accepted a second booking for a slot already taken",
            "overlapping bookings appear for one slot on the calendar",
        ),
        (
            "no error, the slot still shows as available after booking",
            "slot shows available although it is booked",
            "",
        ),
    ),
    Problem(
        "Integrations",
        (
            "Stripe payments not syncing to invoices",
            "Invoices stay unpaid after Stripe payment",
            "Stripe integration does not mark invoices paid",
            "Paid Stripe invoices still show as unpaid",
        ),
        (
            "take card payments with Stripe and mark the invoice paid",
            "sync Stripe payments back to the invoice",
            "collect invoice payments via the Stripe integration",
        ),
        (
            "the invoice stays unpaid although Stripe shows the charge succeeded",
            "customers paid in Stripe but invoices are still open",
            "Stripe charge succeeded and the invoice never updated",
        ),
        (
            "Stripe webhook returned 401 unauthorized",
            "webhook 401 unauthorized from stripe",
            "Stripe webhook delivery failed: 401",
        ),
    ),
    Problem(
        "Email",
        (
            "Campaign emails landing in spam folder",
            "Our email campaigns go to spam",
            "Marketing emails flagged as spam by Gmail",
        ),
        (
            "send the monthly newsletter email campaign to our list",
            "email our subscribers the weekly campaign",
            "run the newsletter campaign to all contacts",
        ),
        (
            "most recipients find the campaign email in their spam folder",
            "Gmail puts every campaign email into spam",
            "subscribers say the newsletter arrived in spam",
        ),
        (
            "DMARC check failed for sending domain",
            "dmarc fail on our sending domain",
            "DKIM and DMARC failed for the domain",
        ),
    ),
    Problem(
        "Forms & funnels",
        (
            "Funnel form submissions not creating contacts",
            "Form submissions on the funnel are lost",
            "Leads from the funnel form never show up as contacts",
        ),
        (
            "capture leads with the opt-in form on our funnel page",
            "collect sign ups from the funnel opt-in form",
            "get new leads from the landing page form in the funnel",
        ),
        (
            "the form says thank you but no contact is created",
            "submissions show success yet the contact list has no new leads",
            "people submit the opt-in form and no contact appears",
        ),
        (
            "console error: recaptcha token expired",
            "recaptcha token expired in browser console",
            "",
        ),
    ),
    Problem(
        "Phone & SMS",
        (
            "Inbound calls drop after the IVR greeting",
            "Calls disconnect right after the phone menu greeting",
            "Callers get hung up on after the IVR message",
        ),
        (
            "route inbound calls through the IVR phone menu to our front desk",
            "have callers press 1 in the IVR to reach reception",
            "forward incoming calls via the IVR menu",
        ),
        (
            "the call drops right after the greeting plays",
            "callers are disconnected as soon as the IVR greeting ends",
            "the line goes dead after the phone menu greeting",
        ),
        (
            "call log status: failed, IVR node error",
            "IVR node error in the call log",
            "call status failed (ivr node error)",
        ),
    ),
    Problem(
        "Pipelines",
        (
            "Opportunities jump back to the first pipeline stage",
            "Deals move back to the first stage of the pipeline on their own",
            "Pipeline stage resets for opportunities overnight",
        ),
        (
            "move opportunities through our sales pipeline stages",
            "track deals across the pipeline stages",
            "advance opportunities to the proposal stage",
        ),
        (
            "the next morning the opportunities are back in the first stage",
            "opportunities reset to the first pipeline stage overnight",
            "deals we moved are back at stage one the next day",
        ),
        (
            "activity log: stage changed by automation sync",
            "stage changed by automation sync in activity log",
            "",
        ),
    ),
    Problem(
        "Billing",
        (
            "Charged twice for the monthly subscription",
            "Duplicate charge on our subscription renewal",
            "Subscription renewal billed two times",
        ),
        (
            "pay the monthly subscription renewal for our account",
            "renew the monthly plan with the saved card",
            "keep the monthly subscription active",
        ),
        (
            "the card was charged twice for the same renewal",
            "two identical charges for the subscription appear on the statement",
            "the renewal charged our card two times",
        ),
        (
            "two invoices with the same renewal date",
            "duplicate invoice for the renewal date",
            "",
        ),
    ),
)


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.replace("|", " | ").split("|")] if "|" in text else text.split()


# Unrelated tickets draw a few words from each list, so two of them rarely share much.
_SUBJECTS = _words(
    "dashboard widget report export tag filter contact list custom field user permission "
    "location setting logo domain snapshot template survey quiz membership course community "
    "review request coupon product store checkout order shipping tax timezone language theme "
    "avatar signature social planner post instagram facebook linkedin tiktok youtube pixel "
    "conversion analytics attribution chatbot widget trigger link qr code affiliate payout "
    "commission voicemail transcription recording whisper conference queue"
)
_VERBS = _words(
    "shows wrong totals|loads slowly|cannot be saved|shows a blank page|resets on refresh|"
    "is missing after update|duplicates entries|shows the old version|cannot be deleted|"
    "displays in the wrong language|times out|cuts off text|ignores the filter|"
    "rounds numbers oddly|loses formatting|shows a spinner forever|sorts in the wrong order"
)
_DETAILS = _words(
    "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november "
    "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu amber basil "
    "cedar dahlia ember fennel garnet hazel iris jasper kelp lotus maple nutmeg olive pepper "
    "quartz raven saffron thistle umber violet willow yarrow zinnia acorn birch clover"
)
_AREAS = (
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


@dataclass(frozen=True)
class LabelledSet:
    texts: list[TicketText]
    truth: dict[int, int | None]  # ticket id -> true cluster (None: unrelated)


def _paraphrase(rng: random.Random, problem: Problem) -> tuple[str, str, str, str]:
    title = rng.choice(problem.titles)
    tried = rng.choice(problem.tried)
    happened = rng.choice(problem.happened)
    error = rng.choice(problem.errors)
    # Clients add their own context; it should not keep the tickets apart.
    extra = " ".join(rng.sample(_DETAILS, 2))
    return title, tried, f"{happened}. Noticed at the {extra} office.", error


def _pseudo_words(n: int, seed: int = 3) -> list[str]:
    """Made-up product words: real unrelated tickets talk about many different things."""
    rng = random.Random(seed)
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    words: set[str] = set()
    while len(words) < n:
        words.add(
            "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))
        )
    return sorted(words)


_TOPICS = _pseudo_words(4000)


def _unrelated(rng: random.Random) -> tuple[str, str, str, str, str]:
    a = rng.choice(_SUBJECTS) if rng.random() < 0.3 else rng.choice(_TOPICS)
    b = rng.choice(_TOPICS)
    verb = f"{rng.choice(_VERBS)} {rng.choice(['in', 'on', 'for', 'after'])} {rng.choice(_TOPICS)}"
    words = " ".join(rng.sample(_TOPICS, 3))
    title = f"{a.title()} {b} {verb}"
    tried = f"use the {a} {b} for the {words} project"
    happened = f"the {a} {verb} when opening {b} {rng.choice(_TOPICS)}"
    error = rng.choice(["", f"code {rng.randint(100, 999)} {rng.choice(_DETAILS)}"])
    return title, tried, happened, error, rng.choice(_AREAS)


def make_labelled_set(
    *,
    n_total: int = 600,
    n_clusters: int = len(PROBLEMS),
    cluster_size: tuple[int, int] = (5, 12),
    n_orgs: int = 60,
    seed: int = 7,
    now: datetime = NOW,
) -> LabelledSet:
    """`n_clusters` true clusters (each from at least three organizations) among unrelated
    tickets, `n_total` in all, created within the week before `now`."""
    rng = random.Random(seed)
    texts: list[TicketText] = []
    truth: dict[int, int | None] = {}
    next_id = 1

    def add(title, tried, happened, error, area, org, label):
        nonlocal next_id
        created = now - timedelta(minutes=rng.randint(0, 6 * 24 * 60))
        texts.append(
            TicketText(
                id=next_id,
                title=title,
                tried_to_do=tried,
                happened_instead=happened,
                error_messages=error,
                steps=f"Open the {area.lower()} page and try again",
                affected_area=area,
                organization_id=org,
                created_at=created,
            )
        )
        truth[next_id] = label
        next_id += 1

    for label, problem in enumerate(PROBLEMS[:n_clusters]):
        size = rng.randint(*cluster_size)
        orgs = rng.sample(range(1, n_orgs + 1), k=min(size, n_orgs))
        for k in range(size):
            # Most clients pick the right area; some do not, as in real life.
            area = problem.area if rng.random() < 0.85 else rng.choice(_AREAS)
            add(*_paraphrase(rng, problem), area, orgs[k % len(orgs)], label)
    while len(texts) < n_total:
        title, tried, happened, error, area = _unrelated(rng)
        add(title, tried, happened, error, area, rng.randint(1, n_orgs), None)
    rng.shuffle(texts)
    return LabelledSet(texts=texts, truth=truth)
