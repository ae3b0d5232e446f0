"""chat.* methods: posting, editing, ephemerals, deletion and permalinks."""
from __future__ import annotations

import json

from .api_support import SlackError, as_bool, as_json, channel_for_bot, message_in
from .blockkit import check_blocks

MAX_TEXT = 40_000


def content(args, *, required: bool = True) -> dict:
    """text / blocks / attachments of a message, validated as Slack does."""
    text = args.get("text")
    blocks = as_json(args.get("blocks"), "blocks", error="invalid_blocks_format")
    attachments = as_json(args.get("attachments"), "attachments")
    if blocks is not None:
        errors = check_blocks(blocks)
        if errors:
            raise SlackError("invalid_blocks", messages=errors, violation=True)
    if required and not text and not blocks and not attachments:
        raise SlackError("no_text")
    if isinstance(text, str) and len(text) > MAX_TEXT:
        raise SlackError("msg_too_long", violation=True)
    data = {"text": text or ""}
    if blocks is not None:
        data["blocks"] = blocks
    if attachments:
        data["attachments"] = attachments
    return data


def target_channel(emu, channel_id):
    """A channel ID, or a user ID for the app's DM with that user."""
    state = emu.state
    if isinstance(channel_id, str) and channel_id[:1] in ("U", "W") and channel_id in state.users:
        return state.im_channel(channel_id, emu.bot_user_id)
    channel = channel_for_bot(emu, channel_id)
    if channel.is_archived:
        raise SlackError("is_archived")
    return channel


def thread_parent(channel, thread_ts):
    if not thread_ts:
        return None
    parent = channel.messages.get(str(thread_ts))
    if parent is None or parent.get("subtype") in ("channel_topic", "channel_join"):
        raise SlackError("cannot_reply_to_message")
    # A reply's ts names its thread, as in Slack.
    return parent.get("thread_ts") or parent["ts"]


def _metadata(value) -> dict:
    """Message metadata: an object with a string event_type and an object event_payload."""
    metadata = as_json(value, "metadata", error="invalid_metadata_format")
    if (not isinstance(metadata, dict) or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload"), dict)):
        raise SlackError("invalid_metadata_format", violation=True)
    if len(json.dumps(metadata)) > 8000:
        raise SlackError("metadata_too_large", violation=True)
    return metadata


def post_message(emu, args):
    channel = target_channel(emu, args.get("channel"))
    data = content(args)
    thread_ts = thread_parent(channel, args.get("thread_ts"))
    message = {**emu.bot_message_fields(), **data}
    if thread_ts:
        message["thread_ts"] = thread_ts
        message["reply_broadcast"] = as_bool(args.get("reply_broadcast", False))
    if args.get("metadata"):
        message["metadata"] = _metadata(args["metadata"])
    message = emu.state.add_message(channel, message)
    emu.bot_event(channel, dict(message))
    return {"channel": channel.id, "ts": message["ts"], "message": message}


def update(emu, args):
    # chat.update documents no not_in_channel: a bot that left the channel gets channel_not_found.
    channel = channel_for_bot(emu, args.get("channel"), member=False)
    if emu.bot_user_id not in channel.members:
        raise SlackError("channel_not_found")
    message = message_in(channel, args.get("ts"))
    if message.get("bot_id") != emu.bot_id:
        raise SlackError("cant_update_message")
    data = content(args)
    previous = dict(message)
    message.update(data)
    if "blocks" not in data:
        message.pop("blocks", None)
    message["edited"] = {"user": emu.bot_user_id, "ts": emu.state.next_ts()}
    emu.bot_event(channel, {"type": "message", "subtype": "message_changed", "hidden": True,
                            "message": dict(message), "previous_message": previous,
                            "ts": message["edited"]["ts"]})
    return {"channel": channel.id, "ts": message["ts"], "text": message["text"],
            "message": message}


def post_ephemeral(emu, args):
    channel = target_channel(emu, args.get("channel"))
    user = args.get("user")
    if user not in channel.members:
        raise SlackError("user_not_in_channel")
    data = content(args)
    ts = emu.state.next_ts()
    emu.state.ephemerals.append({"user": user, "channel": channel.id, "ts": ts,
                                 "thread_ts": args.get("thread_ts"),
                                 "source": "chat.postEphemeral", **data})
    return {"message_ts": ts}


def delete(emu, args):
    channel = channel_for_bot(emu, args.get("channel"))
    message = message_in(channel, args.get("ts"))
    if message.get("bot_id") != emu.bot_id:
        raise SlackError("cant_delete_message")
    emu.state.remove_message(channel, message["ts"])
    emu.bot_event(channel, {"type": "message", "subtype": "message_deleted", "hidden": True,
                            "deleted_ts": message["ts"], "previous_message": message,
                            "ts": emu.state.next_ts()})
    return {"channel": channel.id, "ts": message["ts"]}


def get_permalink(emu, args):
    channel = channel_for_bot(emu, args.get("channel"), member=False)
    message = message_in(channel, args.get("message_ts"))
    return {"channel": channel.id, "permalink": emu.permalink(channel.id, message)}


HANDLERS = {
    "chat.postMessage": post_message, "chat.update": update,
    "chat.postEphemeral": post_ephemeral, "chat.delete": delete,
    "chat.getPermalink": get_permalink,
}
