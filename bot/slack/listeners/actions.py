"""Buttons: try a stopped declare again; add a missing translation; complete the postmortem.

Each acknowledges first, then checks (like every changing command) that the person may change
the incident, and answers in the ephemeral message the button was in.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.model import Incident
from bot.flows.deps import UserError
from bot.flows.messages import describe
from bot.flows.service import Service
from bot.slack import views
from bot.store import incidents as store
from bot.store import timeline as tl


# Buttons that open a form must call views.open within the trigger_id's 3 seconds: they check only
# cached permissions first (the form's submission checks in full); the others check in full.
OPENS_A_FORM = ("add_translation", "postmortem_form")


def register(app, service: Service) -> None:
    for action_id, handler in (("retry_setup", retry_setup), ("add_translation", add_translation),
                               ("postmortem_form", postmortem_form)):
        app.action(action_id)(_listener(service, handler, opens_form=action_id in OPENS_A_FORM))


def _listener(service: Service, handler: Callable, opens_form: bool) -> Callable:
    # Bolt passes arguments by parameter name, so the listener takes exactly what Bolt knows.
    return lambda ack, body, respond: _run(service, ack, body, respond, handler, opens_form)


def _run(service: Service, ack, body: dict, respond, handler: Callable, opens_form: bool) -> None:
    ack()
    user = body["user"]["id"]
    value = body["actions"][0].get("value", "")

    def reply(text, blocks=None, replace=False):
        payload = {"text": text, "response_type": "ephemeral", "replace_original": replace}
        if blocks:
            payload["blocks"] = blocks
        respond(**payload)

    def work():
        lang = service.deps.lang_of(user)
        try:
            incident = _incident(service, int(value.split(":")[0]))
            if opens_form:
                if service.permissions.known(user, incident) is False:
                    raise UserError("not_allowed", ref=incident.ref)
            else:
                service.permissions.check(user, incident)
            handler(service, body, lang, incident, value, reply)
        except (UserError, ValueError) as e:
            code, params = (e.code, e.params) if isinstance(e, UserError) else ("internal", {})
            reply(describe(lang, code, **params))

    service.later(work)


def _incident(service: Service, incident_id: int) -> Incident:
    with service.deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id)
    if row is None:
        raise UserError("internal")
    return store.to_incident(row)


def retry_setup(service: Service, body: dict, lang, incident: Incident, value: str, reply: Callable) -> None:
    service.finish_setup(incident.id, lang, reply)


def add_translation(service: Service, body: dict, lang, incident: Incident, value: str, reply: Callable) -> None:
    deps = service.deps
    entry_id = int(value.split(":")[1])
    with deps.db.session() as s:
        row = tl.get(session=s, entry_id=entry_id)
        missing = [c for c in deps.settings.languages if not (row.texts.get(c) or "").strip()] if row else []
    if missing:
        deps.chat.open_view(body["trigger_id"], views.translation_form(deps, lang, incident.id, entry_id, missing))


def postmortem_form(service: Service, body: dict, lang, incident: Incident, value: str, reply: Callable) -> None:
    service.deps.chat.open_view(body["trigger_id"], views.postmortem_form(service.deps, lang, incident))
