"""`/manager/reports`: charts of the team's work over a date range, each with its CSV."""

from __future__ import annotations

import reflex as rx

from support_portal.components.layout import page_frame
from support_portal.state.reports import CHARTS, ReportsState

_COLORS = ["var(--accent-9)", "var(--orange-9)", "var(--green-9)", "var(--red-9)"]


def _date_input(label: str, id_: str, value, on_change) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=id_, font_weight="500"),
        rx.input(id=id_, type="date", value=value, on_change=on_change),
        spacing="1",
    )


def _panel(key: str, chart: rx.Component) -> rx.Component:
    title = CHARTS[key]
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(title, size="4", as_="h2"),
                rx.spacer(),
                rx.button(
                    rx.icon("download", size=14),
                    "CSV",
                    on_click=ReportsState.download_csv(key),
                    variant="soft",
                    size="1",
                    aria_label=f"Download CSV: {title}",
                ),
                width="100%",
                align="center",
            ),
            # A figure named after its chart: the drawing is found by what it shows.
            rx.box(chart, role="figure", aria_label=title, width="100%"),
            width="100%",
        ),
        width="100%",
    )


def _bars(data, x: str, *series: str, layout: str = "horizontal") -> rx.Component:
    axes = (
        [
            rx.recharts.x_axis(type_="number"),
            rx.recharts.y_axis(data_key=x, type_="category", width=140),
        ]
        if layout == "vertical"
        else [rx.recharts.x_axis(data_key=x), rx.recharts.y_axis(allow_decimals=False)]
    )
    return rx.recharts.bar_chart(
        *[
            rx.recharts.bar(data_key=s, fill=_COLORS[k % len(_COLORS)], name=s.replace("_", " "))
            for k, s in enumerate(series)
        ],
        *axes,
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        data=data,
        layout=layout,
        width="100%",
        height=260,
    )


def _lines(data, x: str, *series: str) -> rx.Component:
    return rx.recharts.line_chart(
        *[
            rx.recharts.line(data_key=s, stroke=_COLORS[k % len(_COLORS)], name=s.replace("_", " "))
            for k, s in enumerate(series)
        ],
        rx.recharts.x_axis(data_key=x),
        rx.recharts.y_axis(),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        data=data,
        width="100%",
        height=260,
    )


def manager_reports_page() -> rx.Component:
    s = ReportsState
    return page_frame(
        rx.vstack(
            rx.heading("Reports", size="6", as_="h1"),
            rx.text(
                "Days and weeks (from Monday) are calendar days in ",
                s.time_zone,
                ".",
                size="2",
                color_scheme="gray",
            ),
            rx.hstack(
                _date_input("From", "report-start", s.start, s.set_start),
                _date_input("To", "report-end", s.end, s.set_end),
                spacing="4",
                align="end",
            ),
            rx.cond(
                s.error != "",
                rx.callout(s.error, icon="triangle-alert", color_scheme="red", role="alert"),
            ),
            rx.grid(
                _panel("volume", _bars(s.volume, "day", "opened", "closed")),
                _panel(
                    "first_response",
                    _lines(
                        s.first_response, "week", "avg_first_response_hours", "sla_compliance_pct"
                    ),
                ),
                _panel(
                    "resolution",
                    _bars(s.resolution, "week", "sla_met", "sla_breached"),
                ),
                _panel(
                    "update_promise",
                    rx.vstack(
                        rx.text(
                            "Of the hours each agent held open tickets (not waiting on the "
                            "client), how many had a public update no older than 48 hours, "
                            "and how many silences ran longer.",
                            size="2",
                            color_scheme="gray",
                        ),
                        _bars(s.update_promise, "agent", "covered_pct", "silences_over_48h"),
                        width="100%",
                    ),
                ),
                _panel("backlog", _bars(s.backlog, "age", "tickets")),
                _panel(
                    "agent_load", _bars(s.agent_load, "agent", "open_tickets", "resolved_in_range")
                ),
                _panel("by_category", _bars(s.by_category, "name", "tickets", layout="vertical")),
                _panel("by_area", _bars(s.by_area, "name", "tickets", layout="vertical")),
                _panel(
                    "by_organization",
                    _bars(s.by_organization, "name", "tickets", layout="vertical"),
                ),
                _panel(
                    "chats",
                    rx.vstack(
                        rx.text(
                            "Over threshold: chats that ran longer than ",
                            s.chat_threshold_minutes,
                            " minutes.",
                            size="2",
                            color_scheme="gray",
                        ),
                        _bars(s.chats, "day", "chats", "converted_to_ticket", "over_threshold"),
                        width="100%",
                    ),
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        role="manager",
        max_width="1300px",
    )
