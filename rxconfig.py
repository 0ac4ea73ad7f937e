"""Reflex configuration. Reads the project's settings, nothing else."""

import reflex as rx

from support_portal.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="support_portal",
    db_url=_settings.db_url,
    redis_url=_settings.redis_url,
    # One worker keeps state in memory; with Redis, several workers share it.
    state_manager_mode="redis" if _settings.redis_url else "memory",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium"))],
)
