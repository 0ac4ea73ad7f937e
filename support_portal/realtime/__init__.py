"""How a committed change reaches every open tab that shows it.

A tab that shows something live (a chat, the agents' queue, the board, a client's ticket)
joins a *topic* after a service has said its user may see what the topic carries
(`topics.join`). A handler or job that changes the database then calls
`updates.ticket_changed_later(...)` (or a chat/board push): the push rebuilds the view data
from the database and modifies each member tab's own private state through
`app.modify_state`. With Redis the topic sets live in Redis and Reflex relays each push to
whichever worker holds the tab's socket, so a change made in any process reaches every tab.
"""
