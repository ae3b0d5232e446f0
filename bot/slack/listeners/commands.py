"""`/incident …`: acknowledge at once, then parse, call a use case, and answer the caller in their language.

Who may run which subcommand is the `ACCESS` table at the bottom; `work` resolves the incident and
checks that access before any handler runs, after the acknowledgement (it needs the database)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.core import commands as cmd
from bot.core.bilingual import code_start, has_codes, split_texts
from bot.core.channel_name import naming_title
from bot.core.model import Incident, Priority, Role, Status
from bot.core.timeparse import TimeParseError
from bot.flows import declare as declaring
from bot.flows import postmortem, reading, timeline, updates
from bot.flows.deps import UserError
from bot.flows.incidents import find
from bot.flows.messages import REFUSALS, describe, explain
from bot.i18n import N_, Lang
from bot.i18n.vocabulary import REOPENED_TEXT, RESOLVED_TEXT, default_texts, parse_status
from bot.render.postmortem import language_name
from bot.slack import dora_ui, forms, inbox, presenters, render, repeat, replies, views
from bot.slack.deadline import TooLate
from bot.slack.edge import Edge
from bot.slack.listeners import publishing as public

log = logging.getLogger("cellule.commands")

READ_AS = N_("No language code in your text, so it was read as {language}.")

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
    "• `component add <key> FR <nom> EN <name>` · `component list` · `component remove <key>` — the public status page's components\n"
    "• `affects <key>[,<key>] [degraded_performance|partial_outage|major_outage|under_maintenance]` · `publish` · `unpublish` · `publish postmortem` — the public status page\n"
    "• `postmortem` — compile and publish · `timeline` — the latest entries, after fetching what was missed · `status` · `list` · `help`\n"
    "Outside a crisis channel, put the reference after the subcommand: `/incident update {prefix}-12 monitoring …`.\n"
    "Times: 12h08, 16:39 CET, 04/12/2025 12h08, 4 décembre 12h08, Dec 4 12:08pm, yesterday 23:10."
)


def register(app) -> None:
    app.command("/incident")(on_incident)


def on_incident(ack: Callable, command: dict, respond: Callable, context: dict) -> None:
    """Acknowledge first (Slack's 3 seconds), then do the work in the edge's own pool."""
    edge: Edge = context["edge"]
    # Before the acknowledgement, only a declare written to the local journal (an fsync, like an
    # event's before its 200): never Slack or the database. Queued, it would otherwise be only in
    # memory until a work thread is free (bot.slack.inbox).
    text = unescape(command.get("text", ""))
    parsed = cmd.parse(text, edge.deps.settings.prefix)
    journaled = inbox.write_down(edge, command, parsed.name, parsed.rest)
    try:
        ack()
    except TooLate:  # Slack has told its author it failed: it must never run, now or after a restart
        inbox.written_off(edge, journaled)
        raise
    if (forms.opens_a_form(text, edge.deps.settings)
            and edge.permissions.known(command["user_id"], None) is not False):  # from memory only
        command = forms.open_now(edge.chat, command, edge.deps.langs)  # trigger_id: 3 s; filled in by the work
    edge.later(work, edge, command, respond, journaled)


def unescape(text: str) -> str:
    """Slack escapes &, < and > in what people type (the app has should_escape on); we escape again
    when posting, so undo it once here. Mentions such as <@U123|alex> are real brackets already."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def work(edge: Edge, command: dict, respond: Callable, journaled: int | None = None) -> None:
    parsed = cmd.parse(unescape(command.get("text", "")), edge.deps.settings.prefix)
    with inbox.kept(edge, command, parsed.name, parsed.rest, journaled):  # a declare is written before any Slack call
        _work(edge, command, respond, parsed)


def _work(edge: Edge, command: dict, respond: Callable, parsed: cmd.Parsed) -> None:
    lang = edge.deps.lang_of(command["user_id"])
    with forms.answering(edge.chat, command, lang, respond) as say:
        try:
            run(Call(edge, parsed, command, lang, say))
        except REFUSALS as e:
            say(explain(lang, e))
        except Exception:
            log.exception("command failed: %s", parsed.name)
            say(describe(lang, reading.failure_code(edge.deps)))


@dataclass
class Call:
    """One `/incident` call, as the handlers below see it."""

    edge: Edge
    parsed: cmd.Parsed
    command: dict
    lang: Lang
    reply: Callable
    incident: Incident | None = None
    read_in_own_language: bool = False

    def __post_init__(self) -> None:
        self.reply = self._noting(self.reply)

    def _noting(self, say: Callable) -> Callable:
        """The first answer after reading uncoded text also says which language it was read as."""
        def noted(reply: presenters.Reply | str, blocks: list | None = None, replace: bool = False) -> None:
            if isinstance(reply, str):
                reply = presenters.Reply(reply, blocks, replace)
            if self.read_in_own_language:
                self.read_in_own_language = False
                note = self.lang._(READ_AS, language=language_name(self.lang))
                blocks = reply.blocks
                if blocks:
                    at = len(blocks) - (blocks[-1].get("type") == "actions")
                    blocks = blocks[:at] + render.sections(note) + blocks[at:]
                reply = presenters.Reply(f"{reply.text}\n{note}", blocks, reply.replace)
            say(reply)
        return noted

    @property
    def deps(self):
        return self.edge.deps

    @property
    def user(self) -> str:
        return self.command["user_id"]

    @property
    def rest(self) -> str:
        return self.parsed.rest

    def now(self):
        return self.deps.now()

    def texts(self, text: str) -> dict:
        return split_texts(text, self.deps.settings.languages, default=self.read_as(text))

    def read_as(self, text: str) -> str:
        """Text without language codes is the author's language (said with the first answer)."""
        languages = self.deps.settings.languages
        if len(languages) > 1 and text.strip() and not has_codes(text, languages):
            self.read_in_own_language = True
        return self.lang.code

    def show(self, replies) -> None:
        for r in replies:
            self.reply(r)

    def open_form(self, view: dict) -> None:
        forms.show(self.edge.chat, self.command, view)


# Access, checked before the handler: NONE (no incident), DECLARE, READ or CHANGE an incident.
NONE, DECLARE, READ, CHANGE = "none", "declare", "read", "change"


def run(c: Call) -> None:
    access = ACCESS[c.parsed.name]
    permissions = c.edge.permissions
    if access == DECLARE:
        permissions.check(c.user, None)
    if access in (READ, CHANGE):
        c.incident = find(c.deps, channel_id=c.command.get("channel_id"), ref=c.parsed.ref, command=c.parsed.name)
        if not permissions.may_read(c.user, c.incident):
            raise UserError("unknown_ref", ref=c.incident.ref)  # a private incident is not shown to exist
        if access == CHANGE:
            permissions.check(c.user, c.incident)
    HANDLERS[c.parsed.name](c)


def _help(c: Call) -> None:
    text = c.lang._(HELP, prefix=c.deps.settings.prefix) + dora_ui.help_lines(c.deps, c.lang)
    if c.parsed.unknown:
        text = replies.unknown_subcommand(c.lang, c.parsed.unknown, unescape(c.command.get("text", ""))) + "\n\n" + text
    c.reply(text)


def _list(c: Call) -> None:
    c.reply(presenters.incident_list(c.lang, reading.open_incidents(c.deps, c.edge.permissions, c.user), c.deps.langs))


def _declare(c: Call) -> None:
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
                                   key=declaring.request_key(c.user, c.rest, c.command.get("nonce", "")))
    try:
        incident, _created = declaring.record(c.deps, req)
    except declaring.AlreadyDeclared as e:
        c.reply(repeat.repeated(c.lang, e.incident, again=c.rest))
        return
    c.reply(presenters.declaring(c.lang, incident))
    c.show(presenters.setup(c.lang, declaring.setup(c.deps, incident.id, c.edge.permissions)))


