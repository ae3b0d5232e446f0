"""Compile the postmortem from the timeline and publish it: file, canvas, stakeholder notice."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from bot.core.model import Entry, EntryKind
from bot.core.postmortem import Postmortem, compile_postmortem
from bot.flows.deps import Deps
from bot.i18n import Lang
from bot.render.postmortem import render_postmortem
from bot.flows.ports import Plain, Problem, Undelivered
from bot.store import incidents as store
from bot.store import timeline as tl


NOTICE = "postmortem_notice"  # posts kind: telling a stakeholder channel the postmortem is out


@dataclass
class Published:
    ref: str
    markdown: str
    missing: list[str]
    problems: list[Problem] = field(default_factory=list)


def timeline_hint(lang: Lang, ref: str) -> str:
    return lang._("`python -m bot timeline {ref}`, or the crisis channel's history.", ref=ref)


def compile_markdown(deps: Deps, ref: str, langs: list[Lang] | None = None) -> tuple[str, Postmortem]:
    """The same Markdown for Slack and for `python -m bot postmortem REF`."""
    langs = langs or deps.langs
    with deps.db.session() as s:
        row = store.by_ref(session=s, ref=ref)
        if row is None:
            raise LookupError(ref)
        incident = store.to_incident(row)
        entries = tl.entries(session=s, incident_id=row.id)
        actions = store.actions(session=s, incident_id=row.id)
    pm = compile_postmortem(incident, entries, actions, now=deps.now())
    return render_postmortem(pm, langs, timeline_hint=lambda l: timeline_hint(l, incident.ref)), pm


def publish(deps: Deps, incident_id: int, *, user: str) -> Published:
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id)
        ref, channel, canvas_id = row.ref, row.channel_id, row.canvas_id
    markdown, pm = compile_markdown(deps, ref)
    out = Published(ref, markdown, list(pm.missing))
    if channel:
        title = " / ".join(dict.fromkeys(l._("Postmortem {ref}", ref=ref) for l in deps.langs))
        try:
            deps.messenger.attach(channel, f"{ref}-postmortem.md", markdown, title)
        except Undelivered as e:
            out.problems.append(e.problem())
        try:
            new_id = deps.messenger.room_document(channel, markdown, canvas_id, title)
            if new_id != canvas_id:
                with deps.db.session() as s:
                    r = store.get(session=s, incident_id=incident_id, lock=True)
                    r.canvas_id = new_id
                    s.add(r)
        except Undelivered as e:
            out.problems.append(e.problem())
    with deps.db.session() as s:
        announcements = store.posts(session=s, incident_id=incident_id, kind="announcement")
        tl.add(session=s, incident_id=incident_id, now=deps.now(),
               entry=Entry(kind=EntryKind.POSTMORTEM, at=deps.now(), author=user))
    # Stakeholders are told once, then again only when the published document changed.
    shown = hashlib.sha256(markdown.encode()).hexdigest()[:32]
    with deps.db.session() as s:
        told = {(p.channel_id, p.shown) for p in store.posts(session=s, incident_id=incident_id, kind=NOTICE)}
    for a in announcements:
        if (a.channel_id, shown) in told:
            continue
        langs = deps.langs_of(a)
        text = "\n".join(l._("The postmortem of {ref} is published in <#{channel}>.", ref=ref, channel=channel)
                         for l in langs)
        try:
            ts = deps.messenger.publish(a.channel_id, Plain(text), thread=a.ts, broadcast=True)
        except Undelivered as e:
            out.problems.append(e.problem())
            continue
        with deps.db.session() as s:
            store.add_post(session=s, incident_id=incident_id, kind=NOTICE, channel_id=a.channel_id, ts=ts, shown=shown)
    return out
