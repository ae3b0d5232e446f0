"""The backfill: make the timeline equal to what Slack has, after the bot was down or the database was.

Everything read back goes through the same rules as live events: new messages are captured (a
duplicate is dropped by its key), an edit is applied only if newer than the text recorded (by
Slack's edit time), a message that Slack no longer has is deleted, and each person's 📌/🚨 marks
are set to the reactions Slack shows, at the time the history was read — so a live reaction event
that comes later (a newer event time) still wins, and an older one never undoes what was read.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.core import transitions
from bot.core.model import Entry
from bot.flows.deps import Deps
from bot.store import changes
from bot.store import incidents as store
from bot.store import timeline as tl

REASONS = ("pin", "alert")


def backfill(deps: Deps, incident_id: int, read_at: Callable[[], float] = time.time) -> int:
    """Returns how many messages were new to the bot."""
    from bot.flows import timeline

    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id)
        channel = row.channel_id
    if not channel:
        return 0
    with deps.db.session() as s:  # what was recorded before Slack is read was in Slack before it too
        recorded = tl.message_ts(session=s, incident_id=incident_id, channel_id=channel)
    when = read_at()  # Slack's state as read now; live events after this are newer
    bot_user = deps.messenger.bot_user()
    seen: dict[str, dict] = {}
    threads = []
    for m in deps.messenger.messages(channel):
        seen[m["ts"]] = m
        if m.get("reply_count"):
            threads.append(m["ts"])
    for parent in threads:
        for m in deps.messenger.thread(channel, parent):
            seen.setdefault(m["ts"], m)
    added = 0
    emojis = {deps.settings.timeline_emoji: "pin", deps.settings.alert_emoji: "alert"}
    for ts, m in seen.items():
        if m.get("subtype") == "tombstone":  # a thread's first message, deleted under its replies
            timeline.deleted(deps, incident_id, channel, ts)
            continue
        if not timeline.is_people_message(m, bot_user):
            continue
        if timeline.capture(deps, incident_id, channel, m):
            added += 1
        elif m.get("edited"):
            timeline.edited(deps, incident_id, channel, m, bot_user)
        _marks(deps, channel, m, emojis, when)
    _deletions(deps, incident_id, channel, seen, recorded)
    return added


def _deletions(deps: Deps, incident_id: int, channel: str, seen: dict[str, dict], recorded: list[str]) -> None:
    """Messages recorded before Slack was read that Slack did not show were deleted: each was in Slack
    before the read, in the channel (read in full) or in a thread (read in full, or no longer shown as
    one: its replies are gone). A message recorded since, said while the read went on, may not have
    been read: it is not deleted, whatever its ts."""
    from bot.flows import timeline

    if not seen:  # nothing read, not even the summary: nothing to compare with
        return
    for ts in recorded:
        if ts not in seen:
            timeline.deleted(deps, incident_id, channel, ts)


def _marks(deps: Deps, channel: str, message: dict, emojis: dict[str, str], when: float) -> None:
    """Each person's marks as Slack's reactions show them."""
    wanted: dict[str, set[str]] = {reason: set() for reason in REASONS}
    for reaction in message.get("reactions") or []:
        reason = emojis.get(reaction.get("name"))
        if reason:
            wanted[reason] |= set(reaction.get("users") or [])
    with deps.db.session() as s:
        row = tl.by_message(session=s, channel_id=channel, ts=message["ts"])
        current = tl.to_entry(row) if row else None
    if current is None:
        return
    changes_needed = _changes(current, wanted)
    if not changes_needed:
        return

    def apply(entry: Entry) -> Entry:
        for reason, user, on in changes_needed:
            entry = transitions.mark(entry, reason=reason, on=on, user=user, when=when)
        return entry

    changes.mark_message(deps.db, channel, message["ts"], apply)


def _changes(entry: Entry, wanted: dict[str, set[str]]) -> list[tuple[str, str | None, bool]]:
    marks = entry.data.get("marks") or {}
    out: list[tuple[str, str | None, bool]] = []
    for reason in REASONS:
        people = marks.get(reason) or {}
        on = {p for p, m in people.items() if m.get("on")}
        for user in sorted(wanted[reason] - on):
            out.append((reason, user, True))
        for user in sorted(on - wanted[reason]):
            if user == transitions.UNKNOWN and wanted[reason]:
                continue  # a mark from before people were kept: someone's reaction is still there
            out.append((reason, None if user == transitions.UNKNOWN else user, False))
    return out