def _status(c: Call, incident: Incident) -> None:
    c.reply(presenters.status(c.lang, reading.status(c.deps, incident), c.deps.langs))


def _timeline(c: Call, incident: Incident) -> None:
    _backfill(c, incident)  # on demand: fetch back anything Slack has that we missed
    c.reply(presenters.timeline(c.lang, reading.latest_entries(c.deps, incident), c.now()))


def _backfill(c: Call, incident: Incident) -> None:
    try:
        timeline.backfill(c.deps, incident.id)
    except Exception:  # showing or compiling what we have matters more than a failed fetch
        log.warning("backfill on demand failed", exc_info=True)


def _update(c: Call, incident: Incident) -> None:
    word, text = cmd.first_word(c.rest)
    status = parse_status(word, c.deps.langs) if word else None
    if not text.strip():
        c.open_form(views.update_form(c.deps, c.lang, incident, status, reading.windows(c.deps, incident)))
        return
    at, text = typed_time(c, incident, text)
    _post(c, incident, status, c.texts(text), at=at)


def typed_time(c: Call, incident: Incident, text: str) -> tuple[datetime | None, str]:
    """`12h34 FR … EN …`: the update is shown at 12h34 (Statuspage's display_at). Only a time alone
    before the first language code counts; text before the codes is otherwise the first language's."""
    first = code_start(text, c.deps.settings.languages)
    if not first:
        return None, text
    preamble = text[:first].strip()
    try:
        at, rest = timeline.leading_time(c.deps, preamble, incident)
    except TimeParseError as e:
        if e.params.get("text", "").strip() != preamble:
            return None, text  # `25/12 maintenance FR …`: a date in the text, not the update's time
        raise  # a time alone that cannot be (in the future, long ago): say why
    return (at, text[first:]) if at is not None and not rest else (None, text)


