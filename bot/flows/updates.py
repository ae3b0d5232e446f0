"""Status updates, resolve and reopen, field changes and roles — and posting them everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core import impact, lifecycle
from bot.core.bilingual import split_texts
from bot.core.commands import FIELDS, parse_priority
from bot.core.model import Action, Entry, EntryKind, Incident, Priority, Responsibility, Role, Status, Texts
from bot.flows import sync
from bot.flows.deps import Deps, UserError
from bot.flows.ports import Problem, StatusUpdate, Undelivered
from bot.i18n.vocabulary import parse_responsibility
from bot.render.header import header_line
from bot.store import incidents as store
from bot.store import timeline as tl

TEXT_FIELDS = ("impact", "cause", "context", "components", "title")


@dataclass
class Outcome:
    incident: Incident
    entry_id: int | None = None
    missing: list[str] = field(default_factory=list)  # languages with no text yet
    problems: list[Problem] = field(default_factory=list)
    channels: int = 0  # where the update was meant to be posted
    posted: int = 0  # where it was


def _refused(e: lifecycle.TransitionRefused, incident: Incident) -> UserError:
    return UserError(f"transition_{e.code}", ref=incident.ref, current=e.current, allowed=list(e.allowed))


def post_update(deps: Deps, incident_id: int, *, user: str, status: Status, texts: Texts,
                reopen_at: datetime | None = None) -> Outcome:
    """Record a status update (or a reopen when `reopen_at` is given), then post it everywhere."""
    now = deps.now()
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id, lock=True)
        incident = store.to_incident(row)
        previous = incident.status
        try:
            if reopen_at is not None:
                lifecycle.check_reopen(previous)
            else:
                lifecycle.check_update(previous, status)
        except lifecycle.TransitionRefused as e:
            raise _refused(e, incident) from None
        if reopen_at is not None:
            # A recurrence starts a new impact window: it must not overlap the ones recorded.
            impact.check_impact_start(tl.entries(session=s, incident_id=incident_id, kinds=impact.WINDOW_KINDS), reopen_at)
            tl.add(session=s, incident_id=incident_id, now=now, entry=Entry(
                kind=EntryKind.REOPENED, at=reopen_at, author=user, key=True, texts=texts))
            row.resolved_at = None
        row.status = status.value
        if status is Status.RESOLVED:
            row.resolved_at = now
        store.save(session=s, row=row, now=now)
        entry = tl.add(session=s, incident_id=incident_id, now=now, entry=Entry(
            kind=EntryKind.STATUS, at=now, author=user, texts=texts,
            data={"from": previous.value, "to": status.value}))
        incident = store.to_incident(row)
        entries = tl.entries(session=s, incident_id=incident_id, kinds=impact.WINDOW_KINDS)
    out = Outcome(incident, entry.id, missing=[c for c in deps.settings.languages if not texts.get(c, "").strip()])
    changed = previous is not status
    out.problems += _post_everywhere(deps, incident, entries, entry.id, status, texts, broadcast=changed, out=out)
    out.problems += sync.refresh(deps, incident_id)
    return out


def _post_everywhere(deps: Deps, incident: Incident, entries: list[Entry], entry_id: int, status: Status,
                     texts: Texts, *, broadcast: bool, out: Outcome | None = None) -> list[Problem]:
    """Crisis channel: every language. Stakeholders: their languages, in the announcement's thread.

    Counts on `out` how many channels were meant and how many got the post."""
    problems: list[Problem] = []
    header = header_line(incident, entries, deps.langs)
    targets: list[tuple[str, str | None, list]] = []
    if incident.channel_id:
        targets.append((incident.channel_id, None, deps.langs))
    with deps.db.session() as s:
        announcements = store.posts(session=s, incident_id=incident.id, kind="announcement")
    for a in announcements:
        langs = deps.langs_of(a)
        targets.append((a.channel_id, a.ts, langs))
    if out is not None:
        out.channels = len(targets)
    for channel, thread, langs in targets:
        head = header if thread is None else header_line(incident, entries, langs)
        notice = StatusUpdate(incident, status, texts, langs, deps.langs, header=head)
        try:
            ts = deps.messenger.publish(channel, notice, thread=thread, broadcast=broadcast)
        except Undelivered as e:
            problems.append(e.problem())
            continue
        with deps.db.session() as s:
            store.add_post(session=s, incident_id=incident.id, kind="update", channel_id=channel, ts=ts,
                           languages=tuple(l.code for l in langs), entry_id=entry_id)
        if out is not None:
            out.posted += 1
    return problems


def untranslated(deps: Deps, incident_id: int, entry_id: int) -> list[str]:
    """The configured languages an entry has no text in yet."""
    with deps.db.session() as s:
        row = tl.get(session=s, entry_id=entry_id)
    if row is None or row.incident_id != incident_id:
        return []
    return [c for c in deps.settings.languages if not (row.texts.get(c) or "").strip()]


def add_action(deps: Deps, incident_id: int, *, symptom: Texts, action: Texts) -> None:
    """A row of the postmortem's actions table."""
    with deps.db.session() as s:
        store.add_action(session=s, incident_id=incident_id, now=deps.now(), action=Action(symptom=symptom, action=action))


