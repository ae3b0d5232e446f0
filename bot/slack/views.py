"""Modals (declare, update, translations) and buttons. Titles stay within Slack's 24 characters."""

from __future__ import annotations

import json

from bot.core.model import Incident, Priority, Responsibility, Status
from bot.i18n import Lang
from bot.slack.render import cut

STATEMENTS = (
    "We have identified ongoing difficulties on {service} between {start} and {end}.",
    "The incident is over; monitoring is still in progress.",
)


def _plain(text: str, limit: int = 75) -> dict:
    return {"type": "plain_text", "text": cut(text, limit), "emoji": True}


def _option(label: str, value: str) -> dict:
    return {"text": _plain(label), "value": value}


def _text_input(block_id: str, label: str, *, optional: bool = True, multiline: bool = False,
                initial: str | None = None) -> dict:
    element = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    if initial:
        element["initial_value"] = initial[:3000]
    return {"type": "input", "block_id": block_id, "optional": optional, "label": _plain(label, 2000), "element": element}


def button_row(action_id: str, label: str, value: str) -> dict:
    return {"type": "actions", "elements": [
        {"type": "button", "action_id": action_id, "text": _plain(label), "value": value}]}


def declare_form(deps, lang: Lang) -> dict:
    blocks = []
    for l in deps.langs:
        blocks.append(_text_input(f"title_{l.code}", lang._("Title ({language})", language=l.code.upper()),
                                  optional=l.code != deps.settings.languages[0]))
    blocks.append({"type": "input", "block_id": "priority", "label": _plain(lang._("Priority")), "element": {
        "type": "static_select", "action_id": "value", "initial_option": _option("P3", "P3"),
        "options": [_option(p.value, p.value) for p in Priority]}})
    blocks.append(_text_input("category", lang._("Category")))
    blocks.append({"type": "input", "block_id": "responsibility", "optional": True,
                   "label": _plain(lang._("Responsibility")), "element": {
                       "type": "static_select", "action_id": "value",
                       "options": [_option(lang.responsibility(r), r.value) for r in Responsibility]}})
    for l in deps.langs:
        blocks.append(_text_input(f"components_{l.code}", lang._("Services affected ({language})", language=l.code.upper())))
    for l in deps.langs:
        blocks.append(_text_input(f"impact_{l.code}", lang._("Client impact ({language})", language=l.code.upper()),
                                  multiline=True))
    blocks.append(_text_input("impact_start", lang._("Impact started at (e.g. 12h08)")))
    blocks.append({"type": "input", "block_id": "private", "optional": True, "label": _plain(lang._("Channel")),
                   "element": {"type": "checkboxes", "action_id": "value",
                               "options": [_option(lang._("Private channel"), "private")]}})
    return {"type": "modal", "callback_id": "declare", "title": _plain(lang._("Declare an incident"), 24),
            "submit": _plain(lang._("Declare"), 24), "close": _plain(lang._("Cancel"), 24),
            "private_metadata": json.dumps({"lang": lang.code}), "blocks": blocks}


def update_form(deps, lang: Lang, incident: Incident, status: Status | None) -> dict:
    options = [_option(lang.status(s), s.value) for s in Status]
    select = {"type": "static_select", "action_id": "value", "options": options}
    initial = status or incident.status
    select["initial_option"] = _option(lang.status(initial), initial.value)
    blocks = [{"type": "input", "block_id": "status", "label": _plain(lang._("Status")), "element": select}]
    for l in deps.langs:
        service = incident.components.get(l.code) or l._("the payment platform")
        statement = " ".join(l._(s) for s in STATEMENTS).format(service=service, start="…", end="…")
        blocks.append(_text_input(f"text_{l.code}", lang._("Update ({language})", language=l.code.upper()),
                                  multiline=True, optional=l.code != deps.settings.languages[0], initial=statement))
    meta = json.dumps({"incident": incident.id, "lang": lang.code})
    return {"type": "modal", "callback_id": "update", "title": _plain(lang._("Status update"), 24),
            "submit": _plain(lang._("Post"), 24), "close": _plain(lang._("Cancel"), 24),
            "private_metadata": meta, "blocks": blocks}


def translation_form(deps, lang: Lang, incident_id: int, entry_id: int, missing: list[str]) -> dict:
    blocks = [_text_input(f"text_{code}", lang._("Update ({language})", language=code.upper()), multiline=True,
                          optional=False) for code in missing]
    meta = json.dumps({"incident": incident_id, "entry": entry_id, "lang": lang.code})
    return {"type": "modal", "callback_id": "translate", "title": _plain(lang._("Add translation"), 24),
            "submit": _plain(lang._("Save"), 24), "private_metadata": meta, "blocks": blocks}


def values(view: dict) -> dict[str, object]:
    """Flatten Slack's state.values: {block_id: value} for the inputs built above."""
    out: dict[str, object] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        v = actions.get("value") or next(iter(actions.values()), {})
        if v.get("type") == "static_select":
            out[block_id] = (v.get("selected_option") or {}).get("value")
        elif v.get("type") == "checkboxes":
            out[block_id] = [o["value"] for o in v.get("selected_options") or []]
        else:
            out[block_id] = (v.get("value") or "").strip()
    return out