def _post(c: Call, incident: Incident, status: Status, texts: dict, reopen_at=None, at=None) -> None:
    out = updates.post_update(c.deps, incident.id, user=c.user, status=status, texts=texts, reopen_at=reopen_at,
                              at=at)
    c.show(presenters.update(c.lang, out, status))


def _resolve(c: Call, incident: Incident) -> None:
    _post(c, incident, Status.RESOLVED, c.texts(c.rest) if c.rest else default_texts(RESOLVED_TEXT, c.deps.langs))


def _reopen(c: Call, incident: Incident) -> None:
    at, text = timeline.leading_time(c.deps, c.rest, incident)
    texts = c.texts(text) if text else default_texts(REOPENED_TEXT, c.deps.langs)
    _post(c, incident, Status.INVESTIGATING, texts, reopen_at=at or c.now())


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
    entry = timeline.add_event(c.deps, incident, user=c.user, text=c.rest, default=c.read_as(c.rest))
    done = c.lang._("Added to the timeline at {time}.", time=c.lang.time(entry.at, now=c.now()))
    missing = [code for code in c.deps.settings.languages if not entry.texts.get(code, "").strip()]
    c.reply(*replies.translation_offer(c.lang, done, missing, f"{incident.id}:{entry.id}") if missing else (done,))


def _set(c: Call, incident: Incident) -> None:
    field_name, value = cmd.first_word(c.rest)
    out = updates.change_field(c.deps, incident.id, user=c.user, name=field_name.lower(), value=value.strip())
    c.reply(c.lang._("{ref}: {field} updated.", ref=incident.ref, field=field_name.lower()))
    c.show(presenters.problems(c.lang, out.problems))


def _action(c: Call, incident: Incident) -> None:
    symptom, action = cmd.split_action_texts(c.rest, c.deps.settings.languages, default=c.read_as(c.rest))
    updates.add_action(c.deps, incident.id, symptom=symptom, action=action)
    c.reply(replies.action_reading(c.lang._("Action added to the postmortem of {ref}.", ref=incident.ref),
                                  symptom, action, c.deps.settings.languages, c.lang._("translation to come")))


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
    c.show(presenters.problems(c.lang, out.problems))


def _postmortem(c: Call, incident: Incident) -> None:
    lang = c.lang
    c.reply(lang._("Compiling the postmortem of {ref}…", ref=incident.ref))
    _backfill(c, incident)  # what was said while the bot was down belongs in it
    c.show(presenters.postmortem(lang, postmortem.publish(c.deps, incident.id, user=c.user), incident))


def _on_incident(handler: Callable[[Call, Incident], None]) -> Callable[[Call], None]:
    return lambda c: handler(c, c.incident)


# Who may do what: each subcommand's handler and the access it needs.
COMMANDS: dict[str, tuple[Callable, str]] = {
    "help": (_help, NONE), "list": (_list, NONE), "declare": (_declare, DECLARE),
    "status": (_on_incident(_status), READ), "timeline": (_on_incident(_timeline), READ),
    **{name: (_on_incident(handler), CHANGE) for name, handler in (
        ("update", _update), ("resolve", _resolve), ("reopen", _reopen), ("impact", _impact), ("event", _event),
        ("set", _set), ("action", _action), ("role", _role), ("postmortem", _postmortem),
        ("classify", dora_ui.classify_command), ("report", dora_ui.report_command),
        ("affects", public.affects), ("publish", public.publish), ("unpublish", public.unpublish))},
    "component": (public.component, NONE),  # list: anyone; add and remove check the crisis unit themselves
}
HANDLERS = {name: handler for name, (handler, _access) in COMMANDS.items()}
ACCESS = {name: access for name, (_handler, access) in COMMANDS.items()}
READ_ONLY = frozenset(name for name, access in ACCESS.items() if access in (NONE, READ))
