"""Support Portal: an agency's support tickets, from live chat to confirmed fix."""
