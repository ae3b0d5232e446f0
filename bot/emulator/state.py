"""The emulated workspace: users, channels, messages, views, files, canvases.

Messages are stored as Slack-shaped dicts so they can be returned as-is by the Web API.
All access goes through `State.lock` (an RLock): bot threads call concurrently.
"""
from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field


@dataclass
class User:
    id: str
    name: str
    locale: str = "en-US"
    tz: str = "Europe/Paris"
    is_bot: bool = False
    real_name: str | None = None

    def to_api(self, *, include_locale: bool = False) -> dict:
        data = {
            "id": self.id, "team_id": None, "name": self.name, "deleted": False,
            "real_name": self.real_name or self.name, "tz": self.tz, "is_bot": self.is_bot,
            "is_admin": False, "is_app_user": False,
            "profile": {"real_name": self.real_name or self.name,
                        "display_name": self.name, "bot_id": None},
        }
        if include_locale:
            data["locale"] = self.locale
        return data


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    members: list[str] = field(default_factory=list)
    creator: str = ""
    created: int = 0
    is_archived: bool = False
    topic: str = ""
    messages: dict[str, dict] = field(default_factory=dict)  # ts -> message (replies too)
    pins: list[str] = field(default_factory=list)
    bookmarks: list[dict] = field(default_factory=list)
    canvas_id: str | None = None

    def top_level(self) -> list[dict]:
        return [m for ts, m in sorted(self.messages.items())
                if m.get("thread_ts") in (None, ts) or m.get("subtype") == "thread_broadcast"]

    def thread(self, parent_ts: str) -> list[dict]:
        return [m for ts, m in sorted(self.messages.items())
                if ts == parent_ts or m.get("thread_ts") == parent_ts]

    def to_api(self, viewer: str, *, num_members: bool = False) -> dict:
        data = {
            "id": self.id, "name": self.name, "name_normalized": self.name,
            "is_channel": not self.is_private and not self.is_im, "is_group": self.is_private,
            "is_im": self.is_im, "is_mpim": False, "is_private": self.is_private or self.is_im,
            "created": self.created, "creator": self.creator, "is_archived": self.is_archived,
            "is_general": False, "is_member": viewer in self.members, "is_shared": False,
            "is_ext_shared": False, "is_org_shared": False, "previous_names": [],
            "topic": {"value": self.topic, "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        if num_members:
            data["num_members"] = len(self.members)
        if self.canvas_id:  # Slack's channel object names the channel canvas in its properties
            data["properties"] = {"canvas": {"file_id": self.canvas_id, "is_empty": False}}
        return data


@dataclass
class View:
    id: str
    user: str
    data: dict  # the view as the app sent it, plus Slack's fields
    hash: str
    root_view_id: str
    previous_view_id: str | None = None

    def to_api(self, team_id: str, app_id: str, bot_id: str) -> dict:
        view = dict(self.data)
        view.update({
            "id": self.id, "team_id": team_id, "hash": self.hash, "app_id": app_id,
            "bot_id": bot_id, "app_installed_team_id": team_id,
            "root_view_id": self.root_view_id, "previous_view_id": self.previous_view_id,
            "callback_id": self.data.get("callback_id", ""),
            "private_metadata": self.data.get("private_metadata", ""),
            "external_id": self.data.get("external_id", ""),
            "clear_on_close": bool(self.data.get("clear_on_close")),
            "notify_on_close": bool(self.data.get("notify_on_close")),
            "state": {"values": {}},
        })
        return view


@dataclass
class File:
    id: str
    filename: str
    length: int
    title: str = ""
    content: bytes | None = None
    completed: bool = False
    channels: list[str] = field(default_factory=list)

    def to_api(self) -> dict:
        return {"id": self.id, "name": self.filename, "title": self.title or self.filename,
                "size": len(self.content or b""), "mimetype": "text/plain",
                "channels": list(self.channels)}


@dataclass
class Canvas:
    id: str
    title: str
    markdown: str
    channel: str | None = None


@dataclass
class Trigger:
    id: str
    user: str
    created: float
    used: bool = False


@dataclass
class ResponseUrl:
    id: str
    user: str
    channel: str
    created: float
    message_ts: str | None = None  # the message an interaction came from
    ephemeral_ts: str | None = None  # or the ephemeral message it came from
    uses: int = 0


class State:
    def __init__(self, clock):
        self.clock = clock
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.usergroup_handles: dict[str, str] = {}
        self.channels: dict[str, Channel] = {}
        self.views: dict[str, View] = {}
        self.view_stacks: dict[str, list[str]] = {}  # user -> view ids, top last
        self.home_views: dict[str, View] = {}  # user -> the app's Home tab as views.publish left it
        self.files: dict[str, File] = {}
        self.canvases: dict[str, Canvas] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.ephemerals: list[dict] = []
        self._last_micros = 0
        self._ids = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}{secrets.token_hex(3).upper()}"

    def next_ts(self) -> str:
        """Slack-like ts "1733310480.000100": from the clock, strictly increasing."""
        micros = int(self.clock() * 1_000_000)
        if micros <= self._last_micros:
            micros = self._last_micros + 1
        self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def new_trigger(self, user: str) -> str:
        trigger_id = f"{next(self._ids)}{secrets.randbelow(10**9)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = Trigger(trigger_id, user, self.clock())
        return trigger_id

    def add_message(self, channel: Channel, message: dict) -> dict:
        """Store a new message (ts assigned here); a reply updates its parent's thread fields."""
        ts = self.next_ts()
        message = {"type": "message", **message, "ts": ts}
        parent_ts = message.get("thread_ts")
        if parent_ts:
            parent = channel.messages[parent_ts]
            parent["thread_ts"] = parent_ts
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            author = message.get("user") or message.get("bot_id")
            users = parent.setdefault("reply_users", [])
            if author not in users:
                users.append(author)
            parent["reply_users_count"] = len(users)
            parent["latest_reply"] = ts
            if message.pop("reply_broadcast", False):
                message["subtype"] = "thread_broadcast"
        channel.messages[ts] = message
        return message

    def remove_message(self, channel: Channel, ts: str) -> None:
        message = channel.messages.pop(ts)
        parent = channel.messages.get(message.get("thread_ts") or "")
        if parent is not None and parent is not message:
            parent["reply_count"] = max(0, parent.get("reply_count", 1) - 1)
        if ts in channel.pins:
            channel.pins.remove(ts)

    def visible_channel(self, channel_id: str | None, viewer: str) -> Channel | None:
        """The channel as `viewer` may see it: private channels only to their members."""
        channel = self.channels.get(channel_id or "")
        if channel is None or ((channel.is_private or channel.is_im) and viewer not in channel.members):
            return None
        return channel

    def channel_type(self, channel: Channel) -> str:
        return "im" if channel.is_im else "group" if channel.is_private else "channel"

    def im_channel(self, user: str, bot_user: str) -> Channel:
        for channel in self.channels.values():
            if channel.is_im and set(channel.members) == {user, bot_user}:
                return channel
        channel = Channel(id=self.new_id("D"), name=user, is_im=True, members=[user, bot_user],
                          created=int(self.clock()))
        self.channels[channel.id] = channel
        return channel
