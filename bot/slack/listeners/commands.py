"""`/incident …`: acknowledge at once, then parse, call a flow, and answer the caller in their language."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from collections.abc import Callable

from bot.core import commands as cmd
from bot.core.bilingual import split_texts
from bot.core.channel_name import naming_title
from bot.core.model import Action, Incident, Priority, Role, Status
from bot.flows import declare as declaring
from bot.flows import postmortem, timeline, updates
from bot.flows.deps import UserError
from bot.flows.incidents import find
from bot.flows.messages import REFUSALS, describe, explain
from bot.flows.service import REOPENED_TEXT, RESOLVED_TEXT, Service
from bot.i18n import N_, Lang
from bot.slack import render, views
from bot.store import incidents as store

log = logging.getLogger("cellule.commands")

HELP = N_(
    "*/incident* — incident response\n"
    "• `declare [P1-P4] FR titre… EN title…` — declare; opens the crisis channel (no title: a form)\n"
    "• `update <status> FR … EN …` — status update (investigating, identified, monitoring, resolved); no text: a form\n"
    "• `resolve [text]` · `reopen [time] [text]`\n"
    "• `impact start [time]` · `impact end [time]` — customer-impact windows; `impact 12h08 - 12h13` after the fact\n"
    "• `event [time] <text>` — a key moment in the timeline; start the text with :rotating_light: for when the alert came (time to detect)\n"
    "• `set <priority|category|responsibility|components|impact|cause|context|title> <value>`\n"
    "• `action <symptom> => <action>` — a row of the postmortem's actions\n"
    "• `role <commander|comms|scribe> @person`\n"
    "• `postmortem` — compile and publish · `timeline` — the latest entries, after fetching what was missed · `status` · `list` · `help`\n"
    "Outside a crisis channel, put the reference after the subcommand: `/incident update {prefix}-12 monitoring …`.\n"
    "Times: 12h08, 16:39 CET, 04/12/2025 12h08, 4 décembre 12h08, Dec 4 12:08pm, yesterday 23:10."
)


def register(app, service: Service) -> None:
    app.command("/incident")(lambda ack, command, respond: handle(service, ack, command, respond))


def handle(service: Service, ack: Callable, command: dict, respond: Callable) -> None:
    """Acknowledge first (Slack's 3 seconds), then do the work in the service's own pool."""
    ack()  # nothing before this: the acknowledgement must not wait on Slack or the database
    service.later(work, service, command, respond)


def unescape(text: str) -> str:
    """Slack escapes &, < and > in what people type (the app has should_escape on); we escape again
    when posting, so undo it once here. Mentions such as <@U123|alex> are real brackets already."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def work(service: Service, command: dict, respond: Callable) -> None:
    parsed = cmd.parse(unescape(command.get("text", "")), service.deps.settings.prefix)
    user = command["user_id"]
    lang = service.deps.lang_of(user)

    def reply(text: str, blocks: list | None = None, replace: bool = False) -> None:
        payload = {"text": text, "response_type": "ephemeral", "replace_original": replace}
        if blocks:
            payload["blocks"] = blocks
        respond(**payload)

    try:
        run(service, parsed, command, lang, reply)
    except REFUSALS as e:
        reply(explain(lang, e))
    except Exception:
        log.exception("command failed: %s", parsed.name)
        reply(describe(lang, service.failure_code()))


@dataclass
class Call:
    """One `/incident` call, as the handlers below see it."""

    service: Service
    parsed: cmd.Parsed
    command: dict
    lang: Lang
    reply: Callable

    @property
    def deps(self):
        return self.service.deps

    @property
    def user(self) -> str:
        return self.command["user_id"]

    @property
    def rest(self) -> str:
        return self.parsed.rest

    def now(self):
        return self.deps.now()

    def texts(self, text: str) -> dict:
        return split_texts(text, self.deps.settings.languages)

    def open_form(self, view: dict) -> None:
        self.deps.chat.open_view(self.command["trigger_id"], view)


def run(service: Service, parsed: cmd.Parsed, command: dict, lang: Lang, reply: Callable) -> None:
    c = Call(service, parsed, command, lang, reply)
    if parsed.name in GLOBAL_HANDLERS:
        GLOBAL_HANDLERS[parsed.name](c)
        return
    incident = find(c.deps, channel_id=command.get("channel_id"), ref=parsed.ref, command=parsed.name)
    if not service.permissions.may_read(c.user, incident):
        raise UserError("unknown_ref", ref=incident.ref)  # a private incident is not shown to exist
    if parsed.name not in READ_ONLY:
        service.permissions.check(c.user, incident)
    HANDLERS[parsed.name](c, incident)


def _help(c: Call) -> None:
    c.reply(c.lang._(HELP, prefix=c.deps.settings.prefix))


def _list(c: Call) -> None:
    c.reply(c.service.list_text(c.lang, c.user))


def _declare(c: Call) -> None:
    c.service.permissions.check(c.user, None)
    if not c.rest:
        c.open_form(views.declare_form(c.deps, c.lang))
        return
    priority, title_text = cmd.split_priority(c.rest)
    if not title_text:
        raise UserError("missing_title")
    title = c.texts(title_text)
    if not naming_title(list(title.values())):
        raise UserError("title_unusable")
    req = declaring.DeclareRequest(user=c.user, title=title, priority=priority or Priority.P3,
                                   key=declaring.request_key(c.user, c.rest))
    c.service.declare(req, c.lang, c.reply)


def _status(c: Call, incident: Incident) -> None:
    c.reply(c.service.status_text(incident, c.lang))


def _timeline(c: Call, incident: Incident) -> None:
    _backfill(c, incident)  # on demand: fetch back anything Slack has that we missed
    c.reply(c.service.timeline_text(incident, c.lang))


def _backfill(c: Call, incident: Incident) -> None:
    try:
        timeline.backfill(c.deps, incident.id)
    except Exception:  # showing or compiling what we have matters more than a failed fetch
        log.warning("backfill on demand failed", exc_info=True)


def _update(c: Call, incident: Incident) -> None:
    word, text = cmd.first_word(c.rest)
    status = c.service.parse_status(word, c.lang) if word else None
    if not text.strip():
        c.open_form(views.update_form(c.deps, c.lang, incident, status, c.service.windows(incident)))
        return
    c.service.update(incident, user=c.user, status=status, texts=c.texts(text), lang=c.lang, reply=c.reply)


def _resolve(c: Call, incident: Incident) -> None:
    texts = c.texts(c.rest) if c.rest else c.service.default_texts(RESOLVED_TEXT)
    c.service.update(incident, user=c.user, status=Status.RESOLVED, texts=texts, lang=c.lang, reply=c.reply)


def _reopen(c: Call, incident: Incident) -> None:
    at, text = timeline.leading_time(c.deps, c.rest)
    texts = c.texts(text) if text else c.service.default_texts(REOPENED_TEXT)
    c.service.update(incident, user=c.user, status=Status.INVESTIGATING, texts=texts, lang=c.lang, reply=c.reply,
                     reopen_at=at or c.now())


IMPACT_RECORDED = {"start": N_("Customer impact start recorded at {time}."),
                   "end": N_("Customer impact end recorded at {time}.")}


def _impact(c: Call, incident: Incident) -> None:
    edge, text = cmd.first_word(c.rest)
    if edge.lower() not in IMPACT_RECORDED:  # `impact 12h08 - 12h13`: a whole window after the fact
        start, end = timeline.impact_window(c.deps, incident, user=c.user, text=c.rest)
        c.reply(c.lang._("Customer impact window recorded: {span}.", span=c.lang.span(start, end, now=c.now())))
        return
    entry = timeline.impact_edge(c.deps, incident, user=c.user, edge=edge.lower(), text=text)
    c.reply(c.lang._(IMPACT_RECORDED[edge.lower()], time=c.lang.time(entry.at, now=c.now())))


def _event(c: Call, incident: Incident) -> None:
    if not c.rest:
        raise UserError("event_text")
    entry = timeline.add_event(c.deps, incident, user=c.user, text=c.rest)
    c.reply(c.lang._("Added to the timeline at {time}.", time=c.lang.time(entry.at, now=c.now())))


def _set(c: Call, incident: Incident) -> None:
    field_name, value = cmd.first_word(c.rest)
    c.service.set_field(incident, user=c.user, name=field_name.lower(), value=value.strip(), lang=c.lang, reply=c.reply)


def _action(c: Call, incident: Incident) -> None:
    symptom, action = cmd.split_action(c.rest)
    with c.deps.db.session() as s:
        store.add_action(session=s, incident_id=incident.id, now=c.now(),
                         action=Action(symptom=c.texts(symptom), action=c.texts(action)))
    c.reply(c.lang._("Action added to the postmortem of {ref}.", ref=incident.ref))


def _role(c: Call, incident: Incident) -> None:
    role_word, who = cmd.first_word(c.rest)
    try:
        role = Role(role_word.lower())
    except ValueError:
        raise UserError("unknown_role", given=role_word) from None
    person = cmd.parse_mention(who)
    out = updates.set_role(c.deps, incident.id, user=c.user, role=role, person=person)
    mention = "<@" + person + ">"
    c.reply(c.lang._("{person} is now {role} of {ref}.", person=mention, role=c.lang.role(role), ref=incident.ref))
    c.service.tell_problems(out.problems, c.lang, c.reply)


def _postmortem(c: Call, incident: Incident) -> None:
    lang = c.lang
    c.reply(lang._("Compiling the postmortem of {ref}…", ref=incident.ref))
    _backfill(c, incident)  # what was said while the bot was down belongs in it
    out = postmortem.publish(c.deps, incident.id, user=c.user)
    text = lang._("The postmortem of {ref} is published in this channel.", ref=incident.ref)
    blocks = None
    if out.missing:
        text += "\n" + lang._("Still to complete: {fields}. Use the form, `/incident set …` or `/incident action …`, then compile again.",
                              fields=lang.list([c.service.field_label(lang, f) for f in out.missing]))
        blocks = render.sections(text) + [
            views.button_row("postmortem_form", lang._("Complete the postmortem"), str(incident.id))]
    c.reply(text, blocks=blocks, replace=True)
    c.service.tell_problems(out.problems, lang, c.reply)


# Subcommands that act on no incident, and those that only read one.
GLOBAL_HANDLERS = {"help": _help, "list": _list, "declare": _declare}
READ_ONLY = frozenset({"status", "timeline"})
HANDLERS = {
    "status": _status, "timeline": _timeline, "update": _update, "resolve": _resolve, "reopen": _reopen,
    "impact": _impact, "event": _event, "set": _set, "action": _action, "role": _role, "postmortem": _postmortem,
}
