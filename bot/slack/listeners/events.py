"""Events API: chat in crisis channels, edits and deletions, the timeline reaction, the shortcut."""

from __future__ import annotations

import logging

from bot.flows import incidents, timeline
from bot.slack import home, inbox
from bot.slack.edge import Edge

log = logging.getLogger("cellule.events")


def register(app) -> None:
    # Bolt ignores the bot's own events already (ignoring_self_events_enabled); ours are typed entries.
    # Bolt acknowledges events itself; the database work runs in the edge's pool, never in Bolt's
    # threads (they must stay free to acknowledge), and waits there if the database is down.
    def later(body, context) -> None:
        edge: Edge = context["edge"]  # written to the journal already (bot.slack.journal)
        edge.later(edge.held.run, recorder(edge), body, context.get("journal"))

    for kind in ("message", "reaction_added", "reaction_removed"):
        app.event(kind)(later)
    app.event("app_home_opened")(lambda event, context: context["edge"].later(home.opened, context["edge"], event))
    app.shortcut({"type": "message_action", "callback_id": "add_to_timeline"})(
        lambda ack, shortcut, respond, context: (
            ack(), context["edge"].later(on_shortcut, context["edge"], shortcut, respond)))
    # Events we subscribe to but do not act on still need an answer, or Slack retries them.
    app.event("member_joined_channel")(lambda: None)
    app.event("channel_created")(lambda: None)


def recorder(edge: Edge):
    """What records an event envelope, live or replayed from the journal."""

    def record(body: dict) -> None:
        if body.get("type") == inbox.JOURNALED:  # a declare its dead process wrote down before acknowledging it
            inbox.adopt(edge, body)
            return
        event = body.get("event") or {}
        if event.get("type") == "message":
            on_message(edge, body, event)
        elif event.get("type") in ("reaction_added", "reaction_removed"):
            on_reaction(edge, body, event, event["type"] == "reaction_added")

    return record


def _incident_id(edge: Edge, channel: str | None) -> int | None:
    """The incident of a crisis channel. Hits are cached: a channel never changes incident.

    Misses are not cached, since a channel may become a crisis channel a moment later.
    """
    if not channel:
        return None
    cached = edge.channel_incidents.get(channel)
    if cached is not None:
        return cached
    incident_id = incidents.of_channel(edge.deps, channel)
    if incident_id is not None:
        edge.channel_incidents[channel] = incident_id
    return incident_id


def _first_time(edge: Edge, body: dict) -> bool:
    """Slack retries with the same event_id; any process that sees it again skips it."""
    event_id = body.get("event_id")
    if not event_id:
        return True
    return timeline.first_time(edge.deps, event_id)


def on_message(edge: Edge, body: dict, event: dict) -> None:
    channel = event.get("channel")
    incident_id = _incident_id(edge, channel)
    # No event_id check here: every write below is idempotent (keyed by channel and ts).
    if incident_id is None:
        return
    subtype = event.get("subtype")
    bot_user = edge.deps.messenger.bot_user()
    if subtype == "message_changed":
        timeline.edited(edge.deps, incident_id, channel, event.get("message") or {}, bot_user)
    elif subtype == "message_deleted":
        previous = event.get("previous_message") or {}
        timeline.deleted(edge.deps, incident_id, channel, event.get("deleted_ts") or previous.get("ts"), previous, bot_user)
    elif timeline.is_people_message(event, bot_user):
        timeline.capture(edge.deps, incident_id, channel, event)


def on_reaction(edge: Edge, body: dict, event: dict, added: bool) -> None:
    settings = edge.deps.settings
    reason = {settings.timeline_emoji: "pin", settings.alert_emoji: "alert"}.get(event.get("reaction"))
    if reason is None:
        return
    item = event.get("item") or {}
    channel = item.get("channel")
    incident_id = _incident_id(edge, channel)
    if incident_id is None or item.get("type") != "message":
        return
    # A mark is kept with its event's time, so recording the event again (Slack's retry, a replay
    # from the journal) changes nothing; only an event without that time is checked by its id.
    if not event.get("event_ts") and not _first_time(edge, body):
        return
    timeline.mark_key(edge.deps, incident_id, channel, item["ts"], added, reason, event.get("user"),
                      event.get("event_ts"))


def on_shortcut(edge: Edge, shortcut: dict, respond) -> None:
    user = shortcut["user"]["id"]
    lang = edge.deps.lang_of(user)
    channel = (shortcut.get("channel") or {}).get("id")
    incident_id = _incident_id(edge, channel)
    if incident_id is None:
        respond(text=lang._("“Add to timeline” works in a crisis channel."), response_type="ephemeral")
        return
    message = shortcut.get("message") or {}
    if message.get("ts"):
        timeline.capture(edge.deps, incident_id, channel, {**message, "channel": channel})
        timeline.mark_key(edge.deps, incident_id, channel, message["ts"], True, user=user)
        respond(text=lang._("Added to the timeline."), response_type="ephemeral")
