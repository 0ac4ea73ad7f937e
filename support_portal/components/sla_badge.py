"""The SLA badge: time left or "Breached", told by colour and by text (never colour alone)."""

from __future__ import annotations

import reflex as rx

# Colours come from the page's stylesheet (`BADGE_CSS`), keyed by tone: one class per badge
# keeps a thousand cards light.
BADGE_CSS = """
.sla{display:inline-block;font-size:12px;line-height:1.4;padding:1px 6px;border-radius:4px;
 border:1px solid transparent;white-space:nowrap}
.sla-ok{background:#e6f4ea;color:#14532d;border-color:#86c99a}
.sla-warning{background:#fff4d6;color:#713f12;border-color:#e3b341}
.sla-breached{background:#fde2e1;color:#7f1d1d;border-color:#e5484d;font-weight:600}
.sla-paused{background:#eef0f3;color:#374151;border-color:#c4c9d2}
.sla-none{display:none}
.sep:has(+ .sla-none){display:none}
"""


def sla_badge(text: rx.Var, tone: rx.Var) -> rx.Component:
    return rx.el.span(text, class_name="sla sla-" + tone.to(str), title="SLA")
