"""`/incident …`: acknowledge at once, then parse, call a flow, and answer the caller in their language."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.core import commands as cmd
from bot.core.bilingual import split_texts
from bot.core.channel_name import naming_title
from bot.core.model import Action, Priority, Role, Status
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
    "• `event [time] <text>` — a key moment in the timeline\n"
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


def run(service: Service, parsed: cmd.Parsed, command: dict, lang: Lang, reply: Callable) -> None:
    deps = service.deps
    user, channel = command["user_id"], command.get("channel_id")
    name, rest = parsed.name, parsed.rest

    if name == "help":
        reply(lang._(HELP, prefix=deps.settings.prefix))
        return
    if name == "list":
        reply(service.list_text(lang, user))
        return
    if name == "declare":
        service.permissions.check(user, None)
        if not rest:
            deps.chat.open_view(command["trigger_id"], views.declare_form(deps, lang))
            return
        priority, title_text = cmd.split_priority(rest)
        if not title_text:
            raise UserError("missing_title")
        title = split_texts(title_text, deps.settings.languages)
        if not naming_title(list(title.values())):
            raise UserError("title_unusable")
        req = declaring.DeclareRequest(user=user, title=title, priority=priority or Priority.P3,
                                       key=declaring.request_key(user, rest))
        service.declare(req, lang, reply)
        return

    incident = find(deps, channel_id=channel, ref=parsed.ref, command=name)
    if not service.permissions.may_read(user, incident):
        raise UserError("unknown_ref", ref=incident.ref)  # a private incident is not shown to exist
    if name == "status":
        reply(service.status_text(incident, lang))
        return
    if name == "timeline":
        # On demand, fetch back anything Slack has that we missed, then show the latest entries.
        try:
            timeline.backfill(deps, incident.id)
        except Exception:  # showing what we have matters more than a failed fetch
            log.warning("backfill on demand failed", exc_info=True)
        reply(service.timeline_text(incident, lang))
        return
    service.permissions.check(user, incident)

    if name == "update":
        word, text = cmd.first_word(rest)
        status = service.parse_status(word, lang) if word else None
        if not text.strip():
            deps.chat.open_view(command["trigger_id"],
                                views.update_form(deps, lang, incident, status, service.windows(incident)))
            return
        service.update(incident, user=user, status=status, texts=split_texts(text, deps.settings.languages),
                       lang=lang, reply=reply)
    elif name == "resolve":
        texts = split_texts(rest, deps.settings.languages) if rest else service.default_texts(RESOLVED_TEXT)
        service.update(incident, user=user, status=Status.RESOLVED, texts=texts, lang=lang, reply=reply)
    elif name == "reopen":
        at, text = timeline.leading_time(deps, rest)
        texts = split_texts(text, deps.settings.languages) if text else service.default_texts(REOPENED_TEXT)
        service.update(incident, user=user, status=Status.INVESTIGATING, texts=texts, lang=lang, reply=reply,
                       reopen_at=at or deps.now())
    elif name == "impact":
        edge, text = cmd.first_word(rest)
        if edge.lower() not in ("start", "end", "début", "debut", "fin"):
            start, end = timeline.impact_window(deps, incident, user=user, text=rest)
            reply(lang._("Customer impact window recorded: {span}.", span=lang.span(start, end, now=deps.now())))
            return
        edge = "start" if edge.lower() in ("start", "début", "debut") else "end"
        entry = timeline.impact_edge(deps, incident, user=user, edge=edge, text=text)
        msg = N_("Customer impact start recorded at {time}.") if edge == "start" else N_("Customer impact end recorded at {time}.")
        reply(lang._(msg, time=lang.time(entry.at, now=deps.now())))
    elif name == "event":
        if not rest:
            raise UserError("event_text")
        entry = timeline.add_event(deps, incident, user=user, text=rest)
        reply(lang._("Added to the timeline at {time}.", time=lang.time(entry.at, now=deps.now())))
    elif name == "set":
        field_name, value = cmd.first_word(rest)
        service.set_field(incident, user=user, name=field_name.lower(), value=value.strip(), lang=lang, reply=reply)
    elif name == "action":
        symptom, action = cmd.split_action(rest)
        langs = deps.settings.languages
        with deps.db.session() as s:
            store.add_action(session=s, incident_id=incident.id, now=deps.now(),
                             action=Action(symptom=split_texts(symptom, langs), action=split_texts(action, langs)))
        reply(lang._("Action added to the postmortem of {ref}.", ref=incident.ref))
    elif name == "role":
        role_word, who = cmd.first_word(rest)
        try:
            role = Role(role_word.lower())
        except ValueError:
            raise UserError("unknown_role", given=role_word) from None
        person = cmd.parse_mention(who)
        out = updates.set_role(deps, incident.id, user=user, role=role, person=person)
        mention = "<@" + person + ">"
        reply(lang._("{person} is now {role} of {ref}.", person=mention, role=lang.role(role), ref=incident.ref))
        service.tell_problems(out.problems, lang, reply)
    elif name == "postmortem":
        reply(lang._("Compiling the postmortem of {ref}…", ref=incident.ref))
        try:
            timeline.backfill(deps, incident.id)
        except Exception:  # a backfill failure must not stop the postmortem
            log.warning("backfill before postmortem failed", exc_info=True)
        out = postmortem.publish(deps, incident.id, user=user)
        text = lang._("The postmortem of {ref} is published in this channel.", ref=incident.ref)
        blocks = None
        if out.missing:
            text += "\n" + lang._("Still to complete: {fields}. Use the form, `/incident set …` or `/incident action …`, then compile again.",
                                  fields=lang.list([service.field_label(lang, f) for f in out.missing]))
            blocks = render.sections(text) + [
                views.button_row("postmortem_form", lang._("Complete the postmortem"), str(incident.id))]
        reply(text, blocks=blocks, replace=True)
        service.tell_problems(out.problems, lang, reply)

