"""One module per listener kind; `register_listeners(app, service)` wires them (nothing at import)."""

from bot.slack.listeners import actions, commands, events, views


def register_listeners(app, service) -> None:
    commands.register(app, service)
    views.register(app, service)
    actions.register(app, service)
    events.register(app, service)
