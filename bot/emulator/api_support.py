"""Helpers shared by the Web API method handlers: errors, argument coercion, lookups."""
from __future__ import annotations

import base64
import json

from .state import Channel


class SlackError(Exception):
    """A Slack error answer. `violation` marks a caller bug (malformed input) to record."""

    def __init__(self, error: str, *, messages: list[str] | None = None, violation: bool = False,
                 **extra):
        super().__init__(error)
        self.error = error
        self.messages = messages or []
        self.violation = violation
        self.extra = extra

    def body(self) -> dict:
        body = {"ok": False, "error": self.error, **self.extra}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


def as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes")


def as_int(value, name: str, *, error: str = "invalid_arguments") -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SlackError(error, messages=[f"[ERROR] {name} must be an integer"], violation=True)


def as_json(value, name: str, *, error: str = "invalid_arguments"):
    """Form bodies carry JSON arguments as strings; JSON bodies carry them as values."""
    if value is None or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise SlackError(error, messages=[f"[ERROR] {name} is not valid JSON"], violation=True)


def channel_for_bot(emu, channel_id, *, member: bool = True) -> Channel:
    """The channel the bot addresses: channel_not_found if invisible, not_in_channel if required."""
    channel = emu.state.visible_channel(channel_id, emu.bot_user_id)
    if channel is None:
        raise SlackError("channel_not_found")
    if member and emu.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    return channel


def message_in(channel: Channel, ts) -> dict:
    message = channel.messages.get(str(ts or ""))
    if message is None:
        raise SlackError("message_not_found")
    return message


def page(items: list, key, args: dict, *, default_limit: int = 100, max_limit: int = 1000,
         prefix: str = "next") -> tuple[list, dict]:
    """Cursor pagination as Slack does it: an opaque base64 cursor naming the next item."""
    limit = as_int(args.get("limit", default_limit), "limit")
    limit = min(limit if limit > 0 else default_limit, max_limit)  # Slack: 0 means the default
    start = 0
    cursor = args.get("cursor")
    if cursor:
        try:
            wanted = base64.b64decode(cursor, validate=True).decode().split(":", 1)[1]
            start = next(i for i, item in enumerate(items) if str(key(item)) == wanted)
        except (ValueError, IndexError, StopIteration):
            raise SlackError("invalid_cursor")
    chunk = items[start:start + limit]
    next_cursor = ""
    if start + limit < len(items):
        raw = f"{prefix}:{key(items[start + limit])}".encode()
        next_cursor = base64.b64encode(raw).decode()
    return chunk, {"response_metadata": {"next_cursor": next_cursor}}
