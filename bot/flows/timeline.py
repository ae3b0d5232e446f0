"""The timeline: key moments typed by people, impact windows, chat capture and backfill."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone

from bot.core import impact, transitions
from bot.core.bilingual import split_texts
from bot.core.model import Entry, EntryKind, Incident
from bot.core.plausible import long_before
from bot.core.timeparse import TimeParseError, parse_when, split_leading_time
from bot.flows import sync
from bot.flows.deps import Deps, UserError
from bot.flows.ports import KeyMoment, Undelivered
from bot.store import changes
from bot.store import incidents as store
from bot.store import timeline as tl

log = logging.getLogger("cellule.timeline")


def ts_time(ts: str) -> datetime:
    """A Slack ts is the message's own time: seconds since the epoch, with a sequence suffix."""
    return datetime.fromtimestamp(float(ts), tz=timezone.utc)


def leading_time(deps: Deps, text: str, incident: Incident | None = None) -> tuple[datetime | None, str]:
    """The time a text starts with, if any; with `incident`, one long before its declaration needs
    the year typed (see `check_plausible`)."""
    at, rest = split_leading_time(text, now=deps.now(), tz=deps.settings.tz, words=deps.catalogs.time_words)
    if at is not None and incident is not None:
        typed = text.strip()
        check_plausible(deps, incident, at, typed[: len(typed) - len(rest)] if rest else typed)
    return at, rest


def check_plausible(deps: Deps, incident: Incident, at: datetime, typed: str) -> None:
    if long_before(at, incident.declared_at, typed):
        raise TimeParseError("long_before", text=typed.strip(), day=at.astimezone(deps.settings.tz).date().isoformat(),
                             declared=incident.declared_at.astimezone(deps.settings.tz).date().isoformat())


def add_event(deps: Deps, incident: Incident, *, user: str, text: str, default: str | None = None) -> Entry:
    """`/incident event [<time>] <text>`: a key moment, echoed in the channel so everyone sees it."""
    at, rest = leading_time(deps, text, incident)
    marks = _alert_marks(deps)
    alert, rest = impact.alert_mark(rest, marks)
    if alert and at is None:  # "🚨 12h13 alerts raised": the time may follow the mark
        at, rest = leading_time(deps, rest, incident)
    if not rest:
        raise UserError("event_text")
    texts = split_texts(rest, deps.settings.languages, default)  # uncoded text: the author's language
    for code, value in texts.items():  # "FR 🚨 alertes EN 🚨 alerts" marks it too
        marked, texts[code] = impact.alert_mark(value, marks)
        alert = alert or marked
    if not any(texts.values()):
        raise UserError("event_text")
    now = deps.now()
    applied = changes.apply(deps.db, incident.id, lambda current, _window: transitions.add_event(
        current, user=user, at=at or now, texts=texts, alert=alert), now=now)
    entry = applied.entries[0]
    if incident.channel_id:
        try:
            ts = deps.messenger.publish(incident.channel_id, key_moment(deps, entry, now, typed=rest))
            with deps.db.session() as s:
                store.add_post(session=s, incident_id=incident.id, kind="event", channel_id=incident.channel_id,
                               ts=ts, entry_id=entry.id)
        except Undelivered:
            log.warning("event recorded but not echoed in %s", incident.channel_id)
    return entry


def key_moment(deps: Deps, entry: Entry, now: datetime, typed: str | None = None) -> KeyMoment:
    """The echo of a key moment in the crisis channel, every language (`typed`: for the notification)."""
    icon = f":{deps.settings.alert_emoji}:" if entry.data.get("alert") else ":pushpin:"
    text = typed if typed is not None else " / ".join(t for t in entry.texts.values() if t)
    return KeyMoment(at=entry.at, text=text, texts=entry.texts, langs=deps.langs, icon=icon, now=now)


