"""The seams between the use cases and the outside world, named for the domain, not for Slack.

A use case reaches a chat platform only through `Messenger`, and time only through `Clock`. The
Slack adapter (bot/slack/messenger.py) implements `Messenger`; the in-memory one
(bot/flows/memory.py) is real code with its own tests, used by the use-case tests.

What a use case asks to show people is a *notice*: a plain value (the incident, the entries its
header is made of, the languages) that the adapter renders in its own format (Block Kit for Slack).
A failure crossing the port is one typed value, `Undelivered`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from bot.core.dora import Clock as DoraClock
from bot.core.model import Entry, Incident, Status, Texts
from bot.i18n import Lang

Clock = Callable[[], datetime]
Problem = tuple[str, dict]  # a message code and its parameters, told to the person in their language


class Undelivered(Exception):
    """The outside world refused or did not answer. `code` is the platform's own error name
    (or "unreachable"); `unsure` means it may have carried the call out all the same."""

    def __init__(self, code: str, method: str, detail: object = None, *, unsure: bool = False):
        super().__init__(f"{method}: {code}")
        self.code = code
        self.method = method
        self.detail = detail
        self._unsure = unsure

    @property
    def unsure(self) -> bool:
        return self._unsure

    def problem(self) -> Problem:
        return "slack_refused", {"method": self.method, "code": self.code}


# Notices: what the use cases publish; the adapter decides how each looks. ---------------------

@dataclass(frozen=True)
class Summary:
    """The pinned summary at the top of the crisis room, revised on every change."""
    incident: Incident
    entries: Sequence[Entry]
    langs: Sequence[Lang]
    dora: DoraClock | None = None  # REGULATION=dora: the classification and time limits


@dataclass(frozen=True)
class Announcement:
    """What a stakeholder room is told on declare, revised as the incident changes."""
    incident: Incident
    entries: Sequence[Entry]
    langs: Sequence[Lang]  # the room's languages
    all_langs: Sequence[Lang]


@dataclass(frozen=True)
class StatusUpdate:
    incident: Incident
    status: Status
    texts: Texts
    langs: Sequence[Lang]
    all_langs: Sequence[Lang]
    header: str | None = None


@dataclass(frozen=True)
class KeyMoment:
    """A key moment typed with `/incident event`, echoed in the crisis room."""
    at: datetime
    text: str  # as typed, for the notification
    texts: Texts
    langs: Sequence[Lang]
    icon: str  # the pin, or the alert emoji
    now: datetime


@dataclass(frozen=True)
class Plain:
    """A line of plain text, one per language (a postmortem notice, a reminder)."""
    text: str


Notice = Summary | Announcement | StatusUpdate | KeyMoment | Plain


@dataclass(frozen=True)
class Post:
    """One notice to publish; the posts of one batch do not depend on each other."""
    room: str
    notice: Notice
    thread: str | None = None
    broadcast: bool = False
    key: str | None = None  # what the post is (bot.core.idempotency.post_key)
    resumed: float | None = None  # see `Messenger.publish`


@dataclass(frozen=True)
class Edit:
    """One notice to revise in place."""
    room: str
    ts: str
    notice: Notice


T = TypeVar("T")


def attempt(call: Callable[[], T]) -> T | Undelivered:
    """One call of a batch: its result, or the `Undelivered` it raised (the others go on)."""
    try:
        return call()
    except Undelivered as e:
        return e


class Batches:
    """`publish_all` and `revise_all` for any messenger, on top of its `at_once`."""

    def publish_all(self, posts: Sequence[Post]) -> list[str | Undelivered]:
        return self.at_once([lambda p=p: self.publish(p.room, p.notice, thread=p.thread, broadcast=p.broadcast,  # type: ignore[attr-defined]
                                                      key=p.key, resumed=p.resumed) for p in posts])

    def revise_all(self, edits: Sequence[Edit]) -> list[None | Undelivered]:
        return self.at_once([lambda e=e: self.revise(e.room, e.ts, e.notice) for e in edits])  # type: ignore[attr-defined]

    def at_once(self, calls: Sequence[Callable[[], T]]) -> list[T | Undelivered]:
        raise NotImplementedError


@dataclass
class Room:
    id: str
    name: str
    private: bool = False
    created: float = 0.0
    creator: str | None = None


@dataclass
class Invited:
    """Who could not be invited, with the platform's reason for each."""
    refused: list[tuple[str, str]] = field(default_factory=list)


class Messenger(Protocol):
    # Who the bot and people are -------------------------------------------------------------
    def bot_user(self) -> str | None: ...
    def language_of(self, user: str) -> str | None: ...
    def person_exists(self, user: str) -> bool | None: ...  # None: the platform did not say
    def group_members(self, group: str) -> list[str]: ...

    # Rooms ----------------------------------------------------------------------------------
    def open_room(self, name: str, private: bool) -> Room: ...
    def rooms_we_made(self) -> dict[str, Room]: ...
    def invite(self, room: str, people: list[str]) -> Invited: ...
    def set_topic(self, room: str, incident: Incident, langs: Sequence[Lang]) -> str: ...
    def topic_of(self, incident: Incident, langs: Sequence[Lang]) -> str: ...
    def bookmark(self, room: str, title: str, link: str, *, resumed: bool = False) -> None: ...

    # Notices --------------------------------------------------------------------------------
    def publish(self, room: str, notice: Notice, *, thread: str | None = None, broadcast: bool = False,
                key: str | None = None, resumed: float | None = None) -> str: ...
    # `key` names what a notice is (bot.core.idempotency.post_key); with `resumed` (a Unix time: how
    # far back an interrupted run may have published it), publish first looks for the notice
    # bearing that key and returns it instead of publishing it twice. The same for `bookmark`.
    def revise(self, room: str, ts: str, notice: Notice) -> None: ...
    def shown(self, notice: Notice) -> str: ...
    def pin(self, room: str, ts: str) -> None: ...
    def link(self, room: str, ts: str) -> str: ...

    # Batches: calls that do not depend on each other, which the adapter may carry out side by side
    # (Slack: a small pool, within Slack's rate limits). One result per item, in order: its value or
    # the `Undelivered` it met; a failure never stops the other items. Use cases hand over a whole
    # batch where the order between its items does not matter to the people reading.
    def publish_all(self, posts: Sequence[Post]) -> list[str | Undelivered]: ...
    def revise_all(self, edits: Sequence[Edit]) -> list[None | Undelivered]: ...
    def at_once(self, calls: Sequence[Callable[[], T]]) -> list[T | Undelivered]: ...

    # Documents ------------------------------------------------------------------------------
    def attach(self, room: str, filename: str, content: str, title: str) -> None: ...
    def room_document(self, room: str, markdown: str, document_id: str | None, title: str) -> str: ...

    # What was said --------------------------------------------------------------------------
    def messages(self, room: str) -> Iterator[dict]: ...
    def thread(self, room: str, ts: str) -> Iterator[dict]: ...
    def message(self, room: str, ts: str) -> dict | None: ...
