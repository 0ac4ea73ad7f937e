"""Reflex configuration. Reads the project's settings, nothing else."""

import os

import reflex as rx

from support_portal.settings import get_settings

_settings = get_settings()

if _settings.redis_url:
    # A worker keeps the Redis lock of a tab it just served for a moment and works on its
    # in-memory copy, handing it over as soon as another worker asks: at 50 chats on one
    # worker this took the 95th percentile of chat delivery from about 370 ms to 36 ms
    # (README). Five seconds outlast a conversation's pauses (one second let the lease lapse
    # between messages: 110 ms), and chats crossing two workers were as fast with five
    # seconds as with one (p95 35 ms).
    # Either variable set in the environment wins.
    os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")
    os.environ.setdefault("REFLEX_OPLOCK_HOLD_TIME", "5000ms")

config = rx.Config(
    app_name="support_portal",
    db_url=_settings.db_url,
    redis_url=_settings.redis_url,
    # One worker keeps state in memory; with Redis, several workers share it.
    state_manager_mode="redis" if _settings.redis_url else "memory",
    # Reflex's default is "*" with credentials: any site could drive a signed-in tab.
    cors_allowed_origins=_settings.allowed_origins(),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium"))],
)
