"""Slack's state of a crisis channel (the emulator's: the truth) and the bot's timeline of it, in one shape."""

from __future__ import annotations

from sqlmodel import select

from bot.core.model import EntryKind
from bot.store.db import Database
from bot.store.models import TimelineRow

RECORDED_SUBTYPES = (None, "file_share", "thread_broadcast", "me_message")  # bot.flows.timeline.is_people_message


def slack_says(emu, channel: str) -> dict[str, tuple[str, bool, bool]]:
    """Each person's message Slack has (replies too): ts → (text, key moment, alert)."""
    with emu.state.lock:
        messages = [dict(m, reactions=[dict(r) for r in m.get("reactions") or []])
                    for m in emu.channel(channel).messages.values()]
    out = {}
    for m in messages:
        if m.get("bot_id") or not m.get("user") or m.get("subtype") not in RECORDED_SUBTYPES:
            continue
        on = {r["name"] for r in m["reactions"] if r.get("users")}
        alert = "rotating_light" in on
        out[m["ts"]] = (m.get("text", ""), "pushpin" in on or alert, alert)
    return out


def bot_says(database_url: str, channel: str) -> dict[str, tuple[str, bool, bool]]:
    """The same, from the bot's timeline: the chat messages it has and holds as not deleted."""
    db = Database(database_url)
    try:
        with db.session() as s:
            rows = s.exec(select(TimelineRow).where(TimelineRow.channel_id == channel,
                                                    TimelineRow.kind == EntryKind.MESSAGE.value,
                                                    TimelineRow.ts.is_not(None),
                                                    TimelineRow.deleted == False))  # noqa: E712
            return {r.ts: (r.text, bool(r.key), bool((r.data or {}).get("alert"))) for r in rows}
    finally:
        db.dispose()


def differences(slack: dict, bot: dict) -> list[str]:
    """What differs, one line each (no more than 20), for an assertion's message."""
    lines = []
    for ts in sorted(set(slack) | set(bot), key=float):
        if slack.get(ts) != bot.get(ts):
            lines.append(f"{ts}: Slack {slack.get(ts)!r}, bot {bot.get(ts)!r}")
    return lines[:20] + ([f"… {len(lines) - 20} more"] if len(lines) > 20 else [])
