"""One module per listener kind; `register_listeners(app)` wires them (nothing at import).

Listeners are plain functions taking what Bolt injects (`ack`, `respond`, `context`, …); what they
share (the use cases' dependencies, permissions, the work pool) is `context["edge"]`, put there by
the global middleware of bot/slack/edge.py."""

from bot.slack import repeat
from bot.slack.listeners import actions, commands, events, views


def register_listeners(app) -> None:
    commands.register(app)
    views.register(app)
    actions.register(app)
    events.register(app)
    repeat.register(app)
