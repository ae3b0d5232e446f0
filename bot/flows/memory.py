"""An in-memory `Messenger`: real code, with its own tests (tests/flows/test_messengers.py runs the
same scenarios against it and against the Slack adapter on the emulator), so the use cases can be
tested in process, without HTTP or Slack.

It keeps rooms, their messages (the notices themselves), topics, pins, bookmarks and documents, and
refuses what Slack refuses in the same cases: a taken room name, an unknown person, a room the bot
is not in. `fail(method, code)` makes the next call of a method fail, as an outage would.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum

from bot.core.model import Incident
from bot.flows.ports import Batches, Invited, Notice, Room, Undelivered, attempt
from bot.i18n import Lang

BOT = "UBOT"


@dataclass
class Posted:
    ts: str
    notice: Notice
    thread: str | None = None
    broadcast: bool = False
    revisions: int = 0
    key: str | None = None


@dataclass
class MemoryRoom:
    room: Room
    members: set[str] = field(default_factory=set)
    messages: list[Posted] = field(default_factory=list)
    topic: str = ""
    pins: set[str] = field(default_factory=set)
    bookmarks: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)
    document: tuple[str, str] | None = None  # (id, markdown)
    chat: list[dict] = field(default_factory=list)  # what people said, as Slack's messages


def _plain(value):
    """A notice as plain data, for its fingerprint (languages by code: Lang objects hold catalogs)."""
    if isinstance(value, Lang):
        return value.code
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


class MemoryMessenger(Batches):
    def __init__(self, people: dict[str, str | None] | None = None, groups: dict[str, list[str]] | None = None):
        self.people = dict(people or {})  # user id -> language code
        self.groups = dict(groups or {})
        self.rooms: dict[str, MemoryRoom] = {}
        self.calls: list[str] = []
        self._failures: dict[str, list[str]] = {}
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._lock = threading.Lock()

    # Test controls ----------------------------------------------------------------------------
    def fail(self, method: str, code: str = "internal_error", times: int = 1) -> None:
        self._failures.setdefault(method, []).extend([code] * times)

    def add_room(self, name: str, members: Sequence[str] = (), private: bool = False, creator: str = "USOMEONE") -> str:
        room = Room(id=f"C{next(self._ids):06d}", name=name, private=private, creator=creator)
        self.rooms[room.id] = MemoryRoom(room, members=set(members) | {BOT})
        return room.id

    def say(self, room: str, user: str, text: str, **extra) -> str:
        """Someone speaks in a room (what `messages` reads back)."""
        ts = self._next_ts()
        self.rooms[room].chat.append({"ts": ts, "user": user, "text": text, **extra})
        return ts

    def posted(self, room: str) -> list[Posted]:
        return self.rooms[room].messages

    def _call(self, method: str) -> None:
        with self._lock:
            self.calls.append(method)
            pending = self._failures.get(method)
            if pending:
                raise Undelivered(pending.pop(0), method)

    def _next_ts(self) -> str:
        return f"{1700000000 + next(self._ts)}.000100"

    def _room(self, room: str, method: str) -> MemoryRoom:
        found = self.rooms.get(room)
        if found is None:
            raise Undelivered("channel_not_found", method)
        if BOT not in found.members:
            raise Undelivered("not_in_channel", method)
        return found

    # Who ----------------------------------------------------------------------------------------
    def bot_user(self) -> str | None:
        return BOT

    def language_of(self, user: str) -> str | None:
        return self.people.get(user)

    def person_exists(self, user: str) -> bool | None:
        return user in self.people

    def group_members(self, group: str) -> list[str]:
        self._call("group_members")
        if group not in self.groups:
            raise Undelivered("no_such_subteam", "group_members")
        return list(self.groups[group])

    # Rooms --------------------------------------------------------------------------------------
    def open_room(self, name: str, private: bool) -> Room:
        self._call("open_room")
        if any(r.room.name == name for r in self.rooms.values()):
            raise Undelivered("name_taken", "open_room")
        room_id = self.add_room(name, private=private, creator=BOT)
        return self.rooms[room_id].room

    def rooms_we_made(self) -> dict[str, Room]:
        return {r.room.name: r.room for r in self.rooms.values() if r.room.creator == BOT and BOT in r.members}

    def invite(self, room: str, people: list[str]) -> Invited:
        self._call("invite")
        found = self._room(room, "invite")
        out = Invited()
        for person in people:
            if person not in self.people:
                out.refused.append((person, "user_not_found"))
            else:
                found.members.add(person)
        return out

    def topic_of(self, incident: Incident, langs: Sequence[Lang]) -> str:
        lang = langs[0]
        return " · ".join([incident.ref, incident.priority.value, lang.status(incident.status)])

    def set_topic(self, room: str, incident: Incident, langs: Sequence[Lang]) -> str:
        self._call("set_topic")
        self._room(room, "set_topic").topic = self.topic_of(incident, langs)
        return self.rooms[room].topic

    def bookmark(self, room: str, title: str, link: str, *, resumed: bool = False) -> None:
        self._call("bookmark")
        marks = self._room(room, "bookmark").bookmarks
        if not (resumed and any(mark[1] == link for mark in marks)):
            marks.append((title, link))

    # Notices ------------------------------------------------------------------------------------
    def publish(self, room: str, notice: Notice, *, thread: str | None = None, broadcast: bool = False,
                key: str | None = None, resumed: float | None = None) -> str:
        self._call("publish")
        found = self.rooms.get(room) if room[:1] in ("U", "W") else self._room(room, "publish")
        if found is None:  # a direct message
            found = self.rooms.setdefault(room, MemoryRoom(Room(id=room, name=room), members={BOT, room}))
        if thread is not None and not any(p.ts == thread for p in found.messages):
            raise Undelivered("thread_not_found", "publish")
        if key is not None and resumed is not None:
            earlier = next((p for p in found.messages if p.key == key), None)
            if earlier is not None:
                return earlier.ts
        ts = self._next_ts()
        found.messages.append(Posted(ts, notice, thread, broadcast and thread is not None, key=key))
        return ts

    def revise(self, room: str, ts: str, notice: Notice) -> None:
        self._call("revise")
        for posted in self._room(room, "revise").messages:
            if posted.ts == ts:
                posted.notice, posted.revisions = notice, posted.revisions + 1
                return
        raise Undelivered("message_not_found", "revise")

    def at_once(self, calls: Sequence[Callable[[], object]]) -> list:
        """One after another, in order."""
        return [attempt(call) for call in calls]

    def shown(self, notice: Notice) -> str:
        return hashlib.sha256(repr(_plain(notice)).encode()).hexdigest()[:40]

    def pin(self, room: str, ts: str) -> None:
        self._call("pin")
        self._room(room, "pin").pins.add(ts)

    def link(self, room: str, ts: str) -> str:
        return f"memory://{room}/{ts}"

    # Documents ----------------------------------------------------------------------------------
    def attach(self, room: str, filename: str, content: str, title: str) -> None:
        self._call("attach")
        self._room(room, "attach").files.append((filename, content))

    def room_document(self, room: str, markdown: str, document_id: str | None, title: str) -> str:
        self._call("room_document")
        found = self._room(room, "room_document")
        document_id = document_id or (found.document[0] if found.document else f"F{next(self._ids):06d}")
        found.document = (document_id, markdown)
        return document_id

    # What was said ------------------------------------------------------------------------------
    def messages(self, room: str) -> Iterator[dict]:
        self._call("messages")
        return iter([m for m in self._room(room, "messages").chat if not m.get("thread_ts") or m["thread_ts"] == m["ts"]])

    def thread(self, room: str, ts: str) -> Iterator[dict]:
        self._call("thread")
        return iter([m for m in self._room(room, "thread").chat if m["ts"] == ts or m.get("thread_ts") == ts])

    def message(self, room: str, ts: str) -> dict | None:
        return next((m for m in self._room(room, "message").chat if m["ts"] == ts), None)

