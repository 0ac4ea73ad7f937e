"""Reflex states: thin, one per page or panel. They identify the user and call services."""
