"""Form submissions: errors go back inline on the field (`response_action: errors`)."""

from __future__ import annotations

import json
import logging

from bot.core import lifecycle
from bot.core.ids import row_id
from bot.core.model import Incident, Priority, Responsibility, Status
from bot.core.timeparse import TimeParseError, parse_when
from bot.flows import declare as declaring
from bot.flows import incidents, reading, updates
from bot.flows.messages import REFUSALS, describe, explain
from bot.slack import presenters, publishing_form, replies, views
from bot.slack.repeat import repeated
from bot.slack.edge import Edge

log = logging.getLogger("cellule.views")


def register(app) -> None:
    for callback_id, submitted in (("declare", declare_submitted), ("update", update_submitted),
                                   ("translate", translate_submitted), ("postmortem_fields", postmortem_submitted)):
        app.view(callback_id)(_listener(submitted))
    from bot.slack import dora_forms  # it builds on the helpers below

    for callback_id, submitted in dora_forms.FORMS:
        app.view(callback_id)(_listener(submitted))


def _listener(submitted):
    # Bolt passes arguments by parameter name; the edge comes from the context.
    def on_submission(ack, body: dict, view: dict, context) -> None:
        submitted(context["edge"], ack, body, view)

    return on_submission


def _meta(view: dict) -> dict:
    try:
        return json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}


def _lang(edge: Edge, view: dict):
    """The language the form was opened in (kept in its metadata): no Slack call before the ack."""
    code = _meta(view).get("lang")
    deps = edge.deps
    return deps.catalogs.lang(code if code in deps.settings.languages else deps.settings.languages[0])


def _allowed(edge: Edge, user: str, incident: Incident | None, lang) -> str | None:
    """The refusal to show inline, or None. Only what is cached is used before the ack; the flow
    checks again after it (asking Slack if need be) and tells the author by DM."""
    if edge.permissions.known(user, incident) is False:
        if incident is None:
            return describe(lang, "not_allowed_declare")
        return describe(lang, "not_allowed", ref=incident.ref)
    return None


def _after_ack(edge: Edge, user: str, lang, incident: Incident | None, work) -> None:
    """Run a form's work after the acknowledgement: permissions checked in full first (asking Slack
    if need be), and any refusal told to the author by DM — a form has no response_url."""

    def run():
        try:
            edge.permissions.check(user, incident)
            work(lambda reply, blocks=None, replace=False: _dm(edge, user, reply, blocks))
        except REFUSALS as e:  # e.g. someone else resolved the incident since the form opened
            _dm(edge, user, explain(lang, e))
        except Exception:  # never silence: the author is told, the log has the details
            log.exception("form work failed")
            _dm(edge, user, describe(lang, reading.failure_code(edge.deps)))

    edge.later(run)


def _incident(edge: Edge, meta: dict) -> Incident | None:
    """The incident a form is about, from its private_metadata (set by the bot, signed by Slack)."""
    incident_id = row_id(meta.get("incident"))
    return incidents.by_id(edge.deps, incident_id, read=True) if incident_id is not None else None


def _dm(edge: Edge, user: str, reply: presenters.Reply | str, blocks=None) -> None:
    """Answer a form's author where they can read it: a DM from the bot (no response_url on modals)."""
    if isinstance(reply, presenters.Reply):
        reply, blocks = reply.text, reply.blocks
    try:
        edge.chat.post(user, reply, blocks)
    except Exception:
        log.warning("could not tell %s the result of a form", user, exc_info=True)


def declare_submitted(edge: Edge, ack, body: dict, view: dict) -> None:
    deps = edge.deps
    user = body["user"]["id"]
    lang = _lang(edge, view)
    v = views.values(view)
    title = {l: str(v.get(f"title_{l}") or "") for l in deps.settings.languages}
    title = {k: t for k, t in title.items() if t}
    errors = {}
    if not title:
        errors[f"title_{deps.settings.languages[0]}"] = describe(lang, "missing_title")
    impact_start = None
    if v.get("impact_start"):
        try:
            impact_start = parse_when(str(v["impact_start"]), now=deps.now(), tz=deps.settings.tz,
                                      words=deps.catalogs.time_words)
        except TimeParseError as e:
            errors["impact_start"] = explain(lang, e)
    refusal = _allowed(edge, user, None, lang)
    if refusal:
        errors[f"title_{deps.settings.languages[0]}"] = refusal
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    req = declaring.DeclareRequest(
        user=user, title=title, priority=Priority(v.get("priority") or "P3"), category=str(v.get("category") or ""),
        responsibility=Responsibility(v["responsibility"]) if v.get("responsibility") else None,
        components={l: str(v[f"components_{l}"]) for l in deps.settings.languages if v.get(f"components_{l}")},
        impact={l: str(v[f"impact_{l}"]) for l in deps.settings.languages if v.get(f"impact_{l}")},
        impact_start=impact_start, private="private" in (v.get("private") or []),
        key=f"view:{view.get('id')}")

    def declare(reply):
        try:
            incident, _created = declaring.record(deps, req)
        except declaring.AlreadyDeclared as e:  # the same form submitted twice
            reply(repeated(lang, e.incident))
            return
        reply(presenters.declaring(lang, incident))
        for r in presenters.setup(lang, declaring.setup(deps, incident.id, edge.permissions)):
            reply(r)
        publishing_form.apply(deps, incident, v, lang, reply)

    _after_ack(edge, user, lang, None, declare)


