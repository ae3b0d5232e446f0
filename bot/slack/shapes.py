"""The shapes Slack's requests always have, checked once at the door (after the signature).

A correctly signed request that Slack would never send — a payload that is not an object, a view
whose state is not one, a `ts` that is `nan` or `1e309` — is refused here with a 400, so that no
listener, Bolt's parser included, ever meets it. Only what the listeners rely on is checked: fields
Slack adds tomorrow pass through.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs

# Slack's timestamps: seconds, a dot, microseconds ("1733310999.000100"); action_ts may lack the dot.
TS = re.compile(r"\d{1,12}(\.\d{1,9})?")
TS_FIELDS = frozenset({"ts", "event_ts", "thread_ts", "deleted_ts", "message_ts", "action_ts", "latest_reply"})
MAX_DEPTH = 40

# For each kind of request, the dotted paths that must hold an object ({}), a string ("") or a list ([]).
# "name[]" stands for each item of the list `name` (a list checked as one by its own path).
OBJ, STR, LIST = dict, str, list
REQUIRED: dict[str, dict[str, type]] = {
    "command": {"command": STR, "user_id": STR, "channel_id": STR, "trigger_id": STR, "response_url": STR},
    "block_actions": {"user": OBJ, "user.id": STR, "actions": LIST, "actions[]": OBJ, "actions[].action_id": STR},
    "view_submission": {"user": OBJ, "user.id": STR, "view": OBJ, "view.id": STR, "view.callback_id": STR,
                        "view.state": OBJ, "view.state.values": OBJ},
    "view_closed": {"user": OBJ, "view": OBJ},
    "shortcut": {"user": OBJ, "user.id": STR, "callback_id": STR},
    "message_action": {"user": OBJ, "user.id": STR, "callback_id": STR, "channel": OBJ, "channel.id": STR,
                       "message": OBJ, "response_url": STR},
    "event_callback": {"event": OBJ, "event.type": STR},
    "url_verification": {"challenge": STR},
}
# What the listeners read of a message: as an event, an edit's new message, a deletion's previous one.
MESSAGE = {"user": STR, "text": STR, "subtype": STR, "edited": OBJ, "files": LIST, "files[]": OBJ,
           "files[].name": STR, "files[].id": STR}
# Paths that may be absent, but hold this type when present.
OPTIONAL: dict[str, dict[str, type]] = {
    "event_callback": {"event_id": STR, "event.message": OBJ, "event.previous_message": OBJ,
                       "event.item.channel": STR, "event.item.type": STR,
                       **{f"{message}.{path}": kind for message in ("event", "event.message", "event.previous_message")
                          for path, kind in MESSAGE.items()}},
    "message_action": {"message.text": STR, "message.user": STR},
    "block_actions": {"actions[].value": STR, "channel": OBJ, "channel.id": STR, "trigger_id": STR},
}
# The types of an input's fields in a view's state.
ELEMENT_FIELDS = {"value": STR, "selected_option": OBJ, "selected_options": LIST, "selected_user": STR,
                  "selected_date": STR, "selected_time": STR}
EVENTS: dict[str, dict[str, type]] = {
    "message": {"channel": STR},
    "reaction_added": {"item": OBJ, "reaction": STR, "user": STR},
    "reaction_removed": {"item": OBJ, "reaction": STR, "user": STR},
}


def _at(data: Any, path: str) -> list[Any]:
    """The values at a dotted path: one (None when absent), or one per item for a "name[]"."""
    values = [data]
    for part in path.split("."):
        each = part.endswith("[]")
        name = part.removesuffix("[]")
        values = [value.get(name) if isinstance(value, dict) else None for value in values]
        if each:
            values = [item for value in values if isinstance(value, list) for item in value]
    return values


def _missing(data: dict, required: dict[str, type]) -> str | None:
    for path, kind in required.items():
        if not all(isinstance(value, kind) for value in _at(data, path)):
            return path
    return None


def _wrong(data: dict, optional: dict[str, type]) -> str | None:
    """A path present with another type (a list's items are always present, null ones too)."""
    for path, kind in optional.items():
        absent = () if path.endswith("[]") else (None,)
        if not all(value in absent or isinstance(value, kind) for value in _at(data, path)):
            return path
    return None


def _bad_value(data: Any, depth: int = 0) -> str | None:
    """A timestamp field that is not one of Slack's timestamps, anywhere in the request."""
    if depth > MAX_DEPTH:
        return "nesting"
    if isinstance(data, dict):
        for key, value in data.items():
            if key in TS_FIELDS and value is not None and not (isinstance(value, str) and TS.fullmatch(value)):
                return key
            found = _bad_value(value, depth + 1)
            if found:
                return found
    elif isinstance(data, list):
        for value in data:
            found = _bad_value(value, depth + 1)
            if found:
                return found
    return None


def _elements(view: dict) -> str | None:
    """State values are {block_id: {action_id: {"type": …}}}."""
    for block in view["state"]["values"].values():
        if not isinstance(block, dict) or not all(isinstance(v, dict) for v in block.values()):
            return "view.state.values"
        for element in block.values():
            if any(element.get(k) is not None and not isinstance(element[k], t) for k, t in ELEMENT_FIELDS.items()):
                return "view.state.values"
    metadata = view.get("private_metadata")
    if metadata not in (None, ""):
        try:
            if not isinstance(json.loads(metadata), dict):
                return "view.private_metadata"
        except (TypeError, ValueError):
            return "view.private_metadata"
    return None


def problem(body: bytes, content_type: str) -> str | None:
    """What is wrong with a signed request's body, or None when it has the shape Slack sends."""
    try:
        text = body.decode("utf-8")
        if "application/json" in (content_type or ""):
            data = json.loads(text)
        else:
            form = {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}
            data = json.loads(form["payload"]) if "payload" in form else form
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "not a form or JSON body"
    return problem_in(data)


def problem_in(data: object) -> str | None:
    """What is wrong with a request already read (a Socket Mode envelope's payload, say), or None."""
    if not isinstance(data, dict):
        return "not an object"
    kind = "command" if "command" in data and "payload" not in data else data.get("type")
    if not isinstance(kind, str):
        return "type"
    missing = _missing(data, REQUIRED.get(kind, {}))
    if missing is None:
        missing = _wrong(data, OPTIONAL.get(kind, {}))
    if missing is None and kind == "event_callback":
        missing = _missing(data["event"], EVENTS.get(data["event"]["type"], {}))
    if missing is None and kind == "view_submission":
        missing = _elements(data["view"])
    if missing is None and kind == "block_actions" and not data["actions"]:
        missing = "actions"
    if missing is None:
        try:
            missing = _bad_value(data)
        except RecursionError:
            missing = "nesting"
    return f"{kind}: {missing}" if missing else None
