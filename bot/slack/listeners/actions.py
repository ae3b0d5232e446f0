"""Buttons: try a stopped declare again; add a missing translation; complete the postmortem.

Each acknowledges first, then checks (like every changing command) that the person may change
the incident, and answers in the ephemeral message the button was in.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.ids import row_id, row_ids
from bot.core.model import Incident
from bot.flows import declare, incidents, updates
from bot.flows.deps import UserError
from bot.flows.messages import describe
from bot.slack import forms, home, presenters, views
from bot.slack.edge import Edge


# Buttons that open a form must call views.open within the trigger_id's 3 seconds: the listener opens
# it first (bot.slack.forms), the work fills it in; they check only cached permissions (the form's
# submission checks in full); the others check in full.
OPENS_A_FORM = ("add_translation", "postmortem_form") + tuple(a for a, _ in home.ACTIONS)


def register(app) -> None:
    for action_id, handler in (("retry_setup", retry_setup), ("add_translation", add_translation),
                               ("postmortem_form", postmortem_form)) + home.ACTIONS:
        app.action(action_id)(_listener(handler, opens_form=action_id in OPENS_A_FORM))


def _listener(handler: Callable, opens_form: bool) -> Callable:
    # Bolt passes arguments by parameter name, so the listener takes exactly what Bolt knows.
    def on_button(ack, body: dict, respond, context) -> None:
        ack()
        edge = context["edge"]
        if opens_form:  # nothing before it: no look-up, no queue
            body = forms.open_now(edge.chat, body, edge.deps.langs)
        edge.later(_work, edge, body, respond, handler, opens_form)

    return on_button


def _work(edge: Edge, body: dict, respond, handler: Callable, opens_form: bool) -> None:
    user = body["user"]["id"]
    value = body["actions"][0].get("value", "")
    lang = edge.deps.lang_of(user)
    with forms.answering(edge.chat, body, lang, respond) as reply:
        try:
            incident = _incident(edge, row_id(value.split(":")[0]))
            if opens_form:
                if edge.permissions.known(user, incident) is False:
                    raise UserError("not_allowed", ref=incident.ref)
            else:
                edge.permissions.check(user, incident)
            handler(edge, body, lang, incident, value, reply)
        except (UserError, ValueError) as e:
            code, params = (e.code, e.params) if isinstance(e, UserError) else ("internal", {})
            reply(describe(lang, code, **params))


def _incident(edge: Edge, incident_id: int | None) -> Incident:
    incident = incidents.by_id(edge.deps, incident_id) if incident_id is not None else None
    if incident is None:
        raise UserError("internal")
    return incident


def retry_setup(edge: Edge, body: dict, lang, incident: Incident, value: str, reply: Callable) -> None:
    for r in presenters.setup(lang, declare.setup(edge.deps, incident.id, edge.permissions)):
        reply(r)


def add_translation(edge: Edge, body: dict, lang, incident: Incident, value: str, reply: Callable) -> None:
    deps = edge.deps
    ids = row_ids(value, 2)
    if ids is None:
        raise UserError("internal")
    entry_id = ids[1]
    missing = updates.untranslated(deps, incident.id, entry_id)
    if missing:
        forms.show(edge.chat, body, views.translation_form(deps, lang, incident.id, entry_id, missing,
                                                            body.get("response_url")))


def postmortem_form(edge: Edge, body: dict, lang, incident: Incident, value: str, reply: Callable) -> None:
    forms.show(edge.chat, body, views.postmortem_form(edge.deps, lang, incident))
