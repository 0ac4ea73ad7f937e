"""The ticket-quality rule: a ticket must let someone who was not in the chat act on it.

Returns a message per field so the form can show each one beside its input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Words that carry no information on their own; a description made only of these is vague.
_VAGUE_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "it",
        "is",
        "isn't",
        "its",
        "it's",
        "not",
        "doesn't",
        "does",
        "don't",
        "work",
        "working",
        "works",
        "broken",
        "broke",
        "issue",
        "issues",
        "problem",
        "problems",
        "error",
        "errors",
        "bug",
        "bugs",
        "help",
        "please",
        "something",
        "thing",
        "stuff",
        "wrong",
        "bad",
        "fail",
        "failed",
        "failing",
        "fails",
        "nothing",
        "anything",
        "everything",
        "weird",
        "strange",
        "odd",
        "same",
        "again",
        "still",
        "just",
        "doesnt",
        "dont",
        "isnt",
        "cant",
        "can't",
        "cannot",
        "won't",
        "wont",
        "and",
        "or",
        "but",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "with",
        "my",
        "our",
        "we",
        "i",
        "me",
        "you",
        "this",
        "that",
        "there",
        "here",
        "be",
        "was",
        "were",
        "are",
        "am",
        "has",
        "have",
        "had",
    ]
)
MIN_SPECIFIC_WORDS = 3
MIN_TITLE_CHARS = 8

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'&\-/.]*")


@dataclass
class TicketDraft:
    title: str = ""
    tried_to_do: str = ""
    happened_instead: str = ""
    started_when: str = ""
    recent_changes: str = ""
    steps_to_reproduce: str = ""
    error_messages: str = ""
    category: str = "Other"
    affected_area: str = "Other"
    priority: str = "normal"
    attachment_count: int = 0
    support_path: list[dict[str, str]] = field(default_factory=list)
    affected_workflow_name: str = ""
    affected_workflow_url: str = ""


def specific_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _VAGUE_WORDS and len(w) > 1]


def is_specific(text: str, minimum: int = MIN_SPECIFIC_WORDS) -> bool:
    return len(specific_words(text)) >= minimum


def check_quality(draft: TicketDraft) -> dict[str, str]:
    """Field name -> why it is not good enough. Empty when the ticket may be created."""
    from support_portal.domain.ticket_fields import AFFECTED_AREAS, CATEGORIES, Priority

    errors: dict[str, str] = {}
    if len(draft.title.strip()) < MIN_TITLE_CHARS or not specific_words(draft.title):
        errors["title"] = "Give the ticket a title that names the problem (at least 8 characters)."
    if not draft.tried_to_do.strip():
        errors["tried_to_do"] = "Say what the client was trying to do."
    elif not is_specific(draft.tried_to_do):
        errors["tried_to_do"] = (
            "Be specific about what the client was trying to do: name the workflow, page or "
            "feature and the goal (at least three specific words)."
        )
    if not draft.happened_instead.strip():
        errors["happened_instead"] = "Say what happened instead."
    elif not is_specific(draft.happened_instead):
        errors["happened_instead"] = (
            "Describe what actually happened, not just that it did not work "
            "(at least three specific words)."
        )
    has_steps = is_specific(draft.steps_to_reproduce, 2)
    has_error = bool(draft.error_messages.strip())
    if not (has_steps or has_error or draft.attachment_count > 0):
        msg = "Add steps to reproduce, an error message, or a screenshot."
        errors["steps_to_reproduce"] = msg
    if draft.category not in CATEGORIES:
        errors["category"] = "Choose a category."
    if draft.affected_area not in AFFECTED_AREAS:
        errors["affected_area"] = "Choose the affected area."
    if draft.priority not in {p.value for p in Priority}:
        errors["priority"] = "Choose a priority."
    return errors