def add_translations(deps: Deps, incident_id: int, entry_id: int, texts: Texts) -> Outcome:
    """Fill languages that were missing from an update, and edit the messages already posted."""
    with deps.db.session() as s:
        row = tl.get(session=s, entry_id=entry_id)
        if row is None or row.incident_id != incident_id:
            raise UserError("internal")
        merged = {**row.texts, **{k: v for k, v in texts.items() if v.strip()}}
        row.texts = merged
        s.add(row)
        incident = store.to_incident(store.get(session=s, incident_id=incident_id))
        entries = tl.entries(session=s, incident_id=incident_id, kinds=impact.WINDOW_KINDS)
        posts = store.posts(session=s, incident_id=incident_id, entry_id=entry_id)
        status = Status(row.data.get("to", incident.status.value))
    out = Outcome(incident, entry_id, missing=[c for c in deps.settings.languages if not merged.get(c, "").strip()])
    for post in posts:
        langs = deps.langs_of(post)
        notice = StatusUpdate(incident, status, merged, langs, deps.langs, header=header_line(incident, entries, langs))
        try:
            deps.messenger.revise(post.channel_id, post.ts, notice)
        except Undelivered as e:
            out.problems.append(e.problem())
    return out


def change_field(deps: Deps, incident_id: int, *, user: str, name: str, value: str) -> Outcome:
    """`/incident set <field> <value>`: the value read as its field wants it, then recorded."""
    if name not in FIELDS:
        raise UserError("unknown_field", given=name, fields=", ".join(FIELDS))
    if not value:
        raise UserError("empty_value", field=name)
    parsed: object
    if name == "priority":
        parsed = parse_priority(value)
    elif name == "responsibility":
        parsed = parse_responsibility(value, deps.langs)
    elif name == "category":
        parsed = value
    else:
        parsed = split_texts(value, deps.settings.languages)
    return set_field(deps, incident_id, user=user, name=name, value=parsed)


def set_field(deps: Deps, incident_id: int, *, user: str, name: str, value) -> Outcome:
    """Change one field; recorded in the timeline; a priority change is told to stakeholders."""
    now = deps.now()
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id, lock=True)
        old = getattr(row, name)
        if name in TEXT_FIELDS:
            new = {**old, **value} if isinstance(value, dict) else value
        elif isinstance(value, (Priority, Responsibility)):
            new = value.value
        else:
            new = value
        setattr(row, name, new)
        store.save(session=s, row=row, now=now)
        entry = tl.add(session=s, incident_id=incident_id, now=now, entry=Entry(
            kind=EntryKind.FIELD, at=now, author=user, data={"field": name, "old": old, "new": new}))
        incident = store.to_incident(row)
        entries = tl.entries(session=s, incident_id=incident_id, kinds=impact.WINDOW_KINDS)
    out = Outcome(incident, entry.id)
    if name == "priority" and old != new:
        texts = {l.code: l._("Priority changed from {old} to {new}.", old=old, new=new) for l in deps.langs}
        out.problems += _post_everywhere(deps, incident, entries, entry.id, incident.status, texts, broadcast=True)
    out.problems += sync.refresh(deps, incident_id)
    return out


def set_role(deps: Deps, incident_id: int, *, user: str, role: Role, person: str) -> Outcome:
    now = deps.now()
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id, lock=True)
        row.roles = {**row.roles, role.value: person}
        store.save(session=s, row=row, now=now)
        entry = tl.add(session=s, incident_id=incident_id, now=now, entry=Entry(
            kind=EntryKind.ROLE, at=now, author=user, data={"role": role.value, "user": person}))
        incident = store.to_incident(row)
    out = Outcome(incident, entry.id)
    if incident.channel_id:
        try:
            deps.messenger.invite(incident.channel_id, [person])
        except Undelivered as e:
            if e.code not in ("already_in_channel", "cant_invite_self"):
                out.problems.append(e.problem())
    out.problems += sync.refresh(deps, incident_id)
    return out
