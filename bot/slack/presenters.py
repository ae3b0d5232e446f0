"""Results of the use cases turned into what Slack shows the person who asked: ephemeral replies
(mrkdwn text and Block Kit), in that person's language.

A `Reply` is a plain value; the listeners send it with `respond` (or a DM for forms).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.model import Entry, Incident
from bot.flows.declare import SetupReport
from bot.flows.messages import describe
from bot.flows.ports import Problem
from bot.flows.postmortem import Published
from bot.flows.reading import IncidentView
from bot.flows.updates import Outcome
from bot.i18n import Lang
from bot.i18n.vocabulary import field_label, kind_label
from bot.render.header import header_line
from bot.slack import render, views
from bot.slack import replies as offers


@dataclass
class Reply:
    text: str
    blocks: list | None = None
    replace: bool = False  # replaces the message the person acted on (a progress line, a button)


def _with_button(text: str, action_id: str, label: str, value: str, replace: bool = False) -> Reply:
    return Reply(text, render.sections(text) + [views.button_row(action_id, label, value)], replace)


def problems(lang: Lang, found: list[Problem]) -> list[Reply]:
    """What went wrong along the way, each said once."""
    lines = list(dict.fromkeys(describe(lang, code, **params) for code, params in found))
    return [Reply("\n".join(f"• {line}" for line in lines))] if lines else []


def declaring(lang: Lang, incident: Incident) -> Reply:
    return Reply(lang._("Declaring {ref}: opening the crisis channel…", ref=incident.ref))


def setup(lang: Lang, report: SetupReport) -> list[Reply]:
    incident = report.incident
    retry = lang._("Try again")
    if report.busy:
        return [Reply(lang._("{ref} is being set up right now; its channel appears in a moment.", ref=incident.ref),
                      replace=True)]
    if not report.channel_ok:
        text = describe(lang, "channel_failed", **report.problems[0][1])
        return [_with_button(text, "retry_setup", retry, str(incident.id), replace=True)]
    out = [Reply(lang._("{ref} is declared: <#{channel}>", ref=incident.ref, channel=incident.channel_id), replace=True)]
    rest = [p for p in report.problems if p[0] != "channel_failed"]
    if rest:
        text = lang._("Some steps need you:") + "\n" + "\n".join(
            f"• {line}" for line in dict.fromkeys(describe(lang, c, **p) for c, p in rest))
        out.append(_with_button(text, "retry_setup", retry, str(incident.id)))
    return out


def update(lang: Lang, out: Outcome, status) -> list[Reply]:
    incident, shown = out.incident, lang.status(status)
    if not out.channels:
        msg = lang._("Update recorded: {ref} is “{status}” (it has no channel to post in yet).",
                     ref=incident.ref, status=shown)
    elif out.posted == out.channels:
        msg = lang._("Update posted: {ref} is “{status}”.", ref=incident.ref, status=shown)
    elif out.posted:
        msg = lang._("Update posted in {posted} of {channels} channels: {ref} is “{status}”.",
                     posted=out.posted, channels=out.channels, ref=incident.ref, status=shown)
    else:
        msg = lang._("Update recorded ({ref} is “{status}”) but not posted: Slack refused every post. "
                     "Nothing is lost; post it again once Slack answers.", ref=incident.ref, status=shown)
    if out.closed_window is not None:
        msg += "\n" + lang._("The customer impact running since {start} is recorded as ended at {end}, with the "
                             "resolution (to record an earlier end, run `/incident impact end <time>` before resolving).",
                             start=lang.time(out.closed_window.start, now=out.closed_window.end),
                             end=lang.time(out.closed_window.end, now=out.closed_window.end))
    replies = [Reply(msg)]
    if out.missing:
        replies = [Reply(*offers.translation_offer(lang, msg, out.missing, f"{incident.id}:{out.entry_id}"))]
    return replies + problems(lang, out.problems)


def postmortem(lang: Lang, out: Published, incident: Incident) -> list[Reply]:
    text = lang._("The postmortem of {ref} is published in this channel.", ref=incident.ref)
    if not out.missing:
        return [Reply(text, replace=True)] + problems(lang, out.problems)
    text += "\n" + lang._("Still to complete: {fields}. Use the form, `/incident set …` or `/incident action …`, "
                          "then compile again.", fields=lang.list([field_label(lang, f) for f in out.missing]))
    return [_with_button(text, "postmortem_form", lang._("Complete the postmortem"), str(incident.id), replace=True)] \
        + problems(lang, out.problems)


def incident_list(lang: Lang, incidents: list[Incident], all_langs: list[Lang]) -> Reply:
    if not incidents:
        return Reply(lang._("No open incident."))
    lines = [lang._("Open incidents:")]
    for i in incidents:
        title = i.title.get(lang.code) or render.title_of(i, all_langs)
        where = f"<#{i.channel_id}>" if i.channel_id else "—"
        lines.append(f"• *{i.ref}* {render.escape(title)} · {lang.status(i.status)} · {i.priority.value} · {where}")
    return Reply("\n".join(lines))


def status(lang: Lang, view: IncidentView, all_langs: list[Lang]) -> Reply:
    incident = view.incident
    title = incident.title.get(lang.code) or render.title_of(incident, all_langs)
    lines = [f"*{incident.ref}* {render.escape(title)}",
             f"{lang.status(incident.status)} · {incident.priority.value}",
             render.escape(header_line(incident, view.entries, [lang]))]
    roles = render.roles_line(incident, [lang])
    if roles:
        lines.append(roles)
    from bot.slack.dora_ui import clock_lines  # REGULATION=dora: the classification and time limits

    return Reply("\n".join(lines + clock_lines(lang, view.dora, view.now)))


def timeline(lang: Lang, entries: list[Entry], now: datetime) -> Reply:
    lines = []
    for e in entries:
        text = offers.entry_text(e, lang) or kind_label(lang, e.kind)
        lines.append(f"{lang.time(e.at, now=now)} · {render.escape(text)[:200]}")
    return Reply("\n".join(lines) or "—")
