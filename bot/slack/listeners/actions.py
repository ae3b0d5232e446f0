"""Buttons: try a stopped declare again; add a missing translation."""

from __future__ import annotations

from bot.flows.service import Service
from bot.slack import views
from bot.store import incidents as store
from bot.store import timeline as tl


def register(app, service: Service) -> None:
    app.action("retry_setup")(lambda ack, body, respond: retry_setup(service, ack, body, respond))
    app.action("add_translation")(lambda ack, body: add_translation(service, ack, body))
    app.action("postmortem_form")(lambda ack, body: postmortem_form(service, ack, body))


def retry_setup(service: Service, ack, body: dict, respond) -> None:
    ack()
    user = body["user"]["id"]
    lang = service.deps.lang_of(user)
    incident_id = int(body["actions"][0]["value"])

    def reply(text, blocks=None, replace=False):
        payload = {"text": text, "response_type": "ephemeral", "replace_original": replace}
        if blocks:
            payload["blocks"] = blocks
        respond(**payload)

    service.later(service.finish_setup, incident_id, lang, reply)


def add_translation(service: Service, ack, body: dict) -> None:
    ack()
    deps = service.deps
    user = body["user"]["id"]
    lang = deps.lang_of(user)
    incident_id, entry_id = (int(x) for x in body["actions"][0]["value"].split(":"))
    with deps.db.session() as s:
        row = tl.get(session=s, entry_id=entry_id)
        missing = [c for c in deps.settings.languages if not (row.texts.get(c) or "").strip()] if row else []
    if missing:
        deps.chat.open_view(body["trigger_id"], views.translation_form(deps, lang, incident_id, entry_id, missing))


def postmortem_form(service: Service, ack, body: dict) -> None:
    ack()
    deps = service.deps
    lang = deps.lang_of(body["user"]["id"])
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=int(body["actions"][0]["value"]))
        incident = store.to_incident(row) if row else None
    if incident is not None:
        deps.chat.open_view(body["trigger_id"], views.postmortem_form(deps, lang, incident))
