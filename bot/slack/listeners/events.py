"""Events API: chat in crisis channels, edits and deletions, the timeline reaction, the shortcut."""

from __future__ import annotations

import logging

from bot.flows import timeline
from bot.flows.service import Service
from bot.store import incidents as store
from bot.store import timeline as tl

log = logging.getLogger("cellule.events")


def register(app, service: Service) -> None:
    # Bolt ignores the bot's own events already (ignoring_self_events_enabled); ours are typed entries.
    app.event("message")(lambda body, event: on_message(service, body, event))
    app.event("reaction_added")(lambda body, event: on_reaction(service, body, event, True))
    app.event("reaction_removed")(lambda body, event: on_reaction(service, body, event, False))
    app.shortcut("add_to_timeline")(lambda ack, shortcut, respond: on_shortcut(service, ack, shortcut, respond))
    # Events we subscribe to but do not act on still need an answer, or Slack retries them.
    app.event("member_joined_channel")(lambda: None)
    app.event("channel_created")(lambda: None)


def _incident_id(service: Service, channel: str | None) -> int | None:
    """The incident of a crisis channel. Hits are cached: a channel never changes incident.

    Misses are not cached, since a channel may become a crisis channel a moment later.
    """
    if not channel:
        return None
    cached = service.channel_incidents.get(channel)
    if cached is not None:
        return cached
    with service.deps.db.session() as s:
        row = store.by_channel(session=s, channel_id=channel)
    if row is None:
        return None
    service.channel_incidents[channel] = row.id
    return row.id


def _first_time(service: Service, body: dict) -> bool:
    """Slack retries with the same event_id; any process that sees it again skips it."""
    event_id = body.get("event_id")
    if not event_id:
        return True
    with service.deps.db.session() as s:
        return tl.first_time_seen(session=s, event_id=event_id, now=service.deps.now())


def on_message(service: Service, body: dict, event: dict) -> None:
    channel = event.get("channel")
    incident_id = _incident_id(service, channel)
    # No event_id check here: every write below is idempotent (keyed by channel and ts).
    if incident_id is None:
        return
    subtype = event.get("subtype")
    bot_user = service.deps.chat.me().get("user_id")
    if subtype == "message_changed":
        timeline.edited(service.deps, incident_id, channel, event.get("message") or {}, bot_user)
    elif subtype == "message_deleted":
        timeline.deleted(service.deps, incident_id, channel, event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts"))
    elif timeline.is_people_message(event, bot_user):
        timeline.capture(service.deps, incident_id, channel, event)


def on_reaction(service: Service, body: dict, event: dict, added: bool) -> None:
    settings = service.deps.settings
    reason = {settings.timeline_emoji: "pin", settings.alert_emoji: "alert"}.get(event.get("reaction"))
    if reason is None:
        return
    item = event.get("item") or {}
    channel = item.get("channel")
    incident_id = _incident_id(service, channel)
    if incident_id is None or item.get("type") != "message" or not _first_time(service, body):
        return
    timeline.mark_key(service.deps, incident_id, channel, item["ts"], added, reason, event.get("user"),
                      event.get("event_ts"))


def on_shortcut(service: Service, ack, shortcut: dict, respond) -> None:
    ack()
    user = shortcut["user"]["id"]
    lang = service.deps.lang_of(user)
    channel = (shortcut.get("channel") or {}).get("id")
    incident_id = _incident_id(service, channel)
    if incident_id is None:
        respond(text=lang._("“Add to timeline” works in a crisis channel."), response_type="ephemeral")
        return
    message = shortcut.get("message") or {}
    if message.get("ts"):
        timeline.capture(service.deps, incident_id, channel, {**message, "channel": channel})
        timeline.mark_key(service.deps, incident_id, channel, message["ts"], True, user=user)
        respond(text=lang._("Added to the timeline."), response_type="ephemeral")
