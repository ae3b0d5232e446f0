"""A declare repeated by its author soon after: point to the incident, offer to declare another.

The "Declare another incident" button carries the command's text; pressing it runs the same
declare with a key of its own, so it makes a new incident on purpose.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.model import Incident
from bot.i18n import N_, Lang
from bot.slack import forms, render, views
from bot.slack.presenters import Reply

REPEATED = N_("You declared {ref} a moment ago: <#{channel}>. The same declare again does nothing.")
REPEATED_SETTING_UP = N_("You declared {ref} a moment ago; its channel is being set up. "
                         "The same declare again does nothing.")
ANOTHER = N_("Declare another incident")
MAX_VALUE = 2000  # Slack's limit on a button's value


def repeated(lang: Lang, incident: Incident, again: str = "") -> Reply:
    if incident.channel_id:
        text = lang._(REPEATED, ref=incident.ref, channel=incident.channel_id)
    else:
        text = lang._(REPEATED_SETTING_UP, ref=incident.ref)
    if not again or len(again) > MAX_VALUE:
        return Reply(text)
    return Reply(text, render.sections(text) + [views.button_row("declare_again", lang._(ANOTHER), again)])


def register(app) -> None:
    app.action("declare_again")(declare_again)


def declare_again(ack: Callable, body: dict, respond: Callable, context: dict) -> None:
    from bot.slack.listeners import commands

    ack()
    action = body["actions"][0]
    command = {"user_id": body["user"]["id"], "channel_id": (body.get("channel") or {}).get("id", ""),
               "text": "declare " + str(action.get("value") or ""), "trigger_id": body.get("trigger_id", ""),
               "nonce": str(action.get("action_ts") or body.get("trigger_id") or "")}
    edge = context["edge"]
    if forms.opens_a_form(command["text"], edge.deps.settings):  # the declare form: opened first
        command = forms.open_now(edge.chat, command, edge.deps.langs)
    edge.later(commands.work, edge, command, respond)
