"""The DORA classification form's submission: errors inline in the author's language, else the
classification recorded after the acknowledgement and told in the crisis channel."""

from __future__ import annotations

import logging

from bot.flows import dora as flow
from bot.flows.messages import describe
from bot.slack import dora_ui, views
from bot.slack.chat import ChatError
from bot.slack.listeners.views import _after_ack, _allowed, _incident, _lang, _meta

log = logging.getLogger("cellule.dora")
CALLBACK = dora_ui.CALLBACK


def classify_submitted(edge, ack, body: dict, view: dict) -> None:
    deps = edge.deps
    user = body["user"]["id"]
    lang = _lang(edge, view)
    incident = _incident(edge, _meta(view))
    refusal = describe(lang, "internal") if incident is None else _allowed(edge, user, incident, lang)
    if refusal:
        ack(response_action="errors", errors={"aware_at": refusal})
        return
    criteria, aware_at, root_cause, errors = dora_ui.read_form(deps, lang, views.values(view))
    if errors:  # nothing recorded: the form stays open with the problems next to their fields
        ack(response_action="errors", errors=errors)
        return
    ack()

    def work(reply):
        result, before, after = flow.classify(deps, incident.id, user=user, criteria=criteria, aware_at=aware_at,
                                              root_cause=root_cause)
        reply(dora_ui.result_text(deps, lang, incident, user, result, before, after))
        if incident.channel_id:  # everyone in the crisis channel sees it, in every language
            text = "\n\n".join(dora_ui.result_text(deps, l, incident, user, result, before, after) for l in deps.langs)
            try:
                edge.chat.post(incident.channel_id, text)
            except ChatError:
                log.warning("could not tell %s its classification", incident.channel_id, exc_info=True)

    _after_ack(edge, user, lang, incident, work)


REPORT_CALLBACK = "dora_report"


def report_submitted(edge, ack, body: dict, view: dict) -> None:
    """The Home tab's report form: a refused time is shown on the field; nothing is recorded then."""
    from bot.core.dora import Stage
    from bot.core.timeparse import TimeParseError, parse_when
    from bot.flows.deps import UserError
    from bot.flows.messages import explain

    deps = edge.deps
    user = body["user"]["id"]
    lang = _lang(edge, view)
    incident = _incident(edge, _meta(view))
    v = views.values(view)
    refusal = describe(lang, "internal") if incident is None else _allowed(edge, user, incident, lang)
    if refusal:
        ack(response_action="errors", errors={"time": refusal})
        return
    stage = Stage(v.get("stage") or Stage.INITIAL.value)
    try:
        at = parse_when(str(v["time"]), now=deps.now(), tz=deps.settings.tz) if v.get("time") else None
        flow.check_report(flow.clock(deps, incident.id), incident, stage, at or deps.now(), deps.now())
    except (TimeParseError, UserError) as e:
        ack(response_action="errors", errors={"time": explain(lang, e)})
        return
    ack()

    def work(reply):
        after = flow.record_report(deps, incident.id, user=user, stage=stage, at=at)
        reply(dora_ui.report_text(lang, incident, stage, after, deps.now()))

    _after_ack(edge, user, lang, incident, work)


FORMS = ((CALLBACK, classify_submitted), (REPORT_CALLBACK, report_submitted))
