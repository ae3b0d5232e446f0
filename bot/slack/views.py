"""Modals (declare, update, translations) and buttons. Titles stay within Slack's 24 characters."""

from __future__ import annotations

import json

from bot.core.model import Incident, Priority, Responsibility, Status
from bot.i18n import N_, Lang
from bot.slack import publishing_form
from bot.slack.render import cut

# Ready-made statements per status, from the catalogs; {placeholders} are filled from the incident
# and the author edits the text before sending.
DIFFICULTIES = N_("We have identified ongoing difficulties on {service} between {start} and {end}.")
DIFFICULTIES_SINCE = N_("We have identified ongoing difficulties on {service} since {start}.")
STATEMENTS = {
    Status.INVESTIGATING: (N_("We are investigating difficulties on {service}."),),
    Status.IDENTIFIED: (N_("The cause of the difficulties on {service} has been identified; a fix is in progress."),),
    Status.MONITORING: (DIFFICULTIES, N_("The incident is over; monitoring is still in progress.")),
    Status.RESOLVED: (N_("This incident has been resolved."),),
}
# While customers are still hit, the monitoring statement must not say the incident is over.
STATEMENTS_IMPACT_RUNNING = {
    Status.MONITORING: (DIFFICULTIES, N_("A fix is in place; we are monitoring its effect.")),
}


def statement(lang: Lang, incident: Incident, status: Status, windows: list) -> str:
    service = incident.components.get(lang.code) or incident.title.get(lang.code) or next(iter(incident.title.values()), "")
    service = service.rstrip(". ")
    parts = []
    running = bool(windows) and windows[-1].end is None
    for msgid in (STATEMENTS_IMPACT_RUNNING if running else {}).get(status, STATEMENTS[status]):
        if msgid == DIFFICULTIES:
            if not windows:
                continue
            start, end = windows[0].start, windows[-1].end
            if end is None:
                parts.append(lang._(DIFFICULTIES_SINCE, service=service, start=lang.time(start)))
                continue
            parts.append(lang._(msgid, service=service, start=lang.time(start), end=lang.time(end)))
        else:
            parts.append(lang._(msgid, service=service))
    return " ".join(parts)


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
    blocks += publishing_form.blocks(deps, lang, None)
    return {"type": "modal", "callback_id": "declare", "title": _plain(lang._("Declare an incident"), 24),
            "submit": _plain(lang._("Declare"), 24), "close": _plain(lang._("Cancel"), 24),
            "private_metadata": json.dumps({"lang": lang.code}), "blocks": blocks}


def update_form(deps, lang: Lang, incident: Incident, status: Status | None, windows: list = ()) -> dict:
    options = [_option(lang.status(s), s.value) for s in Status]
    select = {"type": "static_select", "action_id": "value", "options": options}
    initial = status or incident.status
    select["initial_option"] = _option(lang.status(initial), initial.value)
    blocks = [{"type": "input", "block_id": "status", "label": _plain(lang._("Status")), "element": select}]
    for l in deps.langs:
        blocks.append(_text_input(f"text_{l.code}", lang._("Update ({language})", language=l.code.upper()),
                                  multiline=True, optional=l.code != deps.settings.languages[0],
                                  initial=statement(l, incident, initial, list(windows))))
    blocks += publishing_form.blocks(deps, lang, incident)
    meta = json.dumps({"incident": incident.id, "lang": lang.code})
    return {"type": "modal", "callback_id": "update", "title": _plain(lang._("Status update"), 24),
            "submit": _plain(lang._("Post"), 24), "close": _plain(lang._("Cancel"), 24),
            "private_metadata": meta, "blocks": blocks}


def translation_form(deps, lang: Lang, incident_id: int, entry_id: int, missing: list[str],
                     response_url: str | None = None) -> dict:
    """`response_url` is the button's message, retired once the translation is saved."""
    blocks = [_text_input(f"text_{code}", lang._("Update ({language})", language=code.upper()), multiline=True,
                          optional=False) for code in missing]
    meta = json.dumps({"incident": incident_id, "entry": entry_id, "lang": lang.code, "response_url": response_url})
    return {"type": "modal", "callback_id": "translate", "title": _plain(lang._("Add translation"), 24),
            "submit": _plain(lang._("Save"), 24), "close": _plain(lang._("Cancel"), 24),
            "private_metadata": meta, "blocks": blocks}


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


POSTMORTEM_FIELDS = (("impact", N_("Client impact ({language})")), ("context", N_("Context ({language})")),
                     ("cause", N_("Root cause ({language})")), ("components", N_("Services affected ({language})")))


def postmortem_form(deps, lang: Lang, incident: Incident) -> dict:
    """Root cause, context, impact and services per language, prefilled with what is known."""
    blocks = []
    for name, label in POSTMORTEM_FIELDS:
        current = getattr(incident, name)
        for l in deps.langs:
            blocks.append(_text_input(f"{name}_{l.code}", lang._(label, language=l.code.upper()), multiline=True,
                                      initial=current.get(l.code)))
    meta = json.dumps({"incident": incident.id, "lang": lang.code})
    return {"type": "modal", "callback_id": "postmortem_fields", "title": _plain(lang._("Postmortem"), 24),
            "submit": _plain(lang._("Save"), 24), "close": _plain(lang._("Cancel"), 24),
            "private_metadata": meta, "blocks": blocks}
