"""conversations.* methods, with Slack's naming, membership and visibility rules."""
from __future__ import annotations

import re

from .api_support import SlackError, as_bool, channel_for_bot, page
from .state import Channel

NAME_CHARS = re.compile(r"^[a-z0-9_-]+$")
CHANNEL_TYPES = {"public_channel", "private_channel", "mpim", "im"}


def check_name(state, name: str) -> None:
    if not name:
        raise SlackError("invalid_name_required")
    if len(name) > 80:
        raise SlackError("invalid_name_maxlength")
    if not NAME_CHARS.match(name):
        raise SlackError("invalid_name_specials")  # upper case included, as Slack documents
    if not re.search(r"[a-z0-9]", name):
        raise SlackError("invalid_name_punctuation")
    if any(c.name == name for c in state.channels.values()):
        raise SlackError("name_taken")


def create(emu, args):
    state = emu.state
    name = str(args.get("name") or "")
    check_name(state, name)
    channel = Channel(id=state.new_id("G" if as_bool(args.get("is_private", False)) else "C"),
                      name=name, is_private=as_bool(args.get("is_private", False)),
                      members=[emu.bot_user_id], creator=emu.bot_user_id,
                      created=int(state.clock()))
    state.channels[channel.id] = channel
    return {"channel": channel.to_api(emu.bot_user_id)}


def _writable(emu, args) -> Channel:
    channel = channel_for_bot(emu, args.get("channel"))
    if channel.is_archived:
        raise SlackError("is_archived")
    return channel


def invite(emu, args):
    state = emu.state
    channel = _writable(emu, args)
    user_ids = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
    if not user_ids:
        raise SlackError("no_user")
    failures, valid = [], []
    for user_id in user_ids:
        if user_id == emu.bot_user_id:
            error = "cant_invite_self"
        elif user_id not in state.users:
            error = "user_not_found"
        elif user_id in channel.members:
            error = "already_in_channel"
        else:
            valid.append(user_id)
            continue
        failures.append({"user": user_id, "ok": False, "error": error})
    # Slack: one failure cancels the whole call, unless force=true keeps the valid ones.
    if failures and (not as_bool(args.get("force", False)) or not valid):
        raise SlackError(failures[0]["error"], errors=failures)
    for user_id in valid:
        if user_id not in channel.members:
            channel.members.append(user_id)
            emu.member_joined(channel, user_id, inviter=emu.bot_user_id)
    body = {"channel": channel.to_api(emu.bot_user_id)}
    if failures:
        body["errors"] = failures
    return body


def join(emu, args):
    channel = emu.state.visible_channel(args.get("channel"), emu.bot_user_id)
    if channel is None:
        raise SlackError("channel_not_found")
    if channel.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    body = {}
    if emu.bot_user_id in channel.members:
        body = {"warning": "already_in_channel",
                "response_metadata": {"warnings": ["already_in_channel"]}}
    else:
        channel.members.append(emu.bot_user_id)
        emu.member_joined(channel, emu.bot_user_id)
    return {"channel": channel.to_api(emu.bot_user_id), **body}


def info(emu, args):
    channel = channel_for_bot(emu, args.get("channel"), member=False)
    return {"channel": channel.to_api(emu.bot_user_id,
                                      num_members=as_bool(args.get("include_num_members", False)))}


def members(emu, args):
    channel = channel_for_bot(emu, args.get("channel"), member=False)
    chunk, meta = page(list(channel.members), str, args, prefix="user")
    return {"members": chunk, **meta}


def set_topic(emu, args):
    channel = _writable(emu, args)
    topic = str(args.get("topic") or "")
    if len(topic) > 250:
        raise SlackError("too_long")
    channel.topic = topic
    emu.state.add_message(channel, {"subtype": "channel_topic", "user": emu.bot_user_id,
                                    "topic": topic, "text": f"set the channel topic: {topic}"})
    return {"channel": channel.to_api(emu.bot_user_id)}


def _bound(args, name: str, error: str):
    value = args.get(name)
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SlackError(error)


