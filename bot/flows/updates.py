"""Status updates, resolve and reopen, field changes and roles — and posting them everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from bot.core import impact, lifecycle, transitions
from bot.core.bilingual import split_texts
from bot.core.idempotency import post_key
from bot.core.commands import FIELDS, parse_priority
from bot.core.model import Action, Entry, EntryKind, Incident, Role, Status, Texts
from bot.flows import sync, timeline
from bot.flows.deps import Deps, UserError
from bot.flows.ports import Edit, Post, Problem, StatusUpdate, Undelivered
from bot.i18n.vocabulary import parse_responsibility
from bot.render.header import header_line
from bot.store import changes
from bot.store import incidents as store
from bot.store import timeline as tl

TEXT_FIELDS = transitions.TEXT_FIELDS


@dataclass
class Outcome:
    incident: Incident
    entry_id: int | None = None
    missing: list[str] = field(default_factory=list)  # languages with no text yet
    problems: list[Problem] = field(default_factory=list)
    channels: int = 0  # where the update was meant to be posted
    posted: int = 0  # where it was
    closed_window: impact.Window | None = None  # the impact window resolving ended


def _refused(e: lifecycle.TransitionRefused, incident: Incident) -> UserError:
    return UserError(f"transition_{e.code}", ref=incident.ref, current=e.current, allowed=list(e.allowed))


def post_update(deps: Deps, incident_id: int, *, user: str, status: Status, texts: Texts,
                reopen_at: datetime | None = None, at: datetime | None = None) -> Outcome:
    """Record a status update (or a reopen when `reopen_at` is given), then post it everywhere.

    In this process, one update of an incident at a time until posted: the channels' posts go out
    side by side, and an update is never shown before the one it follows."""
    with deps.incident_lock(incident_id):
        out, state, writes = _record_and_post(deps, incident_id, user=user, status=status, texts=texts,
                                              reopen_at=reopen_at, at=at)
    out.problems += sync.refresh(deps, incident_id, state=state, writes=writes)
    return out


def _record_and_post(deps: Deps, incident_id: int, *, user: str, status: Status, texts: Texts,
                     reopen_at: datetime | None, at: datetime | None = None) -> tuple[Outcome, changes.State, list]:
    now = deps.now()

    def change(incident: Incident, window: list[Entry]) -> transitions.Transition:
        try:
            if reopen_at is not None:
                return transitions.reopen(incident, window, user=user, texts=texts, at=reopen_at, now=now,
                                          status=status)
            return transitions.update(incident, user=user, status=status, texts=texts, now=now, window=window, at=at)
        except lifecycle.TransitionRefused as e:
            raise _refused(e, incident) from None

    applied = changes.apply(deps.db, incident_id, change, now=now)
    incident, entry = applied.incident, applied.entries[-1]
    out = Outcome(incident, entry.id, missing=[c for c in deps.settings.languages if not texts.get(c, "").strip()],
                  closed_window=_closed_by(applied))
    changed = applied.before.status is not status
    writes: list = []
    out.problems += _post_everywhere(deps, incident, applied.state.window, entry.id, status, texts, broadcast=changed,
                                     out=out, state=applied.state, writes=writes)
    return out, applied.state, writes


def _closed_by(applied: changes.Applied) -> impact.Window | None:
    """The impact window that resolving ended, if it did."""
    ends = {e.at for e in applied.entries if e.kind is EntryKind.IMPACT_END}
    return next((w for w in impact.impact_windows(applied.state.window) if w.end in ends), None)


def _post_everywhere(deps: Deps, incident: Incident, entries: list[Entry], entry_id: int, status: Status,
                     texts: Texts, *, broadcast: bool, out: Outcome | None = None, state: changes.State,
                     writes: list) -> list[Problem]:
    """Crisis channel: every language. Stakeholders: their languages, in the announcement's thread.

    Counts on `out` how many channels were meant and how many got the post. The posts are recorded
    by appending to `writes`, which the refresh that follows saves in its own transaction."""
    problems: list[Problem] = []
    header = header_line(incident, entries, deps.langs)
    targets: list[tuple[str, str | None, list]] = []
    if incident.channel_id:
        targets.append((incident.channel_id, None, deps.langs))
    for a in state.posts_of("announcement"):
        langs = deps.langs_of(a)
        targets.append((a.channel_id, a.ts, langs))
    if out is not None:
        out.channels = len(targets)
    posts = []
    for channel, thread, langs in targets:
        head = header if thread is None else header_line(incident, entries, langs)
        notice = StatusUpdate(incident, status, texts, langs, deps.langs, header=head)
        posts.append(Post(channel, notice, thread=thread, broadcast=broadcast,
                          key=post_key(incident, "update", channel, entry_id)))
    # Every channel at once: no post depends on another (each thread's announcement is there).
    for post, ts in zip(posts, deps.messenger.publish_all(posts)):
        if isinstance(ts, Undelivered):
            problems.append(ts.problem())
            continue
        writes.append(partial(store.add_post, incident_id=incident.id, kind="update", channel_id=post.room, ts=ts,
                              languages=tuple(l.code for l in post.notice.langs), entry_id=entry_id))
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
        merged = row.texts = transitions.translate(tl.to_entry(row), texts).texts
        s.add(row)
        entry, recorded = tl.to_entry(row), row.recorded_at or deps.now()
        incident = store.to_incident(store.get(session=s, incident_id=incident_id))
        entries = tl.entries(session=s, incident_id=incident_id, kinds=impact.WINDOW_KINDS)
        posts = store.posts(session=s, incident_id=incident_id, entry_id=entry_id)
        status = Status(row.data.get("to", incident.status.value))
    out = Outcome(incident, entry_id, missing=[c for c in deps.settings.languages if not merged.get(c, "").strip()])
    def edit(post) -> Edit:
        if post.kind == "event":  # a key moment's echo, not a status update
            return Edit(post.channel_id, post.ts, timeline.key_moment(deps, entry, recorded))
        langs = deps.langs_of(post)
        return Edit(post.channel_id, post.ts, StatusUpdate(incident, status, merged, langs, deps.langs,
                                                           header=header_line(incident, entries, langs)))

    out.problems += [e.problem() for e in deps.messenger.revise_all([edit(p) for p in posts])
                     if isinstance(e, Undelivered)]
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
    applied = changes.apply(deps.db, incident_id, lambda incident, _window: transitions.set_field(
        incident, user=user, name=name, value=value, now=now), now=now)
    incident, entry = applied.incident, applied.entries[-1]
    old, new = entry.data["old"], entry.data["new"]
    entries = applied.state.window
    out, writes = Outcome(incident, entry.id), []
    if name == "priority" and old != new:
        texts = {l.code: l._("Priority changed from {old} to {new}.", old=old, new=new) for l in deps.langs}
        out.problems += _post_everywhere(deps, incident, entries, entry.id, incident.status, texts, broadcast=True,
                                         state=applied.state, writes=writes)
    out.problems += sync.refresh(deps, incident_id, state=applied.state, writes=writes)
    return out


def set_role(deps: Deps, incident_id: int, *, user: str, role: Role, person: str) -> Outcome:
    if deps.messenger.person_exists(person) is False:  # checked before saving, not found out by the invite
        raise UserError("unknown_user", user=person)
    now = deps.now()
    applied = changes.apply(deps.db, incident_id, lambda incident, _window: transitions.assign_role(
        incident, user=user, role=role, person=person, now=now), now=now)
    incident, entry = applied.incident, applied.entries[-1]
    out = Outcome(incident, entry.id)
    if incident.channel_id:
        try:
            deps.messenger.invite(incident.channel_id, [person])
        except Undelivered as e:
            if e.code not in ("already_in_channel", "cant_invite_self"):
                out.problems.append(e.problem())
    out.problems += sync.refresh(deps, incident_id, state=applied.state)
    return out
