"""Identity, users and the items attached to messages: auth, users, pins, bookmarks, reactions."""
from __future__ import annotations

import re

from .api_support import SlackError, as_bool, channel_for_bot, message_in

EMOJI_NAME = re.compile(r"^[a-z0-9_+\-']+(::skin-tone-[2-6])?$")


def auth_test(emu, args):
    return {"url": f"https://{emu.team_domain}.slack.com/", "team": emu.team_domain,
            "user": "cellule", "team_id": emu.team_id, "user_id": emu.bot_user_id,
            "bot_id": emu.bot_id, "is_enterprise_install": False}


def users_info(emu, args):
    user = emu.state.users.get(args.get("user"))
    if user is None:
        raise SlackError("user_not_found")
    data = user.to_api(include_locale=as_bool(args.get("include_locale", False)))
    data["team_id"] = emu.team_id
    return {"user": data}


def usergroup_users(emu, args):
    users = emu.state.usergroups.get(args.get("usergroup"))
    if users is None:
        raise SlackError("no_such_subteam")
    return {"users": list(users)}


def pins_add(emu, args):
    channel = channel_for_bot(emu, args.get("channel"))
    if not args.get("timestamp"):
        raise SlackError("no_item_specified")
    message = message_in(channel, args["timestamp"])
    if message["ts"] in channel.pins:
        raise SlackError("already_pinned")
    channel.pins.append(message["ts"])
    message.setdefault("pinned_to", []).append(channel.id)
    return {}


def pins_list(emu, args):
    channel = channel_for_bot(emu, args.get("channel"), member=False)
    items = [{"type": "message", "channel": channel.id, "created_by": emu.bot_user_id,
              "message": channel.messages[ts]} for ts in channel.pins]
    return {"items": items}


def bookmarks_add(emu, args):
    channel = channel_for_bot(emu, args.get("channel_id"), member=False)
    if args.get("type") != "link":
        raise SlackError("invalid_bookmark_type")
    link = str(args.get("link") or "")
    if not re.match(r"^https?://\S+$", link):
        raise SlackError("invalid_link")
    bookmark = {"id": emu.state.new_id("Bk"), "channel_id": channel.id,
                "title": args.get("title"), "link": link, "emoji": args.get("emoji"),
                "type": "link", "date_created": int(emu.state.clock()),
                "created_by": emu.bot_user_id}
    channel.bookmarks.append(bookmark)
    return {"bookmark": bookmark}


def bookmarks_list(emu, args):
    channel = channel_for_bot(emu, args.get("channel_id"), member=False)
    return {"bookmarks": list(channel.bookmarks)}


def _reaction_target(emu, args):
    if not args.get("channel") or not args.get("timestamp"):
        raise SlackError("no_item_specified")
    channel = channel_for_bot(emu, args["channel"], member=False)
    name = str(args.get("name") or "").strip(":")
    if not EMOJI_NAME.match(name):
        raise SlackError("invalid_name")
    return channel, message_in(channel, args["timestamp"]), name


def reactions_add(emu, args):
    channel, message, name = _reaction_target(emu, args)
    if channel.is_archived:
        raise SlackError("is_archived")
    reactions = message.setdefault("reactions", [])
    reaction = next((r for r in reactions if r["name"] == name), None)
    if reaction is None:
        reaction = {"name": name, "users": [], "count": 0}
        reactions.append(reaction)
    if emu.bot_user_id in reaction["users"]:
        raise SlackError("already_reacted")
    reaction["users"].append(emu.bot_user_id)
    reaction["count"] = len(reaction["users"])
    emu.bot_event(channel, emu.reaction_event("reaction_added", emu.bot_user_id, channel, message, name))
    return {}


def reactions_remove(emu, args):
    channel, message, name = _reaction_target(emu, args)
    reactions = message.get("reactions", [])
    reaction = next((r for r in reactions if r["name"] == name), None)
    if reaction is None or emu.bot_user_id not in reaction["users"]:
        raise SlackError("no_reaction")
    reaction["users"].remove(emu.bot_user_id)
    reaction["count"] = len(reaction["users"])
    if not reaction["users"]:
        reactions.remove(reaction)
    emu.bot_event(channel, emu.reaction_event("reaction_removed", emu.bot_user_id, channel, message, name))
    return {}


HANDLERS = {
    "auth.test": auth_test, "users.info": users_info,
    "apps.connections.open": lambda emu, args: {"url": emu.socket_mode.open_url()},
    "usergroups.users.list": usergroup_users,
    "pins.add": pins_add, "pins.list": pins_list,
    "bookmarks.add": bookmarks_add, "bookmarks.list": bookmarks_list,
    "reactions.add": reactions_add, "reactions.remove": reactions_remove,
}
