"""Periodic work: outbox dispatch, SLA warnings and breaches, reminders, auto-close."""
