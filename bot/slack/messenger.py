"""The Slack side of the `Messenger` port: notices rendered as Block Kit, sent through `Chat`.

Everything that knows Slack's shapes lives here and in `render.py` / `chat.py`; the use cases
only hand over notices and room ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from bot.core.model import Incident
from bot.flows.ports import (Announcement, Batches, Invited, KeyMoment, Notice, Plain, Room, StatusUpdate, Summary,
                             attempt)
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


def _outcome(call: Callable[[], object]) -> tuple[object, BaseException | None]:
    try:
        return attempt(call), None
    except Exception as e:  # noqa: BLE001 - raised by _value once the whole batch is done
        return None, e


def _value(outcome: tuple[object, BaseException | None]) -> object:
    value, error = outcome
    if error is not None:
        raise error
    return value


def _room(channel: dict) -> Room:
    return Room(id=channel["id"], name=channel.get("name", ""), private=bool(channel.get("is_private")),
                created=float(channel.get("created") or 0), creator=channel.get("creator"))


# Calls at once, at most (a declare or update with up to 15 stakeholder channels goes out in one
# round): Slack answers each in a round trip, the limiter in `Chat`
# keeps them within its rate limits. Shared by every batch of the process.
WIDTH = 16


class SlackMessenger(Batches):
    def __init__(self, chat: Chat, width: int = WIDTH):
        """`width` 1 makes every batch sequential, in order (the benchmark's "before")."""
        self.chat = chat
        self.width = width
        self._pool = ThreadPoolExecutor(max_workers=width, thread_name_prefix="slack") if width > 1 else None

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

    def bookmark(self, room: str, title: str, link: str, *, resumed: bool = False) -> None:
        self.chat.bookmark(room, render.cut(title, 100), link, look_first=resumed)

    # Notices -----------------------------------------------------------------------------------
    def publish(self, room: str, notice: Notice, *, thread: str | None = None, broadcast: bool = False,
                key: str | None = None, resumed: float | None = None) -> str:
        text, blocks = rendered(notice)
        return self.chat.post(room, text, blocks, thread_ts=thread, broadcast=broadcast and thread is not None,
                              key=key, look_first=resumed)

    def revise(self, room: str, ts: str, notice: Notice) -> None:
        text, blocks = rendered(notice)
        self.chat.update(room, ts, text, blocks)

    def at_once(self, calls: Sequence[Callable[[], object]]) -> list:
        """Side by side on the pool; the first one in the caller's thread (no hand-over for one).
        An error other than `Undelivered` (a bug) is raised once every call has finished."""
        if self._pool is None or len(calls) < 2:
            return [attempt(call) for call in calls]
        futures = [self._pool.submit(attempt, call) for call in calls[1:]]
        first = _outcome(calls[0])
        rest = [_outcome(f.result) for f in futures]
        return [_value(o) for o in [first, *rest]]

    def close(self) -> None:
        """Let the pool's threads go (a process that builds many bots, as the tests do)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)

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
