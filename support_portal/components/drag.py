"""HTML5 drag and drop on plain elements.

Reflex 0.10 has no drag triggers on `rx.el` elements, so these two subclasses declare the
browser's own `dragstart`, `dragover` and `drop` events. Native drag and drop needs no extra
JavaScript library, and Playwright's `locator.drag_to` drives it in Chromium.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.event import no_args_event_spec
from reflex_components_core.el.elements.sectioning import Article, Section


class DraggableArticle(Article):
    on_drag_start: rx.EventHandler[no_args_event_spec]
    on_drag_end: rx.EventHandler[no_args_event_spec]


class DropSection(Section):
    on_drag_over: rx.EventHandler[no_args_event_spec]
    on_drop: rx.EventHandler[no_args_event_spec]


draggable_article = DraggableArticle.create
drop_section = DropSection.create
