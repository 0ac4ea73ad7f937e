"""Notifications: message templates, the outbox dispatcher and the channel adapters."""