def impact_edge(deps: Deps, incident: Incident, *, user: str, edge: str, text: str) -> Entry:
    """`/incident impact start|end [<time>]`, validated against the windows already recorded."""
    at, rest = leading_time(deps, text, incident)
    now = deps.now()
    at = at or now
    texts = split_texts(rest, deps.settings.languages) if rest else {}
    move = transitions.start_impact if edge == "start" else transitions.end_impact
    applied = changes.apply(deps.db, incident.id, lambda current, window: move(
        current, window, user=user, at=at, texts=texts), now=now)
    sync.refresh(deps, incident.id, topic=False, state=applied.state)
    return applied.entries[0]


_RANGE = re.compile(r"\s+(?:-|–|—|→|to|à|au|until|jusqu['’]à)\s+", re.IGNORECASE)


def impact_window(deps: Deps, incident: Incident, *, user: str, text: str) -> tuple[datetime, datetime]:
    """`/incident impact 12h08 - 12h13`: a whole window typed after the fact, between the others."""
    parts = _RANGE.split(text.strip(), maxsplit=1)
    if len(parts) != 2:
        raise UserError("impact_syntax")
    now = deps.now()
    start = parse_when(parts[0], now=now, tz=deps.settings.tz, words=deps.catalogs.time_words)
    check_plausible(deps, incident, start, parts[0])
    # The end is read from the start: "23h00 - 00h30" ends the next day, "4 déc. 23h00 - 23h30"
    # on the 4th, whatever today is. Still never in the future.
    end = parse_when(parts[1], now=start + timedelta(days=1), tz=deps.settings.tz, words=deps.catalogs.time_words)
    if end > now + timedelta(minutes=1):
        if end - start > timedelta(hours=12) and end.astimezone(deps.settings.tz).date() > start.astimezone(deps.settings.tz).date():
            # "12h00 - 11h00": only read across midnight, into the future; the same day it ends first.
            raise impact.ImpactError("end_before_start", start=start)
        raise TimeParseError("future", text=parts[1], at=end)
    applied = changes.apply(deps.db, incident.id, lambda current, window: transitions.add_impact_window(
        current, window, user=user, start=start, end=end), now=now)
    sync.refresh(deps, incident.id, topic=False, state=applied.state)
    return start, end


# Chat capture --------------------------------------------------------------------------------

def _message_entry(message: dict) -> Entry:
    files = [f.get("name") or f.get("id") for f in message.get("files") or []]
    data = {}
    if files:
        data["files"] = files
    if message.get("thread_ts") and message.get("thread_ts") != message.get("ts"):
        data["thread_ts"] = message["thread_ts"]
    if message.get("edited"):  # read from history already edited: an older edit must not undo it
        data.update(edited=True, edited_ts=_edit_ts(message))
    return Entry(kind=EntryKind.MESSAGE, at=ts_time(message["ts"]), author=message.get("user"),
                 text=message.get("text", ""), data=data, ts=message["ts"])


def capture(deps: Deps, incident_id: int, channel: str, message: dict) -> bool:
    """Record one chat message; False when it was already recorded (retry, backfill, other process)."""
    entry = _message_entry(message)
    with deps.db.session() as s:
        return tl.add_message(session=s, incident_id=incident_id, now=deps.now(), entry=entry, channel_id=channel,
                              thread_ts=entry.data.get("thread_ts"), dedupe_key=f"msg:{channel}:{message['ts']}")


def _edit_ts(message: dict) -> float:
    return float((message.get("edited") or {}).get("ts") or 0)


def edited(deps: Deps, incident_id: int, channel: str, message: dict, bot_user: str | None = None) -> None:
    """An edit, whatever order Slack's events arrive in (they are also handled in parallel).

    Insert first, keyed by the message: if the edit overtook the original, the edited text is
    recorded and the late original is dropped by the same key. Otherwise update the row, unless a
    newer edit is already there. Reading first and inserting after would let the original slip in
    between and win.
    """
    if not message.get("ts"):
        return
    if message.get("subtype") == "tombstone":  # a thread's first message deleted under its replies
        deleted(deps, incident_id, channel, message["ts"])
        return
    people = is_people_message({**message, "subtype": None}, bot_user)
    if people and capture(deps, incident_id, channel, message):
        return
    with deps.db.session() as s:
        row = tl.by_message(session=s, channel_id=channel, ts=message["ts"], for_update=True)
        if row is None or float(row.data.get("edited_ts") or 0) > _edit_ts(message):
            return
        row.text = message.get("text", "")
        if message.get("edited"):  # not for reply counts or link previews, which change it too
            row.data = {**row.data, "edited": True, "edited_ts": _edit_ts(message)}
        s.add(row)


