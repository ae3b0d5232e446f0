"""views.open / views.push / views.update: modals with trigger_id life rules and a view stack."""
from __future__ import annotations

import secrets

from .api_support import SlackError, as_json
from .blockkit import check_home_view, check_view
from .state import View

TRIGGER_LIFETIME = 3.0  # seconds, as Slack documents
MAX_STACK = 3


def _valid_view(args) -> dict:
    view = as_json(args.get("view"), "view")
    errors = check_view(view)
    if errors:
        raise SlackError("invalid_arguments", messages=errors, violation=True)
    return view


def _take_trigger(emu, args):
    """The trigger's user; the trigger is consumed only once the view is accepted."""
    trigger = emu.state.triggers.get(str(args.get("trigger_id") or args.get("interactivity_pointer") or ""))
    if trigger is None:
        raise SlackError("invalid_trigger_id")
    if trigger.used:
        raise SlackError("exchanged_trigger_id")
    if emu.state.clock() - trigger.created > TRIGGER_LIFETIME:
        raise SlackError("expired_trigger_id")
    return trigger


def _check_external_id(emu, view: dict, keep: str | None = None) -> None:
    external_id = view.get("external_id")
    if external_id and any(v.data.get("external_id") == external_id and v.id != keep
                           for v in emu.state.views.values()):
        raise SlackError("duplicate_external_id")


def new_view(emu, user: str, data: dict, root: str | None, previous: str | None) -> View:
    view_id = emu.state.new_id("V")
    view = View(id=view_id, user=user, data=data, hash=_hash(emu),
                root_view_id=root or view_id, previous_view_id=previous)
    emu.state.views[view_id] = view
    return view


def _hash(emu) -> str:
    return f"{int(emu.state.clock())}.{secrets.token_hex(4)}"


def open_(emu, args):
    trigger = _take_trigger(emu, args)
    data = _valid_view(args)
    _check_external_id(emu, data)
    trigger.used = True
    view = new_view(emu, trigger.user, data, None, None)
    emu.state.view_stacks[trigger.user] = [view.id]
    return {"view": emu.view_api(view)}


def push(emu, args):
    trigger = _take_trigger(emu, args)
    data = _valid_view(args)
    stack = emu.state.view_stacks.get(trigger.user) or []
    if not stack:
        raise SlackError("not_found")
    if len(stack) >= MAX_STACK:
        raise SlackError("push_limit_reached")
    _check_external_id(emu, data)
    trigger.used = True
    top = emu.state.views[stack[-1]]
    view = new_view(emu, trigger.user, data, top.root_view_id, top.id)
    stack.append(view.id)
    return {"view": emu.view_api(view)}


def update(emu, args):
    data = _valid_view(args)
    view = emu.state.views.get(args.get("view_id") or "")
    if view is None and args.get("external_id"):
        view = next((v for v in emu.state.views.values()
                     if v.data.get("external_id") == args["external_id"]), None)
    if view is None or view.id not in emu.state.view_stacks.get(view.user, []):
        raise SlackError("not_found")
    if args.get("hash") and args["hash"] != view.hash:
        raise SlackError("hash_conflict")
    _check_external_id(emu, data, keep=view.id)
    view.data = data
    view.hash = _hash(emu)
    return {"view": emu.view_api(view)}


def publish(emu, args):
    """The user's Home tab: one view per user, replaced on each publish (hash checked when given)."""
    user = str(args.get("user_id") or "")
    if user not in emu.state.users:
        raise SlackError("invalid_arguments", messages=["invalid `user_id`"])
    data = as_json(args.get("view"), "view")
    errors = check_home_view(data)
    if errors:
        raise SlackError("invalid_arguments", messages=errors, violation=True)
    current = emu.state.home_views.get(user)
    if args.get("hash") and (current is None or args["hash"] != current.hash):
        raise SlackError("hash_conflict")
    _check_external_id(emu, data, keep=current.id if current else None)
    if current is None:
        view_id = emu.state.new_id("V")
        current = View(id=view_id, user=user, data=data, hash=_hash(emu), root_view_id=view_id, previous_view_id=None)
        emu.state.views[view_id] = current
        emu.state.home_views[user] = current
    else:
        current.data, current.hash = data, _hash(emu)
    return {"view": emu.view_api(current)}


HANDLERS = {"views.open": open_, "views.push": push, "views.update": update, "views.publish": publish}
