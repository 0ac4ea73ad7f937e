"""Starlette routes beside the Reflex app: files, webhooks, the REST API."""
