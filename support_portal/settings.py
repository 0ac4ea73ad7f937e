"""Typed settings read from the environment (and an optional `.env`).

Every setting has a default so the app runs with no configuration: SQLite, the in-memory
state manager and the console notifier.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    db_url: str = Field(default=f"sqlite:///{PROJECT_ROOT / 'data' / 'support_portal.db'}")
    redis_url: str | None = None
    data_dir: Path = PROJECT_ROOT / "data"

    # Sign-in
    session_hours: float = 12.0
    login_max_failures: int = 5
    login_lockout_minutes: float = 15.0
    # While an email is locked, an address that has not been failing may try this often.
    login_locked_retry_seconds: float = 30.0

    # Live chat
    chat_escalation_minutes: float = 15.0

    # Attachments: each file, and one upload request (several files together); a larger
    # request is refused before its body is read.
    max_upload_mb: float = 10.0
    max_upload_request_mb: float = 30.0

    # Notifications
    sendgrid_api_key: str | None = None
    sendgrid_host: str | None = None
    sendgrid_webhook_public_key: str | None = None
    sendgrid_inbound_secret: str | None = None
    email_from: str = "support@agency.example"
    team_email: str = "team@agency.example"
    team_phone: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_base_url: str | None = None
    public_base_url: str = "http://localhost:3000"
    # Other origins whose pages may call the backend with credentials, comma-separated.
    cors_origins: str = ""
    # Replies to ticket emails go to reply+<ticket token>@this domain (SendGrid Inbound Parse).
    inbound_email_domain: str = "reply.agency.example"
    provider_timeout_seconds: float = 10.0
    outbox_max_attempts: int = 8

    # SLA and jobs
    agency_timezone: str = "America/New_York"
    holiday_country: str = "US"
    business_days: str = "0,1,2,3,4"
    business_start: str = "09:00"
    business_end: str = "17:00"
    closed_dates: str = ""
    update_interval_hours: float = 48.0
    auto_close_reminder_days: float = 3.0
    auto_close_days: float = 7.0
    # A client's reply reopens a ticket closed up to this many days ago; later it starts a
    # new ticket linked to the closed one.
    reopen_closed_days: float = 14.0
    # Business hours per priority; JSON in the environment, e.g. {"urgent": 1, "high": 4, ...}
    sla_first_response_hours: dict[str, float] = Field(
        default_factory=lambda: {"urgent": 1, "high": 4, "normal": 24, "low": 24}
    )
    sla_resolution_hours: dict[str, float] = Field(
        default_factory=lambda: {"urgent": 8, "high": 24, "normal": 40, "low": 80}
    )
    sla_warning_fraction: float = 0.75
    # The board's Closed column shows tickets closed in the last N days.
    board_closed_days: float = 7.0
    # Open boards are rebuilt this often even when no ticket changed (SLA badges age).
    board_refresh_seconds: float = 60.0
    # Open pages learn of changes made by other processes (webhooks, API, job worker) this often.
    live_poll_seconds: float = 1.0
    jobs_in_process: bool = True
    jobs_interval_seconds: float = 5.0

    # Systemic issues
    systemic_min_orgs: int = 3

    def allowed_origins(self) -> list[str]:
        """The app's own origin (from PUBLIC_BASE_URL) and the CORS_ORIGINS list."""
        from urllib.parse import urlsplit

        own = urlsplit(self.public_base_url)
        origins = [f"{own.scheme}://{own.netloc}"]
        origins += [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]
        return list(dict.fromkeys(origins))


@lru_cache
def get_settings() -> Settings:
    return Settings()