def _window(messages: list[dict], args) -> list[dict]:
    oldest = _bound(args, "oldest", "invalid_ts_oldest")
    latest = _bound(args, "latest", "invalid_ts_latest")
    inclusive = as_bool(args.get("inclusive", False))

    def inside(ts: float) -> bool:
        if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
            return False
        return latest is None or ts < latest or (ts == latest and inclusive)
    return [m for m in messages if inside(float(m["ts"]))]


def _shown(messages: list[dict], args) -> list[dict]:
    """Messages as read back: their metadata only when include_all_metadata asks for it."""
    if as_bool(args.get("include_all_metadata", False)):
        return messages
    return [{k: v for k, v in m.items() if k != "metadata"} for m in messages]


def history(emu, args):
    channel = channel_for_bot(emu, args.get("channel"))
    messages = _shown(list(reversed(_window(channel.top_level(), args))), args)  # newest first
    chunk, meta = page(messages, lambda m: m["ts"], args, default_limit=100, max_limit=999,
                       prefix="next_ts")
    return {"messages": chunk, "has_more": bool(meta["response_metadata"]["next_cursor"]),
            "pin_count": len(channel.pins), **meta}


def replies(emu, args):
    channel = emu.state.visible_channel(args.get("channel"), emu.bot_user_id)
    if channel is None or emu.bot_user_id not in channel.members:
        raise SlackError("channel_not_found")
    thread = channel.thread(str(args.get("ts")))
    if not thread:
        raise SlackError("thread_not_found")
    parent, rest = thread[0], _window(thread[1:], args)
    chunk, meta = page(_shown([parent, *rest], args), lambda m: m["ts"], args, default_limit=1000,
                       max_limit=1000, prefix="next_ts")
    return {"messages": chunk, "has_more": bool(meta["response_metadata"]["next_cursor"]), **meta}


def archive(emu, args):
    channel = channel_for_bot(emu, args.get("channel"))
    if channel.is_archived:
        raise SlackError("already_archived")
    channel.is_archived = True
    return {}


def list_(emu, args):
    types = {t.strip() for t in str(args.get("types") or "public_channel").split(",") if t.strip()}
    if not types or types - CHANNEL_TYPES:
        raise SlackError("invalid_types")
    exclude_archived = as_bool(args.get("exclude_archived", False))
    found = []
    for channel in emu.state.channels.values():
        kind = "im" if channel.is_im else "private_channel" if channel.is_private else "public_channel"
        if kind not in types or (exclude_archived and channel.is_archived):
            continue
        if emu.state.visible_channel(channel.id, emu.bot_user_id) is None:
            continue
        found.append(channel.to_api(emu.bot_user_id))
    chunk, meta = page(found, lambda c: c["id"], args, default_limit=100, prefix="id")
    return {"channels": chunk, **meta}


def user_conversations(emu, args):
    """users.conversations: the channels a user is in; others' private ones only if shared with the bot."""
    types = {t.strip() for t in str(args.get("types") or "public_channel").split(",") if t.strip()}
    if not types or types - CHANNEL_TYPES:
        raise SlackError("invalid_types")
    user = str(args.get("user") or emu.bot_user_id)  # an unknown user is simply in no channel
    exclude_archived = as_bool(args.get("exclude_archived", False))
    found = []
    for channel in emu.state.channels.values():
        kind = "im" if channel.is_im else "private_channel" if channel.is_private else "public_channel"
        if kind not in types or user not in channel.members or (exclude_archived and channel.is_archived):
            continue
        if emu.state.visible_channel(channel.id, emu.bot_user_id) is None:
            continue
        found.append(channel.to_api(emu.bot_user_id))
    chunk, meta = page(found, lambda c: c["id"], args, default_limit=100, max_limit=999, prefix="id")
    return {"channels": chunk, **meta}


HANDLERS = {
    "users.conversations": user_conversations,
    "conversations.create": create, "conversations.invite": invite,
    "conversations.join": join, "conversations.info": info,
    "conversations.members": members, "conversations.setTopic": set_topic,
    "conversations.history": history, "conversations.replies": replies,
    "conversations.archive": archive, "conversations.list": list_,
}
