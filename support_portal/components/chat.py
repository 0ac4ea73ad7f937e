"""Pieces of the live chat shown to both sides: the messages, the send box, the timer."""

from __future__ import annotations

from typing import Any

import reflex as rx

from support_portal.components.limits import char_counter
from support_portal.components.links import rich_text
from support_portal.domain.text_limits import CHAT_MESSAGE

# One interval for the whole page: every timer element is updated from its start time, so no
# event goes to the server per second. The flag element beside a timer is shown once the
# threshold passes; the server computes the same flag from stored times on every load.
# A timer of a chat the agent holds (`data-alert`) also alerts them as it passes: a toast,
# once per chat in this tab, and the tab's title while any of their chats is over the time,
# so the alert is seen from another tab too.
TIMER_JS = """
if (!window.__chatTimers) {
  const pad = (n) => String(n).padStart(2, "0");
  const MARK = "\u26a0 ";
  const alerted = new Set(JSON.parse(sessionStorage.getItem("chat-alerts") || "[]"));
  const alertOnce = (el, flag) => {
    const id = el.dataset.chatId;
    if (alerted.has(id)) return;
    const toast = window.__reflex?.["$/utils/state"]?.refs?.__toast;
    if (!toast) return;  // the app is not mounted yet: try again at the next tick
    alerted.add(id);
    sessionStorage.setItem("chat-alerts", JSON.stringify([...alerted]));
    toast.warning(el.dataset.alert + ": " + flag.textContent, {id: "chat-alert-" + id,
      duration: 20000});
  };
  const tick = () => {
    const now = Date.now();
    let overdue = "";
    document.querySelectorAll("[data-chat-timer]").forEach((el) => {
      const started = Number(el.dataset.startedMs);
      if (!started) return;
      const secs = Math.max(0, Math.floor((now - started) / 1000));
      el.textContent = pad(Math.floor(secs / 60)) + ":" + pad(secs % 60);
      const flag = document.getElementById(el.dataset.flagId);
      const threshold = Number(el.dataset.thresholdSeconds);
      if (flag && threshold && secs >= threshold) {
        flag.hidden = false;
        if (el.dataset.alert) {
          alertOnce(el, flag);
          overdue = overdue || flag.textContent;
        }
      }
    });
    const title = document.title;
    if (overdue && !title.startsWith(MARK)) {
      document.title = MARK + overdue + " \u00b7 " + title;
    } else if (!overdue && title.startsWith(MARK)) {
      document.title = title.slice(title.indexOf(" \u00b7 ") + 3);
    }
  };
  window.__chatTimers = setInterval(tick, 1000);
  tick();
}
"""


def chat_timer(
    *,
    key: Any,
    started_at_ms: Any,
    mm_ss: Any,
    flagged: Any,
    threshold_seconds: Any,
    flag_text: Any,
    alert: Any = None,
) -> rx.Component:
    """Elapsed mm:ss that ticks in the browser, and the escalation flag beside it.

    `alert` (e.g. "Chat with Jack Wilson"), for a chat the viewer holds: passing the
    threshold also shows a toast and marks the tab's title.
    """
    flag_id = f"chat-flag-{key}"
    alerting = {"data-alert": alert, "data-chat-id": key} if alert is not None else {}
    return rx.hstack(
        rx.el.span(
            mm_ss,
            custom_attrs={
                "data-chat-timer": "1",
                "data-started-ms": started_at_ms,
                "data-threshold-seconds": threshold_seconds,
                "data-flag-id": flag_id,
                "aria-label": "Elapsed time",
                **alerting,
            },
            font_family="monospace",
        ),
        rx.el.span(
            rx.badge(flag_text, color_scheme="red", variant="solid"),
            id=flag_id,
            hidden=~flagged,
            role="status",
        ),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def message_list(messages: Any) -> rx.Component:
    return rx.vstack(
        rx.foreach(
            messages,
            lambda m: rx.box(
                rx.text(
                    rx.text.strong(m["sender_name"]),
                    " · ",
                    m["at"],
                    size="1",
                    color_scheme="gray",
                ),
                rich_text(m["segments"]),
                padding="0.5em",
                border_radius="6px",
                background=rx.match(
                    m["sender_role"],
                    ("client", "var(--blue-a3)"),
                    ("system", "var(--amber-a3)"),
                    "var(--gray-a3)",
                ),
                width="100%",
                class_name="chat-message",
            ),
        ),
        role="log",
        aria_label="Chat messages",
        aria_live="polite",
        spacing="2",
        width="100%",
        max_height="360px",
        overflow_y="auto",
    )


def send_form(*, state: Any, form_id: str) -> rx.Component:
    """The send box of `state` (a chat member's state): the typed text lives in the state,
    so a refused message stays in the box and only a sent one clears it."""
    input_id = f"{form_id}-message"
    return rx.form(
        rx.hstack(
            rx.el.label("Message", html_for=input_id, font_size="0.9em"),
            rx.input(
                id=input_id,
                name="message",
                placeholder="Type a message",
                width="100%",
                value=state.draft,
                on_change=state.set_draft,
                aria_describedby=f"{input_id}-count",
            ),
            rx.el.input(type="hidden", name="client_msg_id", value=state.send_id),
            rx.button("Send", type="submit"),
            width="100%",
            align="center",
        ),
        char_counter(state.draft.length(), CHAT_MESSAGE, field_id=input_id),
        on_submit=state.send,
        reset_on_submit=False,
        id=form_id,
        width="100%",
    )
