"""`/manager/reports`: the figures for a date range, and each chart's rows as CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

import reflex as rx

from support_portal.clock import utcnow
from support_portal.domain.roles import Role
from support_portal.services import reports
from support_portal.services.errors import ServiceError
from support_portal.settings import get_settings
from support_portal.state.session import SessionState, in_db

Rows = list[dict[str, Any]]
# Each chart's title, for the page.
CHARTS = reports.CHARTS


class ReportsState(SessionState):
    start: str = ""
    end: str = ""
    error: str = ""
    volume: Rows = []
    first_response: Rows = []
    resolution: Rows = []
    update_promise: Rows = []
    backlog: Rows = []
    by_category: Rows = []
    by_area: Rows = []
    by_organization: Rows = []
    agent_load: Rows = []
    chats: Rows = []
    chat_threshold_minutes: float = 15.0
    # Days in the charts are calendar days of this zone.
    time_zone: str = ""

    @rx.event
    async def on_load(self):
        turned_away = await self._guard(Role.MANAGER)
        if turned_away:
            return turned_away
        self.time_zone = get_settings().agency_timezone
        if not self.start or not self.end:
            first, last = reports.default_range(utcnow())
            self.start, self.end = first.isoformat(), last.isoformat()
        return await self._load()

    @rx.event
    async def set_start(self, value: str):
        self.start = value
        return await self._load()

    @rx.event
    async def set_end(self, value: str):
        self.end = value
        return await self._load()

    def _range(self) -> tuple[date, date] | None:
        try:
            return date.fromisoformat(self.start), date.fromisoformat(self.end)
        except ValueError:
            self.error = "Pick a start and an end date."
            return None

    async def _report(self) -> reports.Report | None:
        principal = await self._require(Role.MANAGER)
        if principal is None:
            return None
        picked = self._range()
        if picked is None:
            return None
        start, end = picked
        try:
            return await in_db(
                lambda s: reports.build_report(
                    session=s, principal=principal, start=start, end=end, now=utcnow()
                )
            )
        except ServiceError as exc:
            self.error = str(exc)
            return None

    async def _load(self):
        report = await self._report()
        if report is None:
            return
        self.error = ""
        self.chat_threshold_minutes = get_settings().chat_escalation_minutes
        for key, rows in report.charts.items():
            setattr(self, key, rows)

    @rx.event
    async def download_csv(self, chart: str):
        if chart not in reports.CHARTS:
            return
        report = await self._report()
        if report is None:
            return rx.toast.error(self.error or "Reports are for managers.")
        return rx.download(
            data=reports.to_csv(report.charts[chart]),
            filename=f"{chart}_{report.start}_{report.end}.csv",
            mime_type="text/csv",
        )
