"""The Slack side of the `Messenger` port: notices rendered as Block Kit, sent through `Chat`.

Everything that knows Slack's shapes lives here and in `render.py` / `chat.py`; the use cases
only hand over notices and room ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence

from bot.core.model import Incident
from bot.flows.ports import (Announcement, Invited, KeyMoment, Notice, Plain, Room, StatusUpdate, Summary)
from bot.i18n import Lang
from bot.slack import render
from bot.slack.chat import Chat, ChatError


def fingerprint(text: str, blocks: list | None) -> str:
    """Stable across processes (unlike hash()), so every replica agrees on what a post shows."""
    return hashlib.sha256(json.dumps([text, blocks], sort_keys=True).encode()).hexdigest()[:40]


def rendered(notice: Notice) -> tuple[str, list | None]:
    """A notice as Slack shows it: the notification text and the blocks."""
    match notice:
        case Summary(incident, entries, langs, dora):
            text, blocks = render.summary(incident, list(entries), langs)
            from bot.slack.dora_ui import summary_blocks  # REGULATION=dora: the time limits

            return text, blocks + summary_blocks(langs, dora)
        case Announcement(incident, entries, langs, all_langs):
            return render.announcement(incident, list(entries), langs, all_langs)
        case StatusUpdate(incident, status, texts, langs, all_langs, header):
            return render.update(incident, status, texts, langs, all_langs, header=header)
        case KeyMoment():
            return render.key_moment(notice)
        case Plain(text):
            return text, None
    raise TypeError(f"not a notice: {notice!r}")


def _room(channel: dict) -> Room:
    return Room(id=channel["id"], name=channel.get("name", ""), private=bool(channel.get("is_private")),
                created=float(channel.get("created") or 0), creator=channel.get("creator"))


class SlackMessenger:
    def __init__(self, chat: Chat):
        self.chat = chat

    # Who ---------------------------------------------------------------------------------------
    def bot_user(self) -> str | None:
        return self.chat.me().get("user_id")

    def language_of(self, user: str) -> str | None:
        locale = self.chat.user_locale(user)
        return locale.replace("_", "-").split("-")[0].lower() if locale else None

    def group_members(self, group: str) -> list[str]:
        return self.chat.usergroup_members(group)

    def person_exists(self, user: str) -> bool | None:
        return self.chat.user_exists(user)

    # Rooms -------------------------------------------------------------------------------------
    def open_room(self, name: str, private: bool) -> Room:
        return _room(self.chat.create_channel(name, private))

    def rooms_we_made(self) -> dict[str, Room]:
        me = self.bot_user()
        return {c["name"]: _room(c) for c in self.chat.own_channels() if c.get("creator") == me and c.get("name")}

    def invite(self, room: str, people: list[str]) -> Invited:
        """Slack answers the whole call with the first refusal and lists each person's in `errors`."""
        try:
            errors = self.chat.invite(room, people).get("errors") or []
        except ChatError as e:
            errors = (e.detail or {}).get("errors") or [] if isinstance(e.detail, dict) else []
            if not errors and e.code != "already_in_channel":
                raise
        out = Invited()
        for err in errors:
            if err.get("error") not in ("already_in_channel", "cant_invite_self"):  # fine: they are there
                out.refused.append((err.get("user", "?"), err.get("error", "?")))
        return out

    def topic_of(self, incident: Incident, langs: Sequence[Lang]) -> str:
        return render.topic(incident, langs)

    def set_topic(self, room: str, incident: Incident, langs: Sequence[Lang]) -> str:
        topic = render.topic(incident, langs)
        self.chat.set_topic(room, topic)
        return topic

    def bookmark(self, room: str, title: str, link: str) -> None:
        self.chat.bookmark(room, render.cut(title, 100), link)

    # Notices -----------------------------------------------------------------------------------
    def publish(self, room: str, notice: Notice, *, thread: str | None = None, broadcast: bool = False) -> str:
        text, blocks = rendered(notice)
        return self.chat.post(room, text, blocks, thread_ts=thread, broadcast=broadcast and thread is not None)

    def revise(self, room: str, ts: str, notice: Notice) -> None:
        text, blocks = rendered(notice)
        self.chat.update(room, ts, text, blocks)

    def shown(self, notice: Notice) -> str:
        return fingerprint(*rendered(notice))

    def pin(self, room: str, ts: str) -> None:
        self.chat.pin(room, ts)

    def link(self, room: str, ts: str) -> str:
        return self.chat.permalink(room, ts)

    # Documents ---------------------------------------------------------------------------------
    def attach(self, room: str, filename: str, content: str, title: str) -> None:
        self.chat.upload_file(room, filename, content, comment=title, title=title)

    def room_document(self, room: str, markdown: str, document_id: str | None, title: str) -> str:
        return self.chat.channel_canvas(room, markdown, document_id, title)

    # What was said -----------------------------------------------------------------------------
    def messages(self, room: str) -> Iterator[dict]:
        return self.chat.pages("conversations.history", "messages", channel=room, limit=200)

    def thread(self, room: str, ts: str) -> Iterator[dict]:
        return self.chat.pages("conversations.replies", "messages", channel=room, ts=ts, limit=200)

    def message(self, room: str, ts: str) -> dict | None:
        answer = self.chat.history(room, latest=ts, inclusive=True, limit=1)
        return next((m for m in answer.get("messages", []) if m.get("ts") == ts), None)
