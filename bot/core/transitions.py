"""What each command does to an incident, as pure functions (no Slack, SQL or Babel).

Each takes the current state (the incident, and the impact-window entries where a rule needs them)
and returns a `Transition`: the new incident and the timeline entries the command produces. Nothing
is mutated; the store loads the state, applies one of these and saves the result in one locked
transaction (bot/store/changes.py). Refusals raise the typed errors the edge already explains:
`lifecycle.TransitionRefused` (the status table in bot/core/lifecycle.py), `impact.ImpactError`,
`commands.CommandError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Any

from bot.core import impact, lifecycle
from bot.core.commands import FIELDS, CommandError
from bot.core.model import Entry, EntryKind, Incident, Priority, Responsibility, Role, Status, Texts

TEXT_FIELDS = ("impact", "cause", "context", "components", "title")
MARK_REASONS = ("pin", "alert")  # the timeline reaction (or shortcut), and the alert reaction
UNKNOWN = "?"  # who marked a message before marks were kept per person (see migration 0006)


@dataclass(frozen=True)
class Transition:
    incident: Incident  # the state after the command
    entries: tuple[Entry, ...] = ()  # what it adds to the timeline, in the order to record them


def declare(incident: Incident, *, user: str, now: datetime, impact_start: datetime | None = None) -> Transition:
    """A new incident: investigating, declared now by `user`, who leads until someone else is named."""
    new = replace(incident, status=Status.INVESTIGATING, declared_at=now, declared_by=user, resolved_at=None,
                  roles={Role.COMMANDER: user})
    entries = [Entry(kind=EntryKind.DECLARED, at=now, author=user, key=True,
                     data={"title": dict(incident.title), "priority": incident.priority.value})]
    if impact_start is not None:
        entries.append(Entry(kind=EntryKind.IMPACT_START, at=impact_start, author=user, key=True))
    return Transition(new, tuple(entries))


def _status_entry(before: Status, after: Status, *, user: str, texts: Texts, now: datetime) -> Entry:
    return Entry(kind=EntryKind.STATUS, at=now, author=user, texts=dict(texts),
                 data={"from": before.value, "to": after.value})


def update(incident: Incident, *, user: str, status: Status, texts: Texts, now: datetime,
           window: Sequence[Entry] = (), at: datetime | None = None) -> Transition:
    """A status update: the same status again or a step forward (lifecycle.ALLOWED); resolving
    records when, and ends a customer impact still running (`window`: the impact-window entries):
    a resolved incident with impact "ongoing" would have no total and could not be reopened.
    `at`: the time its author gave it, if not now (Statuspage's display_at)."""
    lifecycle.check_update(incident.status, status)
    posted = now
    if at is not None:
        since = [incident.declared_at, *(e.at for e in window if e.kind is EntryKind.REOPENED)]
        if at < max(t for t in since if t is not None):
            raise lifecycle.TransitionRefused("update_too_early", incident.status, status,
                                              lifecycle.allowed_from(incident.status))
        now = min(at, now)
    resolved_at = now if status is Status.RESOLVED else incident.resolved_at
    new = replace(incident, status=status, resolved_at=resolved_at)
    entries = []
    running = running_impact(window)
    if status is Status.RESOLVED and running is not None:
        entries.append(Entry(kind=EntryKind.IMPACT_END, at=max(now, running.start), author=user, key=True))
    entry = _status_entry(incident.status, status, user=user, texts=texts, now=now)
    if now != posted:  # the reminders' clock counts from when it was posted, not from the time it shows
        entry.data["posted"] = posted.isoformat()
    entries.append(entry)
    return Transition(new, tuple(entries))


def posted_at(entry: Entry) -> datetime:
    """When a status update was posted: its time, unless its author dated it earlier."""
    posted = entry.data.get("posted")
    return datetime.fromisoformat(posted) if posted else entry.at


def running_impact(window: Sequence[Entry]) -> impact.Window | None:
    """The impact window still open, if any."""
    windows = impact.impact_windows(window)
    return windows[-1] if windows and windows[-1].end is None else None


def resolve(incident: Incident, *, user: str, texts: Texts, now: datetime) -> Transition:
    return update(incident, user=user, status=Status.RESOLVED, texts=texts, now=now)


def reopen(incident: Incident, window: Sequence[Entry], *, user: str, texts: Texts, at: datetime, now: datetime,
           status: Status = lifecycle.REOPEN_TO) -> Transition:
    """A recurrence: only a resolved incident; it starts a new impact window at `at`, which must not
    overlap the windows recorded (`window`: the incident's impact-window entries). Reopening is never
    refused for an impact still running."""
    lifecycle.check_reopen(incident.status)
    if running_impact(window) is None:  # an impact left running (by an older version) simply goes on
        impact.check_impact_start(window, at)
    new = replace(incident, status=status, resolved_at=None)
    reopened = Entry(kind=EntryKind.REOPENED, at=at, author=user, key=True, texts=dict(texts))
    return Transition(new, (reopened, _status_entry(incident.status, status, user=user, texts=texts, now=now)))


def _plain(value: Any) -> Any:
    """A field's value as the timeline stores it (JSON): enums by value, dicts copied."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return dict(value)
    return value


def set_field(incident: Incident, *, user: str, name: str, value: Any, now: datetime) -> Transition:
    """Change one field. Texts are merged per language (a language not given keeps its text)."""
    if name not in FIELDS:
        raise CommandError("unknown_field", given=name, fields=", ".join(FIELDS))
    old = getattr(incident, name)
    if name in TEXT_FIELDS:
        new_value: Any = {**old, **value}
    elif name == "priority":
        new_value = Priority(value)
    elif name == "responsibility":
        new_value = Responsibility(value) if value else None
    else:
        new_value = value
    new = replace(incident, **{name: new_value})
    entry = Entry(kind=EntryKind.FIELD, at=now, author=user,
                  data={"field": name, "old": _plain(old), "new": _plain(new_value)})
    return Transition(new, (entry,))


def assign_role(incident: Incident, *, user: str, role: Role, person: str, now: datetime) -> Transition:
    new = replace(incident, roles={**incident.roles, role: person})
    return Transition(new, (Entry(kind=EntryKind.ROLE, at=now, author=user, data={"role": role.value, "user": person}),))


def start_impact(incident: Incident, window: Sequence[Entry], *, user: str, at: datetime,
                 texts: Texts | None = None) -> Transition:
    impact.check_impact_start(window, at)
    return Transition(incident, (Entry(kind=EntryKind.IMPACT_START, at=at, author=user, key=True,
                                       texts=dict(texts or {})),))


def end_impact(incident: Incident, window: Sequence[Entry], *, user: str, at: datetime,
               texts: Texts | None = None) -> Transition:
    impact.check_impact_end(window, at)
    return Transition(incident, (Entry(kind=EntryKind.IMPACT_END, at=at, author=user, key=True,
                                       texts=dict(texts or {})),))


def add_impact_window(incident: Incident, window: Sequence[Entry], *, user: str, start: datetime,
                      end: datetime) -> Transition:
    """A whole window typed after the fact, between the windows already recorded."""
    impact.check_impact_window(window, start, end)
    return Transition(incident, tuple(Entry(kind=kind, at=at, author=user, key=True)
                                      for kind, at in ((EntryKind.IMPACT_START, start), (EntryKind.IMPACT_END, end))))


def add_event(incident: Incident, *, user: str, at: datetime, texts: Texts, alert: bool = False) -> Transition:
    """A key moment typed by someone; `alert` when it says when the alert came (time to detect)."""
    entry = Entry(kind=EntryKind.EVENT, at=at, author=user, texts=dict(texts), key=True,
                  data={"alert": True} if alert else {})
    return Transition(incident, (entry,))


def translate(update: Entry, texts: Texts) -> Entry:
    """Languages added to an update after the fact: a blank text never erases one already there."""
    return replace(update, texts={**update.texts, **{k: v for k, v in texts.items() if v.strip()}})


def mark(message: Entry, *, reason: str, on: bool, user: str | None, when: float) -> Entry:
    """A person's pin (or alert) mark put on or taken off a chat message, at event time `when`.

    Marks are kept per person, as Slack keeps reactions, each with the time of the event that set
    it: reaction events are handled in parallel and may arrive out of order, so an older event never
    undoes a newer one. The message is key (or the alert) while someone's mark is on it. Anyone's
    removal also ends a mark by someone unknown (marks recorded before people were kept).
    """
    if reason not in MARK_REASONS:
        raise ValueError(f"unknown mark reason {reason!r}")
    marks = {r: dict(people) for r, people in (message.data.get("marks") or {}).items()}
    who = marks.setdefault(reason, {})
    for person in [user or UNKNOWN] if on else [user or UNKNOWN, UNKNOWN]:
        if who.get(person, {}).get("at", 0) <= when:
            who[person] = {"on": on, "at": when}
    active = {r for r, people in marks.items() if any(m["on"] for m in people.values())}
    return replace(message, key=bool(active), data={**message.data, "marks": marks, "alert": "alert" in active})