def update_submitted(edge: Edge, ack, body: dict, view: dict) -> None:
    deps = edge.deps
    user = body["user"]["id"]
    lang = _lang(edge, view)
    meta, v = _meta(view), views.values(view)
    texts = {l: str(v.get(f"text_{l}") or "") for l in deps.settings.languages}
    texts = {k: t for k, t in texts.items() if t}
    first = deps.settings.languages[0]
    if not texts:
        ack(response_action="errors", errors={f"text_{first}": describe(lang, "update_text")})
        return
    incident = _incident(edge, meta)
    if incident is None:
        ack(response_action="errors", errors={"status": describe(lang, "internal")})
        return
    refusal = _allowed(edge, user, incident, lang)
    if refusal:
        ack(response_action="errors", errors={"status": refusal})
        return
    status = Status(v.get("status") or incident.status.value)
    try:
        lifecycle.check_update(incident.status, status)
    except lifecycle.TransitionRefused as e:
        ack(response_action="errors", errors={"status": describe(
            lang, f"transition_{e.code}", ref=incident.ref, current=e.current, allowed=list(e.allowed))})
        return
    ack()
    def post(reply):
        publishing_form.apply(deps, incident, v, lang, reply)  # first, so this update is public too
        out = updates.post_update(deps, incident.id, user=user, status=status, texts=texts)
        for r in presenters.update(lang, out, status):
            reply(r)

    _after_ack(edge, user, lang, incident, post)


def translate_submitted(edge: Edge, ack, body: dict, view: dict) -> None:
    deps = edge.deps
    user = body["user"]["id"]
    lang = _lang(edge, view)
    meta, v = _meta(view), views.values(view)
    texts = {l: str(v.get(f"text_{l}") or "") for l in deps.settings.languages if v.get(f"text_{l}")}
    incident, entry_id = _incident(edge, meta), row_id(meta.get("entry"))
    refusal = describe(lang, "internal") if incident is None or entry_id is None else _allowed(edge, user, incident, lang)
    if refusal:
        first = next(iter(texts), deps.settings.languages[0])
        ack(response_action="errors", errors={f"text_{first}": refusal})
        return
    ack()

    def save(reply):
        out = updates.add_translations(deps, incident.id, entry_id, texts)
        done = lang._("Translation added; the posts of {ref} are updated.", ref=out.incident.ref)
        if not replies.replace_original(meta.get("response_url"), done):  # the button's message retired
            reply(done)

    _after_ack(edge, user, lang, incident, save)


def postmortem_submitted(edge: Edge, ack, body: dict, view: dict) -> None:
    deps = edge.deps
    user = body["user"]["id"]
    lang = _lang(edge, view)
    meta, v = _meta(view), views.values(view)
    incident = _incident(edge, meta)
    refusal = describe(lang, "internal") if incident is None else _allowed(edge, user, incident, lang)
    if refusal:
        ack(response_action="errors", errors={f"impact_{deps.settings.languages[0]}": refusal})
        return
    ack()
    _after_ack(edge, user, lang, incident, lambda reply: _save_postmortem_fields(edge, user, lang, incident, v, reply))


def _save_postmortem_fields(edge: Edge, user: str, lang, incident: Incident, v: dict, reply) -> None:
    deps = edge.deps
    for name, _label in views.POSTMORTEM_FIELDS:
        texts = {l: str(v.get(f"{name}_{l}") or "") for l in deps.settings.languages}
        if texts != {l: getattr(incident, name).get(l, "") for l in deps.settings.languages}:
            updates.set_field(deps, incident.id, user=user, name=name, value=texts)
    reply(lang._("{ref}: the postmortem fields are saved. Run `/incident postmortem` to publish again.", ref=incident.ref))