def deleted(deps: Deps, incident_id: int, channel: str, ts: str, previous: dict | None = None,
            bot_user: str | None = None) -> None:
    """A deletion; `previous` is the message as Slack's event says it was (its previous_message)."""
    with deps.db.session() as s:
        row = tl.by_message(session=s, channel_id=channel, ts=ts)
        if row is not None:
            row.deleted = True
            s.add(row)
            return
    # Deleted before we recorded it: leave a tombstone so the late original is not recorded. It says
    # what the message said, as it would had the message come first: Slack does not order events.
    said = previous and previous.get("ts") == ts and is_people_message(previous, bot_user)
    entry = _message_entry(previous) if said else Entry(kind=EntryKind.MESSAGE, at=ts_time(ts), ts=ts)
    with deps.db.session() as s:
        tombstone = tl.add(session=s, incident_id=incident_id, now=deps.now(), channel_id=channel,
                           dedupe_key=f"msg:{channel}:{ts}", entry=entry)
        if tombstone is None:  # the original won the race after all
            row = tl.by_message(session=s, channel_id=channel, ts=ts)
            tombstone = row
        tombstone.deleted = True
        s.add(tombstone)


def first_time(deps: Deps, event_id: str) -> bool:
    """Slack retries an event with the same id; whichever process sees it first handles it."""
    with deps.db.session() as s:
        return tl.first_time_seen(session=s, event_id=event_id, now=deps.now())


def _alert_marks(deps: Deps) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*impact.ALERT_MARKS, f":{deps.settings.alert_emoji}:")))


def mark_key(deps: Deps, incident_id: int, channel: str, ts: str, key: bool, reason: str = "pin",
             user: str | None = None, event_ts: str | None = None) -> bool:
    """The timeline reaction: the message becomes a key moment at the message's own time.

    `reason` is "pin" (the timeline reaction or shortcut) or "alert" (the alert reaction: the
    moment we were alerted, for time to detect). Marks are kept per person, as Slack keeps
    reactions, each with the time of the event that set it: reaction events are handled in
    parallel and may arrive out of order, so an older one never undoes a newer one. The message
    stays key, or the alert, while someone's mark is on it (the rule: bot.core.transitions.mark).
    """
    with deps.db.session() as s:
        row = tl.by_message(session=s, channel_id=channel, ts=ts)
    if row is None:
        # Not captured yet (the bot was down, or the reaction raced the message): fetch it. A removal
        # too: it must be recorded with its time, or the addition it follows, handled later, would win.
        message = _fetch_message(deps, channel, ts)
        if message is None:
            return False
        capture(deps, incident_id, channel, message)
    when = float(event_ts) if event_ts else deps.now().timestamp()
    marked = changes.mark_message(deps.db, channel, ts, lambda message: transitions.mark(
        message, reason=reason, on=key, user=user, when=when))
    return marked is not None


def _fetch_message(deps: Deps, channel: str, ts: str) -> dict | None:
    try:
        return deps.messenger.message(channel, ts)
    except Undelivered:
        return None


def is_people_message(message: dict, bot_user: str | None) -> bool:
    """Chat to record: people's messages (not the bot's own posts, which are typed entries already)."""
    if message.get("bot_id") or message.get("user") in (None, bot_user):
        return False
    return message.get("subtype") in (None, "file_share", "thread_broadcast", "me_message")


def backfill(deps: Deps, incident_id: int) -> int:
    """Fetch back what was said and done while the bot was down (bot.flows.reconcile)."""
    from bot.flows import reconcile

    return reconcile.backfill(deps, incident_id)
