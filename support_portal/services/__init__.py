"""Use cases. Each takes a Session and the acting user, checks authorization, and changes
rows, timeline events and outbox rows together; the caller's one commit makes them stick."""
