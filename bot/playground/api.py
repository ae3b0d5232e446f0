"""The page's JSON API over the emulator: a snapshot of the workspace as one person sees it, and
the things that person can do (type, react, click, submit a form).

Everything the page does goes through the emulator's driver, so the bot receives the same signed
requests Slack would send.
"""

from __future__ import annotations

import copy

from bot.emulator import SlackEmulator
from bot.emulator.driver import Delivery

from .workspace import CRISIS_GROUP

FILES_PATH = "/playground/files/"


class ActionError(Exception):
    """Something the person cannot do (shown on the page, as Slack's client would refuse it)."""


def _message(m: dict) -> dict:
    out = copy.deepcopy(m)
    for f in out.get("files") or []:
        f["url"] = FILES_PATH + f["id"]
    return out


def _channel(emu: SlackEmulator, ch, viewer: str) -> dict:
    top = [_message(m) for m in ch.top_level()]
    for m in top:
        if m.get("reply_count") and m.get("thread_ts") == m["ts"]:
            m["replies"] = [_message(r) for r in ch.thread(m["ts"])[1:]]
    canvas = emu.state.canvases.get(ch.canvas_id) if ch.canvas_id else None
    return {
        "id": ch.id, "name": ch.name, "is_private": ch.is_private, "is_im": ch.is_im,
        "is_member": viewer in ch.members, "members": list(ch.members), "topic": ch.topic,
        "pins": list(ch.pins), "bookmarks": [dict(b) for b in ch.bookmarks],
        "canvas": {"id": canvas.id, "title": canvas.title, "markdown": canvas.markdown} if canvas else None,
        "messages": top,
    }


def snapshot(emu: SlackEmulator, viewer: str, status: dict) -> dict:
    """The workspace as `viewer` sees it: private channels and DMs only when a member; only their
    ephemeral replies and forms."""
    with emu.state.lock:
        st = emu.state
        channels = [_channel(emu, ch, viewer) for ch in st.channels.values()
                    if not ((ch.is_private or ch.is_im) and viewer not in ch.members)]
        return {
            **status,
            "viewer": viewer,
            "bot": {"id": emu.bot_user_id, "name": st.users[emu.bot_user_id].name},
            "people": [{"id": u.id, "name": u.name, "real_name": u.real_name, "locale": u.locale,
                        "crisis_unit": u.id in st.usergroups.get(CRISIS_GROUP, [])} for u in _people(st)],
            "users": {u.id: u.real_name or u.name for u in st.users.values()},
            "usergroups": dict(st.usergroup_handles),
            "channels": channels,
            "ephemerals": [_message(e) for e in st.ephemerals if e["user"] == viewer],
            "views": [emu.view_api(st.views[v]) for v in st.view_stacks.get(viewer, [])],
            "home": emu.view_api(st.home_views[viewer]) if viewer in st.home_views else None,
            # What real Slack would have refused from the bot (a bug to fix, shown on the page).
            "violations": list(emu.violations),
        }


def file_download(emu: SlackEmulator, file_id: str) -> tuple[str, bytes] | None:
    with emu.state.lock:
        f = emu.state.files.get(file_id)
        if f is None or not f.completed:
            return None
        return f.filename, bytes(f.content or b"")


def _people(st) -> list:
    """The workspace's people (every configured language has some), not the bot."""
    return [u for u in st.users.values() if not u.is_bot]


def _person(emu: SlackEmulator, user) -> str:
    with emu.state.lock:
        if user not in {u.id for u in _people(emu.state)}:
            raise ActionError(f"unknown person {user!r}")
    return user


def _delivered(d: Delivery) -> dict:
    if d.status != 200:
        raise ActionError(f"the bot answered HTTP {d.status}")
    return {"ok": True, "response": d.json}


def act(emu: SlackEmulator, action: str, args: dict) -> dict:
    """Do one thing as a person; returns what the page needs (e.g. a form's inline errors)."""
    user = _person(emu, args.get("user"))
    try:
        if action == "send":
            return _send(emu, user, args)
        if action == "react":
            return _react(emu, user, args)
        if action == "click":
            return _click(emu, user, args)
        if action == "submit":
            d = emu.submit_view(user, str(args.get("view_id")), args.get("values") or {})
            return _delivered(d)
        if action == "close":
            return _close(emu, user, str(args.get("view_id")))
        if action == "dismiss":
            return _dismiss(emu, user, str(args.get("ts")))
        if action == "home":  # the person opens the app's Home tab
            return _delivered(emu.open_home(user))
    except (ValueError, KeyError) as e:  # the driver refuses what Slack's client would not let you do
        raise ActionError(str(e).strip("'\"")) from None
    raise ActionError(f"unknown action {action!r}")


def _send(emu, user: str, args: dict) -> dict:
    channel, text = str(args.get("channel")), str(args.get("text") or "").strip()
    if not text:
        raise ActionError("type a message or a command")
    if text.startswith("/"):
        command, _, rest = text.partition(" ")
        if command != "/incident":
            raise ActionError(f"{command} is not a command in this workspace (try /incident help)")
        return _delivered(emu.slash_command(user, channel, rest.strip()))
    ts = emu.post_message(user, channel, text, thread_ts=args.get("thread_ts") or None)
    return {"ok": True, "ts": ts}


def _react(emu, user: str, args: dict) -> dict:
    channel, ts, name = str(args.get("channel")), str(args.get("ts")), str(args.get("name") or "pushpin")
    with emu.state.lock:
        message = emu.state.channels[channel].messages[ts]
        mine = any(user in r["users"] for r in message.get("reactions") or [] if r["name"] == name)
    # A second click takes the reaction back, as in Slack.
    d = (emu.remove_reaction if mine else emu.add_reaction)(user, channel, ts, name)
    return _delivered(d)


def _click(emu, user: str, args: dict) -> dict:
    action_id, value = str(args.get("action_id")), args.get("value")
    if args.get("home"):
        return _delivered(emu.click_home(user, action_id, value))
    if args.get("view_id"):
        return _delivered(emu.click_in_view(user, str(args["view_id"]), action_id, value))
    if args.get("ephemeral_ts"):
        ephemeral = next((e for e in emu.ephemerals(user) if e["ts"] == args["ephemeral_ts"]), None)
        if ephemeral is None:
            raise ActionError("that reply is gone")
        return _delivered(emu.click_ephemeral(user, ephemeral, action_id, value))
    return _delivered(emu.click(user, str(args.get("channel")), str(args.get("ts")), action_id, value))


def _close(emu, user: str, view_id: str) -> dict:
    # The bot asks for no view_closed event (notify_on_close is off), so closing only changes the screen.
    with emu.state.lock:
        stack = emu.state.view_stacks.get(user, [])
        if view_id in stack:
            del stack[stack.index(view_id):]
    return {"ok": True}


def _dismiss(emu, user: str, ts: str) -> dict:
    with emu.state.lock:
        emu.state.ephemerals[:] = [e for e in emu.state.ephemerals if not (e["user"] == user and e["ts"] == ts)]
    return {"ok": True}
