"""Events written down before they are acknowledged (bot.flows.held, bot.store.spool).

A Bolt global middleware: a chat or reaction event is written to the process's event journal
before Bolt sends Slack its 200, so an event acknowledged is never only in memory. When the
journal cannot take it while the database is known down, the answer is a 503 instead: Slack sends
the event again (3 times, over 5 minutes) rather than it being lost.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt.response import BoltResponse

from bot.flows.held import Refused

KEPT = frozenset({"message", "reaction_added", "reaction_removed"})  # what the timeline records


def middleware(edge) -> Callable:
    def write_down(body, context, next):  # noqa: A002 - Bolt injects by parameter name
        event = body.get("event") if isinstance(body, dict) and body.get("type") == "event_callback" else None
        if isinstance(event, dict) and event.get("type") in KEPT:
            try:
                context["journal"] = edge.held.journal(body)
            except Refused:
                return BoltResponse(status=503, body="")
        return next()

    return write_down
